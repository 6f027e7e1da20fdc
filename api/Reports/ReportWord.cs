using System.Globalization;
using Csp.Api.Indicators;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using A = DocumentFormat.OpenXml.Drawing;
using C = DocumentFormat.OpenXml.Drawing.Charts;
using DW = DocumentFormat.OpenXml.Drawing.Wordprocessing;

namespace Csp.Api.Reports;

/// <summary>
/// The report as a Word document (Open XML SDK), valid by its <c>OpenXmlValidator</c>: the same sections as the HTML, with real
/// heading styles (so Word's navigation pane and a screen reader see the structure), tables whose first row repeats as a header,
/// and each indicator's chart as a native Word line chart (editable, with the chart's description as its alt text). Text is set
/// as text runs, never parsed as markup.
/// </summary>
public static class ReportWord
{
    private const string Font = "Arial";
    private const long ChartWidthEmu = 6_000_000; // about 16.7 cm, inside A4's text width
    private const long ChartHeightEmu = 3_000_000;

    public static byte[] Render(PlanReport r)
    {
        using var stream = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            doc.PackageProperties.Title = r.Plan.Title + " – progress report";
            doc.PackageProperties.Creator = r.PartnershipName;
            doc.PackageProperties.Language = "en-GB";
            var created = new DateTime(r.AsAt.Year, r.AsAt.Month, r.AsAt.Day, 0, 0, 0, DateTimeKind.Utc);
            doc.PackageProperties.Created = created;
            doc.PackageProperties.Modified = created;
            var main = doc.AddMainDocumentPart();
            main.AddNewPart<StyleDefinitionsPart>().Styles = Styles();
            var body = new Body();
            new Writer(r, main, body).Write();
            body.Append(new SectionProperties(
                new PageSize { Width = 11906, Height = 16838 },
                new PageMargin { Top = 1021, Bottom = 1021, Left = 1077, Right = 1077, Header = 567, Footer = 567, Gutter = 0 }));
            main.Document = new Document(body);
        }
        return stream.ToArray();
    }

    private sealed class Writer(PlanReport r, MainDocumentPart main, Body body)
    {
        private uint drawings;
        private int section;

        public void Write()
        {
            Para(r.PartnershipName, "Subtitle");
            Para(r.Plan.Title, "Title");
            Para($"Progress report as at {PeriodAxis.Date(r.AsAt)}" + (r.Since is { } s ? $", with progress since {PeriodAxis.Date(s)}" : ""));
            Para("Plan period: " + ReportText.Period(r.Plan));
            Para("Status: " + ReportText.PlanStatus(r.Plan));
            if (r.Plan.Supersedes is { } old) Para("Refreshes: " + old);

            Heading("Summary");
            var paragraphs = ReportText.Paragraphs(r.Plan.Summary);
            if (paragraphs.Count == 0) Para("The plan has no summary yet.");
            foreach (var p in paragraphs) Para(p);
            var findings = ReportText.Lines(r.Plan.AssessmentFindings);
            if (findings.Count > 0)
            {
                Para("Strategic assessment: key findings", "Heading2");
                foreach (var f in findings) Para("• " + f);
            }

            Heading("Progress by priority");
            Table(["Priority", "RAG", "Not started", "On track", "At risk", "Off track", "Completed", "Cancelled", "Overdue"],
                r.Priorities.Select(p => (IReadOnlyList<string>)[$"{p.Code} {p.Title}", ReportText.Rag(p.Rag), .. new[] { p.NotStarted, p.OnTrack, p.AtRisk,
                    p.OffTrack, p.Completed, p.Cancelled, p.Overdue }.Select(n => n.ToString(CultureInfo.InvariantCulture))]));
            Para("Red: any commitment off track; amber: any at risk or overdue; green: neither.", "Caption");

            Heading("Commitments needing attention");
            if (r.Attention.Count == 0) Para("No commitment is off track, at risk or overdue.");
            else
                Table(["Commitment", "Status", "Due", "Latest update", "By, as at"], r.Attention.Select(a => (IReadOnlyList<string>)[
                    $"{a.Code} {a.Title} (priority {a.PriorityCode})", ReportText.Status(a.Status) + (a.Overdue ? ", overdue" : ""),
                    ReportText.Date(a.DueDate), a.Commentary ?? "No update yet.", ReportText.By(a.By)]));

            Heading(r.Since is { } since ? $"Progress since {PeriodAxis.Date(since)}" : "Latest progress");
            if (r.Progress.Count == 0) Para(r.Since is null ? "No commitment has a progress update yet." : "No progress updates in this period.");
            else
                Table(["Commitment", "Status", "Update", "By, as at"], r.Progress.Select(u => (IReadOnlyList<string>)[
                    $"{u.Code} {u.Title}", ReportText.Status(u.Status), u.Commentary, ReportText.By(u.By)]));

            Heading("Indicators against target");
            if (r.Indicators.Count == 0) Para("No indicator measures this plan's priorities.");
            else
            {
                Table(["Indicator", "Latest", "Target", "Status", "Trend"], r.Indicators.Select(i => (IReadOnlyList<string>)[
                    i.Name,
                    i.Performance.Latest is { } l ? $"{IndicatorChart.Value(i.Unit, l.Value)} ({ReportText.PeriodLabel(i.Chart, l.Period)})" : "—",
                    i.Performance.Target is { } t ? $"{IndicatorChart.Value(i.Unit, t.Value)} ({ReportText.PeriodLabel(i.Chart, t.Period)})" : "—",
                    ReportText.Status(i.Performance.Status), ReportText.Trend(i.Performance.Trend)]));
                foreach (var i in r.Indicators)
                {
                    Para($"{i.Name} ({i.Code})", "Heading2");
                    Chart(i);
                    Para(i.Description, "Caption");
                }
            }

            Heading("Strategy coverage");
            if (r.Coverage.Count == 0) Para("Nothing in the plan is aligned to a strategy yet.");
            foreach (var c in r.Coverage)
            {
                Para(c.FrameworkTitle, "Heading2");
                Para($"{c.Covered} of {c.Outcomes} outcomes have something of the plan aligned to them.");
                if (c.WithoutCommitment.Count == 0) Para("Every outcome has at least one commitment delivering it.");
                else
                {
                    Para("Outcomes no commitment delivers:");
                    foreach (var gap in c.WithoutCommitment) Para("• " + gap);
                }
            }

            if (r.Changes is { } ch)
            {
                Heading("What changed from " + ch.AgainstTitle);
                Para("Routine changes of a refresh (statuses reset to not started, dates moved with the plan's period) are left out.", "Caption");
                if (ch.None) Para("Nothing else changed.");
                void List(string heading, IReadOnlyList<string> items)
                {
                    if (items.Count == 0) return;
                    Para(heading, "Heading2");
                    foreach (var item in items) Para("• " + item);
                }
                void Changed(string heading, IReadOnlyList<ChangedItem> items)
                {
                    if (items.Count == 0) return;
                    Para(heading, "Heading2");
                    foreach (var item in items)
                    {
                        Para("• " + item.Item);
                        foreach (var change in item.Changes) Para("    – " + change);
                    }
                }
                List("Priorities added", ch.PrioritiesAdded);
                List("Priorities removed", ch.PrioritiesRemoved);
                Changed("Priorities changed", ch.PrioritiesChanged);
                List("Commitments added", ch.CommitmentsAdded);
                List("Commitments removed", ch.CommitmentsRemoved);
                Changed("Commitments changed", ch.CommitmentsChanged);
            }
        }

        private void Heading(string text) => Para($"{++section}. {text}", "Heading1");

        private void Para(string text, string? style = null) => body.Append(Paragraph(text, style));

        private void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
        {
            var table = new Table(new TableProperties(
                new TableStyle { Val = "ReportTable" },
                new TableWidth { Width = "5000", Type = TableWidthUnitValues.Pct },
                new TableLook { Val = "0420" }));
            var grid = new TableGrid();
            foreach (var _ in headers) grid.Append(new GridColumn { Width = (9752 / headers.Count).ToString(CultureInfo.InvariantCulture) });
            table.Append(grid);
            var head = new TableRow(new TableRowProperties(new TableHeader(), new CantSplit()));
            foreach (var h in headers) head.Append(new TableCell(Paragraph(h, "TableHeading")));
            table.Append(head);
            foreach (var row in rows)
            {
                var tr = new TableRow(new TableRowProperties(new CantSplit()));
                foreach (var cell in row) tr.Append(new TableCell(Paragraph(cell, "TableText")));
                table.Append(tr);
            }
            body.Append(table);
            body.Append(Paragraph("", "Spacer"));
        }

        private void Chart(IndicatorLine line)
        {
            var part = main.AddNewPart<ChartPart>();
            part.ChartSpace = ChartSpace(line.Chart);
            var id = ++drawings;
            var inline = new DW.Inline(
                new DW.Extent { Cx = ChartWidthEmu, Cy = ChartHeightEmu },
                new DW.EffectExtent { LeftEdge = 0, TopEdge = 0, RightEdge = 0, BottomEdge = 0 },
                new DW.DocProperties { Id = id, Name = "Chart " + line.Code, Title = IndicatorChart.Title(line.Chart), Description = line.Description },
                new DW.NonVisualGraphicFrameDrawingProperties(),
                new A.Graphic(new A.GraphicData(new C.ChartReference { Id = main.GetIdOfPart(part) })
                {
                    Uri = "http://schemas.openxmlformats.org/drawingml/2006/chart",
                }))
            { DistanceFromTop = 0, DistanceFromBottom = 0, DistanceFromLeft = 0, DistanceFromRight = 0 };
            body.Append(new Paragraph(new ParagraphProperties(new KeepNext()), new Run(new Drawing(inline))));
        }
    }

    private static Paragraph Paragraph(string text, string? style)
    {
        var p = new Paragraph();
        if (style is not null) p.Append(new ParagraphProperties(new ParagraphStyleId { Val = style }));
        p.Append(new Run(new Text(Clean(text)) { Space = SpaceProcessingModeValues.Preserve }));
        return p;
    }

    /// <summary>XML 1.0 cannot hold most control characters: they become spaces (line breaks too, inside one paragraph).</summary>
    private static string Clean(string text) =>
        string.Create(text.Length, text, (span, t) =>
        {
            for (var i = 0; i < t.Length; i++)
                span[i] = char.IsControl(t[i]) || char.IsSurrogate(t[i]) && !(char.IsHighSurrogate(t[i]) && i + 1 < t.Length && char.IsLowSurrogate(t[i + 1])
                    || char.IsLowSurrogate(t[i]) && i > 0 && char.IsHighSurrogate(t[i - 1])) ? ' ' : t[i];
        });

    /// <summary>A line chart of the series and its target trajectory over the chart's periods, with literal data (no workbook).</summary>
    internal static C.ChartSpace ChartSpace(ChartData data)
    {
        var ordinals = data.Points.Select(p => PeriodAxis.Ordinal(p.Period)).Concat(data.Targets.Select(t => PeriodAxis.Ordinal(t.Period))).ToList();
        var min = ordinals.Count == 0 ? 0 : ordinals.Min();
        var max = ordinals.Count == 0 ? 0 : ordinals.Max();
        var labels = Enumerable.Range(min, max - min + 1).Select(o => PeriodAxis.Label(PeriodAxis.FromOrdinal(data.PeriodType, o))).ToList();
        var targets = Trajectory(data, min, labels.Count);

        var lineChart = new C.LineChart(new C.Grouping { Val = C.GroupingValues.Standard }, new C.VaryColors { Val = false });
        var index = 0u;
        foreach (var (name, values) in Segments(data, min))
            lineChart.Append(Series(index, name, index++ % 2 == 0 ? "1D70B8" : "003078", labels, values, dashed: false));
        if (targets.Count > 0) lineChart.Append(Series(index, "Target", "B25400", labels, targets, dashed: true));
        lineChart.Append(new C.ShowMarker { Val = true }, new C.AxisId { Val = 1 }, new C.AxisId { Val = 2 });

        var plotArea = new C.PlotArea(new C.Layout(), lineChart,
            new C.CategoryAxis(new C.AxisId { Val = 1 }, new C.Scaling(new C.Orientation { Val = C.OrientationValues.MinMax }),
                new C.Delete { Val = false }, new C.AxisPosition { Val = C.AxisPositionValues.Bottom },
                new C.MajorTickMark { Val = C.TickMarkValues.Outside }, new C.MinorTickMark { Val = C.TickMarkValues.None },
                new C.TickLabelPosition { Val = C.TickLabelPositionValues.NextTo }, new C.CrossingAxis { Val = 2 },
                new C.Crosses { Val = C.CrossesValues.AutoZero }, new C.AutoLabeled { Val = true },
                new C.LabelAlignment { Val = C.LabelAlignmentValues.Center }, new C.LabelOffset { Val = 100 },
                new C.TickLabelSkip { Val = Math.Max(1, (int)Math.Ceiling(labels.Count / 7.0)) }, new C.NoMultiLevelLabels { Val = true }),
            new C.ValueAxis(new C.AxisId { Val = 2 }, new C.Scaling(new C.Orientation { Val = C.OrientationValues.MinMax }),
                new C.Delete { Val = false }, new C.AxisPosition { Val = C.AxisPositionValues.Left }, new C.MajorGridlines(),
                new C.NumberingFormat { FormatCode = "#,##0.##", SourceLinked = false },
                new C.MajorTickMark { Val = C.TickMarkValues.None }, new C.MinorTickMark { Val = C.TickMarkValues.None },
                new C.TickLabelPosition { Val = C.TickLabelPositionValues.NextTo }, new C.CrossingAxis { Val = 1 },
                new C.Crosses { Val = C.CrossesValues.AutoZero }, new C.CrossBetween { Val = C.CrossBetweenValues.Between }));

        return new C.ChartSpace(
            new C.Date1904 { Val = false },
            new C.EditingLanguage { Val = "en-GB" },
            new C.RoundedCorners { Val = false },
            new C.Chart(
                new C.AutoTitleDeleted { Val = true },
                plotArea,
                new C.Legend(new C.LegendPosition { Val = C.LegendPositionValues.Top }, new C.Overlay { Val = false }),
                new C.PlotVisibleOnly { Val = true },
                new C.DisplayBlanksAs { Val = C.DisplayBlanksAsValues.Gap }));
    }

    /// <summary>
    /// The values by position, one series per stretch between series breaks: Word joins no line across two series, and the legend
    /// says where and why the series breaks. Suppressed periods have no value, so they are gaps.
    /// </summary>
    private static List<(string Name, Dictionary<int, double> Values)> Segments(ChartData data, int min)
    {
        var shown = data.Points.Where(p => p.Value is not null).Select(p => (X: PeriodAxis.Ordinal(p.Period) - min, Y: (double)p.Value!.Value)).ToList();
        var segments = new List<(string, Dictionary<int, double>)>();
        var breaks = data.Breaks.OrderBy(b => PeriodAxis.Ordinal(b.Period)).ToList();
        for (var k = 0; k <= breaks.Count; k++)
        {
            var from = k == 0 ? int.MinValue : PeriodAxis.Ordinal(breaks[k - 1].Period) - min;
            var to = k == breaks.Count ? int.MaxValue : PeriodAxis.Ordinal(breaks[k].Period) - min;
            var values = shown.Where(p => p.X >= from && p.X < to).ToDictionary(p => p.X, p => p.Y);
            if (values.Count == 0 && (k < breaks.Count || segments.Count > 0)) continue;
            segments.Add((k == 0 ? "Actual" : $"Actual from {PeriodAxis.Label(breaks[k - 1].Period)} (series break: {breaks[k - 1].Reason})", values));
        }
        return segments;
    }

    /// <summary>The target trajectory at every position: straight between its points, level from a single target.</summary>
    private static Dictionary<int, double> Trajectory(ChartData data, int min, int count)
    {
        var points = data.Targets.Select(t => (X: PeriodAxis.Ordinal(t.Period) - min, Y: (double)t.Value)).OrderBy(t => t.X).ToList();
        var result = new Dictionary<int, double>();
        if (points.Count == 1)
            for (var x = 0; x < count; x++) result[x] = points[0].Y;
        for (var k = 1; k < points.Count; k++)
        {
            var (a, b) = (points[k - 1], points[k]);
            for (var x = a.X; x <= b.X; x++) result[x] = a.Y + (b.Y - a.Y) * (x - a.X) / Math.Max(1, b.X - a.X);
        }
        return result;
    }

    private static C.LineChartSeries Series(uint index, string name, string colour, List<string> labels, IReadOnlyDictionary<int, double> values,
        bool dashed)
    {
        var line = new A.Outline(new A.SolidFill(new A.RgbColorModelHex { Val = colour })) { Width = dashed ? 19050 : 28575 };
        if (dashed) line.Append(new A.PresetDash { Val = A.PresetLineDashValues.Dash });
        var categories = new C.StringLiteral(new C.PointCount { Val = (uint)labels.Count });
        for (var i = 0; i < labels.Count; i++)
            categories.Append(new C.StringPoint(new C.NumericValue(labels[i])) { Index = (uint)i });
        var numbers = new C.NumberLiteral(new C.FormatCode("General"), new C.PointCount { Val = (uint)labels.Count });
        foreach (var (i, v) in values.OrderBy(kv => kv.Key))
            numbers.Append(new C.NumericPoint(new C.NumericValue(v.ToString("R", CultureInfo.InvariantCulture))) { Index = (uint)i });
        return new C.LineChartSeries(
            new C.Index { Val = index }, new C.Order { Val = index },
            new C.SeriesText(new C.NumericValue(name)),
            new C.ChartShapeProperties(line),
            new C.Marker(new C.Symbol { Val = dashed ? C.MarkerStyleValues.None : C.MarkerStyleValues.Circle }, new C.Size { Val = 5 }),
            new C.CategoryAxisData(categories),
            new C.Values(numbers),
            new C.Smooth { Val = false });
    }

    private static Styles Styles()
    {
        static Style Paragraph(string id, string name, int halfPoints, bool bold = false, string? colour = null, int? outline = null, int before = 0,
            int after = 120, bool keepNext = false)
        {
            var pPr = new StyleParagraphProperties();
            if (keepNext) pPr.Append(new KeepNext());
            pPr.Append(new SpacingBetweenLines { Before = before.ToString(CultureInfo.InvariantCulture), After = after.ToString(CultureInfo.InvariantCulture) });
            if (outline is { } level) pPr.Append(new OutlineLevel { Val = level });
            var rPr = new StyleRunProperties(new RunFonts { Ascii = Font, HighAnsi = Font, ComplexScript = Font });
            if (bold) rPr.Append(new Bold());
            if (colour is not null) rPr.Append(new Color { Val = colour });
            rPr.Append(new FontSize { Val = halfPoints.ToString(CultureInfo.InvariantCulture) });
            var style = new Style(new StyleName { Val = name }) { Type = StyleValues.Paragraph, StyleId = id };
            if (id != "Normal") style.Append(new BasedOn { Val = "Normal" }, new NextParagraphStyle { Val = "Normal" });
            style.Append(new PrimaryStyle(), pPr, rPr);
            if (id == "Normal") style.Default = true;
            return style;
        }

        var table = new Style(new StyleName { Val = "Report Table" }, new PrimaryStyle(),
            new StyleTableProperties(new TableBorders(
                new TopBorder { Val = BorderValues.Single, Size = 4, Color = "B1B4B6" },
                new BottomBorder { Val = BorderValues.Single, Size = 4, Color = "B1B4B6" },
                new InsideHorizontalBorder { Val = BorderValues.Single, Size = 4, Color = "B1B4B6" }),
                new TableCellMarginDefault(new TopMargin { Width = "40", Type = TableWidthUnitValues.Dxa },
                    new TableCellLeftMargin { Width = 80, Type = TableWidthValues.Dxa },
                    new BottomMargin { Width = "40", Type = TableWidthUnitValues.Dxa },
                    new TableCellRightMargin { Width = 80, Type = TableWidthValues.Dxa })))
        { Type = StyleValues.Table, StyleId = "ReportTable" };

        return new Styles(
            new DocDefaults(
                new RunPropertiesDefault(new RunPropertiesBaseStyle(new RunFonts { Ascii = Font, HighAnsi = Font, ComplexScript = Font, EastAsia = Font },
                    new FontSize { Val = "21" }, new Languages { Val = "en-GB" })),
                new ParagraphPropertiesDefault(new ParagraphPropertiesBaseStyle(new SpacingBetweenLines { After = "120", Line = "264", LineRule = LineSpacingRuleValues.Auto }))),
            Paragraph("Normal", "Normal", 21),
            Paragraph("Title", "Title", 44, bold: true, after: 160),
            Paragraph("Subtitle", "Subtitle", 20, bold: true, colour: "505A5F", after: 40),
            Paragraph("Heading1", "heading 1", 32, bold: true, outline: 0, before: 360, after: 120, keepNext: true),
            Paragraph("Heading2", "heading 2", 26, bold: true, outline: 1, before: 240, after: 80, keepNext: true),
            Paragraph("Caption", "caption", 18, colour: "505A5F", after: 200),
            Paragraph("TableHeading", "Table Heading", 18, bold: true, after: 0),
            Paragraph("TableText", "Table Text", 18, after: 0),
            Paragraph("Spacer", "Spacer", 8, after: 0),
            table);
    }
}
