using System.ComponentModel;
using System.Text.Json.Serialization;
using Csp.Api.Infrastructure;

namespace Csp.Api.Completeness;

/// <summary>
/// Where a value that is due stands: <c>on_time</c> arrived by its due date; <c>late</c> arrived after it; <c>missing</c> has not
/// arrived and its due date has passed (it is overdue); <c>pending</c> has not arrived and is not due yet.
/// </summary>
[JsonConverter(typeof(StringEnumConverter<ReturnStatus>))]
public enum ReturnStatus
{
    [JsonStringEnumMemberName("on_time")] OnTime,
    [JsonStringEnumMemberName("late")] Late,
    [JsonStringEnumMemberName("missing")] Missing,
    [JsonStringEnumMemberName("pending")] Pending,
}

/// <summary>One value an agency owes: an indicator's value for a period in one area.</summary>
/// <param name="Area">ONS GSS code: the partnership's area, or one of its wards (for an indicator due for wards).</param>
/// <param name="Status"><c>on_time</c>, <c>late</c>, <c>missing</c> or <c>pending</c>.</param>
/// <param name="ReceivedAt">When its first value arrived (UTC); absent when none has.</param>
public sealed record AreaReturn(string Area, ReturnStatus Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ReceivedAt);

/// <summary>The counts of the values due, and the rates made of them.</summary>
/// <param name="Expected">Values due by now (their due date has passed), and those that arrived before it.</param>
/// <param name="Received">Of those, the values that arrived.</param>
/// <param name="OnTime">Values that arrived by their due date.</param>
/// <param name="Late">Values that arrived after their due date.</param>
/// <param name="Missing">Values due that have not arrived: overdue.</param>
/// <param name="Pending">Values of ended periods that are not due yet and have not arrived (not counted in <c>expected</c>).</param>
/// <param name="ReportingRate"><c>received / expected</c>, 0–1 with 4 decimal places; null when nothing is expected.</param>
/// <param name="OnTimeRate"><c>onTime / expected</c>, 0–1 with 4 decimal places; null when nothing is expected.</param>
public sealed record ReturnCounts(int Expected, int Received, int OnTime, int Late, int Missing, int Pending, decimal? ReportingRate,
    decimal? OnTimeRate)
{
    public static ReturnCounts Of(IEnumerable<ReturnStatus> statuses)
    {
        int onTime = 0, late = 0, missing = 0, pending = 0;
        foreach (var s in statuses)
            switch (s)
            {
                case ReturnStatus.OnTime: onTime++; break;
                case ReturnStatus.Late: late++; break;
                case ReturnStatus.Missing: missing++; break;
                default: pending++; break;
            }
        var expected = onTime + late + missing;
        decimal? Rate(int n) => expected == 0 ? null : Math.Round((decimal)n / expected, 4);
        return new ReturnCounts(expected, onTime + late, onTime, late, missing, pending, Rate(onTime + late), Rate(onTime));
    }
}

/// <summary>One indicator's values for one period: what was due, by when, and what arrived.</summary>
/// <param name="IndicatorId">The indicator.</param>
/// <param name="Indicator">The indicator's code.</param>
/// <param name="Period">Canonical period.</param>
/// <param name="DueOn">The last day its values are on time: the period's end plus the indicator's <c>dueDays</c>.</param>
/// <param name="Counts">Expected, received, on time, late, missing and pending values, and the rates.</param>
/// <param name="Areas">Each value due: the partnership's area, then (for an indicator due for wards) each ward valid during the
/// period.</param>
public sealed record PeriodCompleteness(Guid IndicatorId, string Indicator, string Period, DateOnly DueOn, ReturnCounts Counts,
    IReadOnlyList<AreaReturn> Areas);

/// <summary>What one source agency owes and has sent.</summary>
/// <param name="AgencyId">The agency (the source agency of the indicators below).</param>
/// <param name="AgencyCode">Its code.</param>
/// <param name="AgencyName">Its name.</param>
/// <param name="Counts">Totals over its indicators and periods.</param>
/// <param name="Periods">By indicator code, then period.</param>
public sealed record AgencyCompleteness(Guid AgencyId, string AgencyCode, string AgencyName, ReturnCounts Counts,
    IReadOnlyList<PeriodCompleteness> Periods);

/// <summary>Completeness and timeliness of the indicators that have a due rule (<c>dueDays</c>), per source agency, indicator and
/// period; computed from the stored values when asked.</summary>
/// <param name="AsOf">Today, by the service's clock (UTC): what is due is judged on this day.</param>
/// <param name="From">The first day of the periods counted.</param>
/// <param name="To">The last day of the periods counted.</param>
/// <param name="Agencies">By agency code; agencies with no indicator due are left out.</param>
public sealed record CompletenessReport(DateOnly AsOf, DateOnly From, DateOnly To, IReadOnlyList<AgencyCompleteness> Agencies);

/// <summary>A value that is due and has not arrived.</summary>
/// <param name="AgencyId">The source agency that owes it.</param>
/// <param name="AgencyCode">Its code.</param>
/// <param name="IndicatorId">The indicator.</param>
/// <param name="Indicator">The indicator's code.</param>
/// <param name="Period">Canonical period.</param>
/// <param name="Area">ONS GSS code of the area it is for.</param>
/// <param name="DueOn">The last day it would have been on time.</param>
/// <param name="DaysOverdue">Days since then (at least 1).</param>
public sealed record OverdueValue(Guid AgencyId, string AgencyCode, Guid IndicatorId, string Indicator, string Period, string Area,
    DateOnly DueOn, int DaysOverdue);

/// <summary>What is overdue now, oldest due date first: the list an officer chases partners with.</summary>
/// <param name="AsOf">Today, by the service's clock (UTC).</param>
/// <param name="From">The first day of the periods looked at.</param>
/// <param name="Overdue">The values due and not arrived, by due date, agency, indicator and area.</param>
public sealed record OverdueReport(DateOnly AsOf, DateOnly From, IReadOnlyList<OverdueValue> Overdue);

/// <summary>The completeness report's filters.</summary>
public readonly record struct CompletenessQuery(
    [property: Description("Periods starting on or after this period's start (or this date, yyyy-MM-dd); default: a year before today.")] string? From,
    [property: Description("Periods ending on or before this period's end (or this date, yyyy-MM-dd); default: today.")] string? To,
    [property: Description("Only the indicators this agency sources.")] Guid? AgencyId);

/// <summary>The overdue list's filters.</summary>
public readonly record struct OverdueQuery(
    [property: Description("Periods starting on or after this period's start (or this date, yyyy-MM-dd); default: a year before today.")] string? From,
    [property: Description("Only the indicators this agency sources.")] Guid? AgencyId);
