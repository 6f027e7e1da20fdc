using Csp.Api.Infrastructure;
using Csp.Api.Observations;

namespace Csp.Api.Indicators;

/// <summary>An indicator with its latest observation (in the partnership's area) and how it is doing.</summary>
/// <param name="Indicator">The indicator.</param>
/// <param name="LatestObservation">Its most recent observation in the partnership's area; null when it has none there yet.</param>
/// <param name="Performance">How it is doing in the partnership's area.</param>
public sealed record PlanIndicator(Indicator Indicator, Observation? LatestObservation, Performance Performance);

/// <summary>The plan's indicators as CSV.</summary>
internal static class PlanIndicatorCsv
{
    public static readonly CsvTable<PlanIndicator> Table = new()
    {
        { "id", r => r.Indicator.Id },
        { "code", r => r.Indicator.Code },
        { "name", r => r.Indicator.Name },
        { "unit", r => r.Indicator.Unit },
        { "direction", r => r.Indicator.Direction },
        { "frequency", r => r.Indicator.Frequency },
        { "priority_ids", r => r.Indicator.PriorityIds },
        { "area", r => r.Performance.Area },
        { "area_name", r => r.Performance.AreaName },
        { "latest_period", r => r.Performance.Latest?.Period },
        { "latest_value", r => r.Performance.Latest?.Value },
        { "latest_status", r => r.Performance.Latest?.Status },
        { "previous_value", r => r.Performance.Previous?.Value },
        { "same_period_last_year_value", r => r.Performance.SamePeriodLastYear?.Value },
        { "target_value", r => r.Performance.Target?.Value },
        { "target_period", r => r.Performance.Target?.Period },
        { "performance_status", r => r.Performance.Status },
        { "trend", r => r.Performance.Trend },
    };
}
