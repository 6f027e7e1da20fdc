using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Observations;

namespace Csp.Api.Indicators;

/// <summary>An indicator with its latest observation (in the partnership's area) and how it is doing.</summary>
/// <param name="Indicator">The indicator.</param>
/// <param name="LatestObservation">Its most recent observation in the partnership's area; null when it has none there yet.</param>
/// <param name="Performance">How it is doing in the partnership's area.</param>
public sealed record PlanIndicator(Indicator Indicator, Observation? LatestObservation, Performance Performance);

/// <summary>The plan's indicators as CSV (RFC 4180, header row).</summary>
internal static class PlanIndicatorCsv
{
    public const string Header =
        "id,code,name,unit,direction,frequency,priority_ids,area,latest_period,latest_value,latest_status,previous_value," +
        "same_period_last_year_value,target_value,target_period,performance_status,trend";

    public static string Write(IEnumerable<PlanIndicator> rows) => Csv.Write(Header, rows, (sb, r) =>
    {
        var (i, p) = (r.Indicator, r.Performance);
        Csv.Field(sb, i.Id).Append(',');
        Csv.Field(sb, i.Code).Append(',');
        Csv.Field(sb, i.Name).Append(',');
        sb.Append(EnumText<IndicatorUnit>.Text(i.Unit)).Append(',');
        sb.Append(EnumText<IndicatorDirection>.Text(i.Direction)).Append(',');
        sb.Append(EnumText<IndicatorFrequency>.Text(i.Frequency)).Append(',');
        Csv.Field(sb, string.Join(' ', i.PriorityIds.Select(id => id.ToString("D")))).Append(',');
        Csv.Field(sb, p.Area).Append(',');
        Csv.Field(sb, p.Latest?.Period).Append(',');
        Csv.Field(sb, p.Latest?.Value).Append(',');
        if (p.Latest is { } latest) sb.Append(EnumText<ObservationStatus>.Text(latest.Status));
        sb.Append(',');
        Csv.Field(sb, p.Previous?.Value).Append(',');
        Csv.Field(sb, p.SamePeriodLastYear?.Value).Append(',');
        Csv.Field(sb, p.Target?.Value).Append(',');
        Csv.Field(sb, p.Target?.Period).Append(',');
        if (p.Status is { } status) sb.Append(EnumText<PerformanceStatus>.Text(status));
        sb.Append(',');
        if (p.Trend is { } trend) sb.Append(EnumText<PerformanceTrend>.Text(trend));
    });

    /// <summary>Parses the performance status filter (on_target, near, off_target).</summary>
    public static bool TryParseStatus(string? text, out PerformanceStatus? status, Dictionary<string, string[]> errors)
    {
        status = null;
        if (string.IsNullOrEmpty(text)) return true;
        if (EnumText<PerformanceStatus>.TryParse(text, out var parsed))
        {
            status = parsed;
            return true;
        }
        errors["status"] = [$"'status' must be one of: {string.Join(", ", EnumText<PerformanceStatus>.All)}."];
        return false;
    }

}
