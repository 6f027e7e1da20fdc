using System.Globalization;
using System.Xml.Linq;
using Csp.Api.Indicators;
using Csp.Api.Reports;
using Csp.Api.Tests.Infrastructure;
using C = DocumentFormat.OpenXml.Drawing.Charts;

namespace Csp.Api.Tests.Indicators;

/// <summary>
/// Issue 20, point 2: the charts as the renderers draw a <see cref="ChartData"/> with series breaks (which
/// <see cref="ChartData.From"/> fills in from the indicator) and withheld values (which the data model does not hold yet): the SVG
/// and the Word chart mark the break, leave suppressed periods unplotted and say both in words.
/// </summary>
public sealed class ChartDrawingTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private const string ActualColour = "rgb(29,112,184)";
    private const string BreakColour = "rgb(111,119,123)";

    /// <summary>Twelve months of personal robbery, 180 down to 158 (January's 180 is 182 − 2), some withheld, perhaps a break.</summary>
    private static ChartData Year(int[]? suppressed = null, int? breakAt = null) => new(
        Guid.Parse("0192b0c0-0000-7000-8000-000000000001"), "ROB-PERSONAL", "Personal robbery", IndicatorUnit.Count, IndicatorDirection.Decrease,
        PeriodType.Month, "E09000028", "Southwark",
        Enumerable.Range(1, 12).Select(m => suppressed?.Contains(m) == true
            ? new ChartPoint(new Period(PeriodType.Month, 2025, m), null, Suppressed: true, Provisional: false)
            : new ChartPoint(new Period(PeriodType.Month, 2025, m), 182 - 2 * m, Suppressed: false, Provisional: false)).ToList(),
        [new ChartTarget(new Period(PeriodType.Month, 2025, 1), 182, "Baseline"), new ChartTarget(new Period(PeriodType.Month, 2025, 12), 150, "Target")],
        breakAt is { } b ? [new ChartBreak(new Period(PeriodType.Month, 2025, b), "CONNECT replaced CRIS")] : []);

    private static XElement Draw(ChartData data, string file)
    {
        var text = IndicatorChart.Svg(data, "chart-rob-personal", "/csv", standalone: true);
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Repo.PathOf("TestResults")).FullName, file), text);
        return XDocument.Parse(text).Root!;
    }

    private static string Style(XElement e) => e.Attribute("style")?.Value ?? "";

    /// <summary>What is drawn in the plot, without the legend (the group that names the series).</summary>
    private static IEnumerable<XElement> Plotted(XElement svg, string element) =>
        svg.Elements(Svg + "g").Where(g => !g.Elements(Svg + "text").Any(t => t.Value == "Actual")).SelectMany(g => g.Elements(Svg + element));

    /// <summary>The x of each point of each unbroken run of the actual series (OxyPlot draws a run as one polyline).</summary>
    private static List<double[]> ActualRuns(XElement svg) =>
        Plotted(svg, "polyline").Where(e => Style(e).Contains("stroke:" + ActualColour, StringComparison.Ordinal))
            .Select(e => e.Attribute("points")!.Value.Split(' ').Select(xy => double.Parse(xy.Split(',')[0], CultureInfo.InvariantCulture)).ToArray())
            .ToList();

    /// <summary>The x of each plotted value's marker.</summary>
    private static List<double> Markers(XElement svg) =>
        Plotted(svg, "ellipse").Where(e => Style(e).Contains("fill:" + ActualColour, StringComparison.Ordinal))
            .Select(e => double.Parse(e.Attribute("cx")!.Value, CultureInfo.InvariantCulture)).ToList();

    /// <summary>Where each month is on the x axis, read from the axis labels.</summary>
    private static Dictionary<string, double> AxisX(XElement svg) =>
        svg.Descendants(Svg + "text").Where(e => e.Attribute("transform")?.Value.StartsWith("translate(", StringComparison.Ordinal) == true
                                                 && e.Value.EndsWith(" 2025", StringComparison.Ordinal))
            .ToDictionary(e => e.Value, e => double.Parse(e.Attribute("transform")!.Value["translate(".Length..].Split(',')[0], CultureInfo.InvariantCulture));

    [Fact]
    public void Suppressed_periods_keep_their_place_on_the_axis_but_are_not_plotted_and_the_description_says_so()
    {
        var whole = Draw(Year(), "chart-whole.svg");
        var withheld = Draw(Year(suppressed: [3, 4]), "chart-suppressed.svg");

        Assert.Single(ActualRuns(whole));
        Assert.Equal(12, ActualRuns(whole)[0].Length);
        Assert.Equal(12, Markers(whole).Count);
        // Ten values drawn, in two runs: February is not joined to May across the withheld March and April.
        var markers = Markers(withheld);
        Assert.Equal(10, markers.Count);
        Assert.Equal([2, 8], ActualRuns(withheld).Select(r => r.Length));
        var x = AxisX(withheld);
        Assert.DoesNotContain(markers, m => Math.Abs(m - x["Mar 2025"]) < 1);
        Assert.Contains(markers, m => Math.Abs(m - x["May 2025"]) < 1);
        // The same axis: the withheld months keep their place.
        Assert.Equal(AxisX(whole), x);

        var desc = withheld.Element(Svg + "desc")!.Value;
        Assert.Contains("10 monthly values from Jan 2025 to Dec 2025", desc);
        Assert.Contains("2 values are withheld to protect small numbers and not plotted.", desc);
        Assert.DoesNotContain("withheld", whole.Element(Svg + "desc")!.Value);
    }

    [Fact]
    public void A_series_break_is_marked_with_its_reason_the_line_does_not_cross_it_and_the_description_says_so()
    {
        var svg = Draw(Year(breakAt: 7), "chart-break.svg");

        var runs = ActualRuns(svg);
        Assert.Equal([6, 6], runs.Select(r => r.Length));
        // A dotted vertical line between June and July, labelled with the reason.
        var x = AxisX(svg);
        var marks = Plotted(svg, "polyline").Where(e => Style(e).Contains("stroke:" + BreakColour, StringComparison.Ordinal)).ToList();
        var mark = Assert.Single(marks);
        Assert.Contains("stroke-dasharray", Style(mark));
        var ends = mark.Attribute("points")!.Value.Split(' ').Select(xy => double.Parse(xy.Split(',')[0], CultureInfo.InvariantCulture)).ToList();
        // June is the first run's last point, July (labelled on the axis) the second's first.
        Assert.Equal(x["Jul 2025"], runs[1][0], 3);
        Assert.All(ends, e => Assert.InRange(e, runs[0][^1] + 1, runs[1][0] - 1));
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "Series break: CONNECT replaced CRIS");
        Assert.Contains("The series breaks at Jul 2025 (CONNECT replaced CRIS): values either side are not comparable.",
            svg.Element(Svg + "desc")!.Value);
    }

    [Fact]
    public void The_target_trajectory_is_a_dashed_line_from_baseline_to_target_and_a_single_target_a_dashed_level()
    {
        const string targetColour = "rgb(178,84,0)";
        var svg = Draw(Year(), "chart-whole.svg");

        var trajectory = Assert.Single(Plotted(svg, "polyline"), e => Style(e).Contains("stroke:" + targetColour, StringComparison.Ordinal));
        Assert.Contains("stroke-dasharray", Style(trajectory));
        var points = trajectory.Attribute("points")!.Value.Split(' ');
        Assert.Equal(2, points.Length);
        // From January (baseline, the first run's first point) to December (target).
        var run = ActualRuns(svg).Single();
        Assert.Equal(run[0], double.Parse(points[0].Split(',')[0], CultureInfo.InvariantCulture), 3);
        Assert.Equal(run[^1], double.Parse(points[1].Split(',')[0], CultureInfo.InvariantCulture), 3);

        var level = Draw(Year() with { Targets = [new ChartTarget(new Period(PeriodType.Month, 2025, 12), 150, "Target")] }, "chart-level.svg");
        Assert.Contains(level.Descendants(Svg + "text"), t => t.Value == "Target 150 (Dec 2025)");
        Assert.Contains(Plotted(level, "polyline"), e => Style(e).Contains("stroke:" + targetColour, StringComparison.Ordinal)
                                                        && Style(e).Contains("stroke-dasharray", StringComparison.Ordinal));
    }

    [Fact]
    public void The_Word_chart_leaves_suppressed_periods_blank_and_starts_a_new_series_at_a_break()
    {
        static List<(string Name, uint[] Indexes)> Series(ChartData data) =>
            ReportWord.ChartSpace(data).Descendants<C.LineChartSeries>()
                .Select(s => (s.GetFirstChild<C.SeriesText>()!.InnerText,
                    s.GetFirstChild<C.Values>()!.Descendants<C.NumericPoint>().Select(p => p.Index!.Value).ToArray()))
                .ToList();

        var withheld = Series(Year(suppressed: [3, 4]));
        Assert.Equal(["Actual", "Target"], withheld.Select(s => s.Name));
        Assert.Equal([0u, 1, 4, 5, 6, 7, 8, 9, 10, 11], withheld[0].Indexes);
        Assert.Equal(C.DisplayBlanksAsValues.Gap, ReportWord.ChartSpace(Year()).Descendants<C.DisplayBlanksAs>().Single().Val!.Value);

        var broken = Series(Year(breakAt: 7));
        Assert.Equal(["Actual", "Actual from Jul 2025 (series break: CONNECT replaced CRIS)", "Target"], broken.Select(s => s.Name));
        Assert.Equal([0u, 1, 2, 3, 4, 5], broken[0].Indexes);
        Assert.Equal([6u, 7, 8, 9, 10, 11], broken[1].Indexes);
    }
}
