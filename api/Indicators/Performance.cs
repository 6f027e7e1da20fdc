using Csp.Api.Observations;

namespace Csp.Api.Indicators;

/// <summary>How an indicator is doing: computed from its observations and target, never stored.</summary>
public static class PerformanceRules
{
    /// <summary>A value within this percent of the target (but not meeting it) is <c>near</c>, unless the indicator says otherwise.</summary>
    public const decimal DefaultNearTolerancePercent = 10m;

    /// <summary>A change within this share of the previous value is <c>stable</c>.</summary>
    public const decimal StableShare = 0.01m;

    /// <summary>
    /// Latest against target: <c>on_target</c> when it meets the target in the better direction
    /// (increase: at or above; decrease: at or below; maintain: equal), <c>near</c> when within
    /// <paramref name="nearTolerancePercent"/> of the target, else <c>off_target</c>.
    /// </summary>
    public static PerformanceStatus Status(IndicatorDirection direction, decimal latest, decimal target,
        decimal nearTolerancePercent = DefaultNearTolerancePercent)
    {
        var met = direction switch
        {
            IndicatorDirection.Increase => latest >= target,
            IndicatorDirection.Decrease => latest <= target,
            _ => latest == target,
        };
        if (met) return PerformanceStatus.OnTarget;
        return Math.Abs(latest - target) <= Math.Abs(target) * nearTolerancePercent / 100 ? PerformanceStatus.Near : PerformanceStatus.OffTarget;
    }

    /// <summary>
    /// Latest against previous: a change within 1% of the previous value is <c>stable</c>; otherwise
    /// better by direction is <c>improving</c> (for maintain, closer to the target, or to the previous
    /// value when there is no target).
    /// </summary>
    public static PerformanceTrend Trend(IndicatorDirection direction, decimal latest, decimal previous, decimal? target)
    {
        var change = latest - previous;
        if (Math.Abs(change) <= Math.Abs(previous) * StableShare) return PerformanceTrend.Stable;
        var better = direction switch
        {
            IndicatorDirection.Increase => change > 0,
            IndicatorDirection.Decrease => change < 0,
            _ => target is { } t && Math.Abs(latest - t) < Math.Abs(previous - t),
        };
        return better ? PerformanceTrend.Improving : PerformanceTrend.Worsening;
    }

    public static Performance Compute(Indicator indicator, string area, string? areaName, Observation? latest, IReadOnlyList<Observation> others)
    {
        if (latest is null)
        {
            var last = indicator.Targets.LastOrDefault(t => t.Area == area);
            return new Performance(indicator.Id, indicator.Code, area, areaName, indicator.Direction, indicator.Unit, null, null, null,
                Out(last), null, null);
        }
        var period = Period.Parse(latest.Period, indicator.Frequency.PeriodType()).Period;
        var previous = others.FirstOrDefault(o => o.Period == period.Previous().Canonical);
        var lastYear = others.FirstOrDefault(o => o.Period == period.SamePeriodLastYear().Canonical);
        var target = TargetFor(indicator, area, latest.Period);
        var previousComparable = previous is not null && Comparable(indicator, previous.Period, latest.Period);
        // A value the latest is compared with says whether the comparison holds.
        PeriodPoint? Compared(Observation? o) => o is null ? null
            : new PeriodPoint(o.Period, o.Value, o.Status, Comparable(indicator, o.Period, latest.Period), o.Suppressed ? true : null);
        // A figure derived from a withheld value is withheld too (public answers only: keyed readers see every value).
        var status = latest.Value is not { } value ? (PerformanceStatus?)null
            : target is { } t ? Status(indicator.Direction, value, t.Value, indicator.NearTolerancePercent) : PerformanceStatus.NoTarget;
        var trend = previous is null ? null
            : !previousComparable ? PerformanceTrend.Unknown
            : latest.Value is { } l && previous.Value is { } p ? Trend(indicator.Direction, l, p, target?.Value)
            : (PerformanceTrend?)null;
        return new Performance(indicator.Id, indicator.Code, area, areaName, indicator.Direction, indicator.Unit,
            Point(latest), Compared(previous), Compared(lastYear), Out(target), status, trend)
        {
            Disclosure = new[] { latest, previous, lastYear }.Select(o => o?.Disclosure).FirstOrDefault(d => d is not null),
        };
    }

    /// <summary>Whether a value of <paramref name="earlier"/> can be compared with one of <paramref name="later"/>: no break in the
    /// series starts after the first and at or before the second.</summary>
    public static bool Comparable(Indicator indicator, string earlier, string later) =>
        !indicator.Breaks.Any(b => string.CompareOrdinal(b.Period, earlier) > 0 && string.CompareOrdinal(b.Period, later) <= 0);

    /// <summary>
    /// The target <paramref name="area"/> is judged against in <paramref name="period"/>: the area's own for that period, else the
    /// nearest earlier one of its trajectory, else (before the trajectory starts) its first. Null when the area has no target: a
    /// borough's target is never applied to a ward.
    /// </summary>
    public static Target? TargetFor(Indicator indicator, string area, string period)
    {
        // Targets are ordered by area then period, and canonical periods of one frequency sort in time.
        Target? first = null, atOrBefore = null;
        foreach (var t in indicator.Targets)
        {
            if (t.Area != area) continue;
            first ??= t;
            if (string.CompareOrdinal(t.Period, period) <= 0) atOrBefore = t;
        }
        return atOrBefore ?? first;
    }

    private static PeriodValueOut? Out(Target? target) => target is null ? null : new PeriodValueOut(target.Value, target.Period);

    /// <summary>The periods whose observations <see cref="Compute"/> needs besides the latest.</summary>
    public static IReadOnlyList<string> ComparedPeriods(IndicatorFrequency frequency, string latestPeriod)
    {
        var period = Period.Parse(latestPeriod, frequency.PeriodType()).Period;
        return [period.Previous().Canonical, period.SamePeriodLastYear().Canonical];
    }

    private static PeriodPoint? Point(Observation? o) => o is null ? null : new PeriodPoint(o.Period, o.Value, o.Status, Suppressed: o.Suppressed ? true : null);
}
