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
/// <param name="AreaName">How the area is named in words: its registered name, else its GSS code.</param>
/// <param name="NearTolerancePercent">How close to its target a value that misses it counts as near (the indicator's).</param>
public sealed record ChartData(Guid IndicatorId, string Code, string Name, IndicatorUnit Unit, IndicatorDirection Direction, PeriodType PeriodType,
    string Area, string AreaName, IReadOnlyList<ChartPoint> Points, IReadOnlyList<ChartTarget> Targets, IReadOnlyList<ChartBreak> Breaks,
    decimal NearTolerancePercent = PerformanceRules.DefaultNearTolerancePercent)
{
    /// <summary>
    /// The chart of <paramref name="indicator"/> in <paramref name="area"/> from its observations there (in period order): the
    /// series; the area's own target trajectory (never another area's), which in the partnership's own area starts from the
    /// indicator's baseline; and the breaks in the series between its first and last period. A public read passes the observations
    /// as published (<see cref="Publication.Publisher"/>): a suppressed value is in the series but not plotted.
    /// </summary>
    /// <param name="partnershipArea">The partnership's own area, whose figures the indicator's baseline is.</param>
    public static ChartData From(Indicator indicator, string area, string partnershipArea, IReadOnlyList<Observation> observations)
    {
        var type = indicator.Frequency.PeriodType();
        var points = observations
            .Select(o => new ChartPoint(Period.Parse(o.Period, type).Period, o.Value, o.Suppressed, o.Status == ObservationStatus.Provisional))
            .ToList();
        // Stored periods are canonical and of the indicator's frequency.
        var trajectory = indicator.Targets.Where(t => t.Area == area)
            .Select(t => new ChartTarget(Period.Parse(t.Period, type).Period, t.Value, "Target")).ToList();
        var targets = new List<ChartTarget>();
        if (trajectory.Count > 0 && area == partnershipArea && indicator.Baseline is { } baseline && Period.Parse(baseline.Period, type) is { Ok: true } from
            && PeriodAxis.Ordinal(from.Period) < PeriodAxis.Ordinal(trajectory[0].Period))
            targets.Add(new ChartTarget(from.Period, baseline.Value, "Baseline"));
        targets.AddRange(trajectory);
        var breaks = points.Count < 2 ? [] : indicator.Breaks
            .Select(b => new ChartBreak(Period.Parse(b.Period, type).Period, b.Reason))
            .Where(b => PeriodAxis.Ordinal(b.Period) > PeriodAxis.Ordinal(points[0].Period) && PeriodAxis.Ordinal(b.Period) <= PeriodAxis.Ordinal(points[^1].Period))
            .ToList();
        var areaName = observations.Select(o => o.AreaName).FirstOrDefault(n => n is not null) ?? area;
        return new ChartData(indicator.Id, indicator.Code, indicator.Name, indicator.Unit, indicator.Direction, type, area, areaName, points, targets,
            breaks, indicator.NearTolerancePercent);
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
