using Csp.Api.Observations;

namespace Csp.Api.Indicators;

/// <summary>One period of a chart's series.</summary>
/// <param name="Period">Canonical period.</param>
/// <param name="Value">The value; null when it is not shown (suppressed).</param>
/// <param name="Suppressed">True when disclosure control withholds the value: the period is in the series but not plotted.</param>
/// <param name="Provisional">True when the value may still be revised.</param>
public sealed record ChartPoint(Period Period, decimal? Value, bool Suppressed, bool Provisional);

/// <summary>A point of the target trajectory: where the indicator should be at a period.</summary>
public sealed record ChartTarget(Period Period, decimal Value, string Label);

/// <summary>A break in the series: values from <paramref name="Period"/> on are not comparable with those before.</summary>
public sealed record ChartBreak(Period Period, string Reason);

/// <summary>Everything a chart draws, and nothing else: built from the data by <see cref="ChartData.From"/> alone, so a new kind of
/// data (per-period targets, breaks, suppression) changes that one function, not the renderers.</summary>
/// <param name="AreaName">How the area is named in words (its GSS code until areas have names).</param>
public sealed record ChartData(Guid IndicatorId, string Code, string Name, IndicatorUnit Unit, IndicatorDirection Direction, PeriodType PeriodType,
    string Area, string AreaName, IReadOnlyList<ChartPoint> Points, IReadOnlyList<ChartTarget> Targets, IReadOnlyList<ChartBreak> Breaks)
{
    /// <summary>
    /// The chart of <paramref name="indicator"/> in <paramref name="area"/> from its observations there (in period order): the
    /// series, the target trajectory and the series breaks. Today the trajectory is the indicator's baseline and target (one line
    /// from one to the other), there are no breaks and nothing is suppressed; <paramref name="publicView"/> is where a public
    /// read's disclosure control applies.
    /// </summary>
    public static ChartData From(Indicator indicator, string area, IReadOnlyList<Observation> observations, bool publicView)
    {
        _ = publicView;
        var type = indicator.Frequency.PeriodType();
        var points = observations
            .Select(o => new ChartPoint(Period.Parse(o.Period, type).Period, o.Value, Suppressed: false, o.Status == ObservationStatus.Provisional))
            .ToList();
        var targets = new List<ChartTarget>();
        if (indicator.Target is { } target)
        {
            if (indicator.Baseline is { } baseline && Period.Parse(baseline.Period, type) is { Ok: true } from
                && Period.Parse(target.Period, type) is { Ok: true } to && PeriodAxis.Ordinal(from.Period) < PeriodAxis.Ordinal(to.Period))
                targets.Add(new ChartTarget(from.Period, baseline.Value, "Baseline"));
            if (Period.Parse(target.Period, type) is { Ok: true } at) targets.Add(new ChartTarget(at.Period, target.Value, "Target"));
        }
        return new ChartData(indicator.Id, indicator.Code, indicator.Name, indicator.Unit, indicator.Direction, type, area, area, points, targets, []);
    }
}

/// <summary>Periods as positions on a chart's x axis, and their labels in UK style (<c>Jun 2025</c>, <c>Apr–Jun 2025</c>, <c>2025-26</c>).</summary>
public static class PeriodAxis
{
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] MonthNames =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    /// <summary>Consecutive periods of one type have consecutive ordinals.</summary>
    public static int Ordinal(Period p) => p.Type switch
    {
        PeriodType.Month => p.Year * 12 + p.Index - 1,
        PeriodType.Quarter => p.Year * 4 + p.Index - 1,
        _ => p.Year,
    };

    public static Period FromOrdinal(PeriodType type, int ordinal) => type switch
    {
        PeriodType.Month => new Period(type, ordinal / 12, ordinal % 12 + 1),
        PeriodType.Quarter => new Period(type, ordinal / 4, ordinal % 4 + 1),
        _ => new Period(type, ordinal, 0),
    };

    public static string Label(Period p) => p.Type switch
    {
        PeriodType.Month => $"{Months[p.Index - 1]} {p.Year}",
        PeriodType.Quarter => $"{Months[(p.Index - 1) * 3]}–{Months[(p.Index - 1) * 3 + 2]} {p.Year}",
        _ => p.Canonical,
    };

    /// <summary>A date as UK committee papers write it: <c>1 April 2026</c>.</summary>
    public static string Date(DateOnly d) => $"{d.Day} {MonthNames[d.Month - 1]} {d.Year}";
}
