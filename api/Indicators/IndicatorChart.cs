using System.Globalization;
using System.Net;
using System.Text;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Csp.Api.Indicators;

/// <summary>
/// An indicator's chart as SVG, drawn by OxyPlot's managed SVG exporter: the series, the target trajectory (dashed) and series
/// breaks (vertical lines), with UK period labels, 600 px wide. The SVG carries a <c>&lt;title&gt;</c> and a <c>&lt;desc&gt;</c>
/// that say the trend in words (<see cref="Describe"/>), and a link to the same data as CSV. The same data gives the same bytes.
/// </summary>
public static class IndicatorChart
{
    public const int Width = 600;
    public const int Height = 300;

    private static readonly OxyColor Actual = OxyColor.Parse("#1d70b8");
    private static readonly OxyColor TargetColour = OxyColor.Parse("#b25400");
    private static readonly OxyColor Ink = OxyColor.Parse("#0b0c0c");
    private static readonly OxyColor Grid = OxyColor.Parse("#e5e5e5");
    private static readonly OxyColor BreakColour = OxyColor.Parse("#6f777b");

    /// <summary>The chart as an SVG document (<paramref name="standalone"/>: with its XML declaration) or as an element to inline in HTML.</summary>
    /// <param name="id">Prefix of the ids inside the SVG, unique in a page that inlines several charts.</param>
    /// <param name="csvHref">Where the same data is as CSV.</param>
    public static string Svg(ChartData data, string id, string csvHref, bool standalone)
    {
        var svg = SvgExporter.ExportToString(Model(data), Width, Height, isDocument: true);
        var open = svg.IndexOf("<svg", StringComparison.Ordinal);
        var openEnd = svg.IndexOf('>', open);
        var sb = new StringBuilder(svg.Length + 1024);
        if (standalone) sb.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        sb.Append(svg, open, openEnd - open)
            .Append(CultureInfo.InvariantCulture, $" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">")
            .Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">").Append(Encode(Title(data))).Append("</title>")
            .Append(CultureInfo.InvariantCulture, $"<desc id=\"{id}-desc\">").Append(Encode(Describe(data))).Append("</desc>");
        var close = svg.LastIndexOf("</svg>", StringComparison.Ordinal);
        // OxyPlot numbers its clip paths from 1 in every chart; a page inlining several needs them unique.
        sb.Append(svg.AsSpan(openEnd + 1, close - openEnd - 1).ToString()
            .Replace("id=\"clipPath", $"id=\"{id}-clip", StringComparison.Ordinal)
            .Replace("url(#clipPath", $"url(#{id}-clip", StringComparison.Ordinal));
        sb.Append(CultureInfo.InvariantCulture, $"<a href=\"{Encode(csvHref)}\"><text x=\"{Width - 8}\" y=\"{Height - 6}\" text-anchor=\"end\" font-family=\"Arial,Helvetica,sans-serif\" ")
            .Append("font-size=\"11\" fill=\"#1d70b8\" text-decoration=\"underline\">Data as CSV</text></a>");
        sb.Append("</svg>");
        if (standalone) sb.Append('\n');
        return sb.ToString();
    }

    public static string Title(ChartData data) => data.AreaName == data.Area
        ? $"{data.Name} ({data.Code}), {data.AreaName}"
        : $"{data.Name} ({data.Code}), {data.AreaName} ({data.Area})";

    /// <summary>The chart in words: the span, how the value moved and whether that is better, the target, breaks and gaps.</summary>
    public static string Describe(ChartData data)
    {
        var shown = data.Points.Where(p => p.Value is not null).ToList();
        var sb = new StringBuilder();
        if (shown.Count == 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"No values of {data.Name} for {data.AreaName} to show.");
        }
        else
        {
            var (first, last) = (shown[0], shown[^1]);
            sb.Append(CultureInfo.InvariantCulture, $"{data.Name} in {data.AreaName}: {shown.Count} {Frequency(data.PeriodType)} value{(shown.Count == 1 ? "" : "s")} from ")
                .Append(CultureInfo.InvariantCulture, $"{PeriodAxis.Label(first.Period)} to {PeriodAxis.Label(last.Period)}.");
            if (shown.Count > 1)
            {
                var (from, to) = (first.Value!.Value, last.Value!.Value);
                var change = from == 0 ? (decimal?)null : (to - from) / Math.Abs(from);
                var moved = Math.Abs(to - from) <= Math.Abs(from) * PerformanceRules.StableShare ? "stayed about level"
                    : to > from ? "rose" : "fell";
                sb.Append(CultureInfo.InvariantCulture, $" It {moved} from {Value(data.Unit, from)} to {Value(data.Unit, to)}");
                if (change is { } c && moved != "stayed about level") sb.Append(CultureInfo.InvariantCulture, $" ({(c > 0 ? "up" : "down")} {Math.Round(Math.Abs(c) * 100):0}%)");
                sb.Append(data.Direction switch
                {
                    IndicatorDirection.Decrease => "; lower is better",
                    IndicatorDirection.Increase => "; higher is better",
                    _ => "; the aim is to hold it steady",
                });
                // Across a break the two ends are not comparable: no verdict (the break is named below).
                var broken = data.Breaks.Any(b => PeriodAxis.Ordinal(b.Period) > PeriodAxis.Ordinal(first.Period)
                                                  && PeriodAxis.Ordinal(b.Period) <= PeriodAxis.Ordinal(last.Period));
                var trend = broken ? PerformanceTrend.Unknown : PerformanceRules.Trend(data.Direction, to, from, (data.Targets.Count > 0 ? data.Targets[^1].Value : null));
                sb.Append(trend switch
                {
                    PerformanceTrend.Improving => ", so it has improved.",
                    PerformanceTrend.Worsening => ", so it has got worse.",
                    PerformanceTrend.Unknown => ", but the series breaks in between, so whether it has improved cannot be said.",
                    _ => ".",
                });
            }
            if (data.Targets.LastOrDefault(t => t.Label == "Target") is { } target)
            {
                var status = PerformanceRules.Status(data.Direction, last.Value!.Value, target.Value, data.NearTolerancePercent);
                sb.Append(CultureInfo.InvariantCulture, $" The target is {Value(data.Unit, target.Value)} by {PeriodAxis.Label(target.Period)}: ")
                    .Append(status switch
                    {
                        PerformanceStatus.OnTarget => "the latest value meets it.",
                        PerformanceStatus.Near => $"the latest value is within {data.NearTolerancePercent.ToString("0.####", CultureInfo.InvariantCulture)}% of it.",
                        _ => "the latest value is short of it.",
                    });
            }
            var provisional = shown.Count(p => p.Provisional);
            if (provisional > 0) sb.Append(CultureInfo.InvariantCulture, $" {provisional} of the values {(provisional == 1 ? "is" : "are")} provisional.");
        }
        var suppressed = data.Points.Count(p => p.Suppressed);
        if (suppressed > 0) sb.Append(CultureInfo.InvariantCulture, $" {suppressed} value{(suppressed == 1 ? " is" : "s are")} withheld to protect small numbers and not plotted.");
        foreach (var b in data.Breaks)
            sb.Append(CultureInfo.InvariantCulture, $" The series breaks at {PeriodAxis.Label(b.Period)} ({b.Reason}): values either side are not comparable.");
        return sb.ToString();
    }

    /// <summary>A value in its unit, as a reader says it.</summary>
    /// <summary>A value as the public may read it: "suppressed" when disclosure control withholds it.</summary>
    public static string Value(IndicatorUnit unit, decimal? value) => value is { } v ? Value(unit, v) : "suppressed";

    public static string Value(IndicatorUnit unit, decimal value)
    {
        var n = value.ToString(value == Math.Round(value) ? "#,0" : "#,0.0##", CultureInfo.InvariantCulture);
        return unit switch
        {
            IndicatorUnit.Percent => n + "%",
            IndicatorUnit.CurrencyGbp => "£" + n,
            IndicatorUnit.RatePer1000 => n + " per 1,000",
            IndicatorUnit.Days => n + " days",
            _ => n,
        };
    }

    private static string Frequency(PeriodType type) => type switch
    {
        PeriodType.Month => "monthly",
        PeriodType.Quarter => "quarterly",
        PeriodType.Year => "annual",
        _ => "financial-year",
    };

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static PlotModel Model(ChartData data)
    {
        var ordinals = data.Points.Select(p => PeriodAxis.Ordinal(p.Period))
            .Concat(data.Targets.Select(t => PeriodAxis.Ordinal(t.Period))).ToList();
        var min = ordinals.Count == 0 ? 0 : ordinals.Min();
        var max = ordinals.Count == 0 ? 0 : ordinals.Max();
        var span = max - min + 1;

        var model = new PlotModel
        {
            Culture = CultureInfo.InvariantCulture,
            DefaultFont = "Arial",
            DefaultFontSize = 11,
            TextColor = Ink,
            PlotAreaBorderColor = OxyColors.Transparent,
            Background = OxyColors.White,
            Padding = new OxyThickness(6, 8, 14, 18),
        };
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Bottom,
            Minimum = -0.5,
            Maximum = span - 0.5,
            MajorStep = Math.Max(1, Math.Ceiling(span / 7.0)),
            MinorStep = 1,
            MinorTickSize = 0,
            AxislineStyle = LineStyle.Solid,
            AxislineColor = Ink,
            IsZoomEnabled = false,
            IsPanEnabled = false,
            LabelFormatter = x =>
            {
                var i = (int)Math.Round(x);
                return Math.Abs(x - i) > 0.01 || i < 0 || i >= span ? "" : PeriodAxis.Label(PeriodAxis.FromOrdinal(data.PeriodType, min + i));
            },
        });
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Left,
            MajorGridlineStyle = LineStyle.Solid,
            MajorGridlineColor = Grid,
            MinimumPadding = 0.15,
            MaximumPadding = 0.15,
            AxislineStyle = LineStyle.None,
            TickStyle = TickStyle.None,
            IsZoomEnabled = false,
            IsPanEnabled = false,
            // The unit is on each label rather than in an axis title, which OxyPlot places over wide labels.
            LabelFormatter = v => Value(data.Unit, (decimal)Math.Round(v, 2)),
        });

        var actual = new LineSeries
        {
            Title = "Actual",
            Color = Actual,
            StrokeThickness = 2,
            MarkerType = MarkerType.Circle,
            MarkerSize = 2.5,
            MarkerFill = Actual,
        };
        var byOrdinal = data.Points.ToDictionary(p => PeriodAxis.Ordinal(p.Period));
        var breaks = data.Breaks.Select(b => PeriodAxis.Ordinal(b.Period)).ToHashSet();
        for (var o = min; o <= max; o++)
        {
            // A break starts a new line: the value before it is not joined to the one after.
            if (breaks.Contains(o)) actual.Points.Add(DataPoint.Undefined);
            actual.Points.Add(byOrdinal.TryGetValue(o, out var p) && p.Value is { } v ? new DataPoint(o - min, (double)v) : DataPoint.Undefined);
        }
        model.Series.Add(actual);

        if (data.Targets.Count == 1)
        {
            var t = data.Targets[0];
            model.Annotations.Add(new LineAnnotation
            {
                Type = LineAnnotationType.Horizontal,
                Y = (double)t.Value,
                Color = TargetColour,
                LineStyle = LineStyle.Dash,
                StrokeThickness = 1.5,
                Text = $"Target {Value(data.Unit, t.Value)} ({PeriodAxis.Label(t.Period)})",
                TextColor = TargetColour,
            });
        }
        else if (data.Targets.Count > 1)
        {
            var trajectory = new LineSeries
            {
                Title = "Target",
                Color = TargetColour,
                LineStyle = LineStyle.Dash,
                StrokeThickness = 1.5,
                MarkerType = MarkerType.Diamond,
                MarkerSize = 3.5,
                MarkerFill = TargetColour,
            };
            foreach (var t in data.Targets.OrderBy(t => PeriodAxis.Ordinal(t.Period)))
                trajectory.Points.Add(new DataPoint(PeriodAxis.Ordinal(t.Period) - min, (double)t.Value));
            model.Series.Add(trajectory);
        }
        foreach (var b in data.Breaks)
            model.Annotations.Add(new LineAnnotation
            {
                Type = LineAnnotationType.Vertical,
                X = PeriodAxis.Ordinal(b.Period) - min - 0.5,
                Color = BreakColour,
                LineStyle = LineStyle.Dot,
                Text = "Series break: " + b.Reason,
                TextColor = BreakColour,
            });
        model.Legends.Add(new Legend
        {
            LegendPosition = LegendPosition.TopRight,
            LegendPlacement = LegendPlacement.Inside,
            LegendOrientation = LegendOrientation.Horizontal,
            LegendBackground = OxyColor.FromAColor(220, OxyColors.White),
            LegendFontSize = 11,
        });
        return model;
    }
}
