using Csp.Api.Observations;

namespace Csp.Api.Indicators;

/// <summary>How an indicator is doing: computed from its observations and target, never stored.</summary>
public static class PerformanceRules
{
    /// <summary>A value within this share of the target (but not meeting it) is <c>near</c>.</summary>
    public const decimal NearShare = 0.10m;

    /// <summary>A change within this share of the previous value is <c>stable</c>.</summary>
    public const decimal StableShare = 0.01m;

    /// <summary>
    /// Latest against target: <c>on_target</c> when it meets the target in the better direction
    /// (increase: at or above; decrease: at or below; maintain: equal), <c>near</c> when within 10% of
    /// the target, else <c>off_target</c>.
    /// </summary>
    public static PerformanceStatus Status(IndicatorDirection direction, decimal latest, decimal target)
    {
        var met = direction switch
        {
            IndicatorDirection.Increase => latest >= target,
            IndicatorDirection.Decrease => latest <= target,
            _ => latest == target,
        };
        if (met) return PerformanceStatus.OnTarget;
        return Math.Abs(latest - target) <= Math.Abs(target) * NearShare ? PerformanceStatus.Near : PerformanceStatus.OffTarget;
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
            return new Performance(indicator.Id, indicator.Code, area, areaName, indicator.Direction, indicator.Unit, null, null, null, indicator.Target,
                null, null);
        var period = Period.Parse(latest.Period, indicator.Frequency.PeriodType()).Period;
        var previous = others.FirstOrDefault(o => o.Period == period.Previous().Canonical);
        var lastYear = others.FirstOrDefault(o => o.Period == period.SamePeriodLastYear().Canonical);
        var target = indicator.Target?.Value;
        return new Performance(indicator.Id, indicator.Code, area, areaName, indicator.Direction, indicator.Unit,
            Point(latest), Point(previous), Point(lastYear), indicator.Target,
            target is { } t ? Status(indicator.Direction, latest.Value, t) : null,
            previous is null ? null : Trend(indicator.Direction, latest.Value, previous.Value, target));
    }

    /// <summary>The periods whose observations <see cref="Compute"/> needs besides the latest.</summary>
    public static IReadOnlyList<string> ComparedPeriods(IndicatorFrequency frequency, string latestPeriod)
    {
        var period = Period.Parse(latestPeriod, frequency.PeriodType()).Period;
        return [period.Previous().Canonical, period.SamePeriodLastYear().Canonical];
    }

    private static PeriodPoint? Point(Observation? o) => o is null ? null : new PeriodPoint(o.Period, o.Value, o.Status);
}
