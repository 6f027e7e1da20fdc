using System.Text.Json.Serialization;
using Csp.Api.Observations;

namespace Csp.Api.Indicators;

[JsonConverter(typeof(JsonStringEnumConverter<IndicatorUnit>))]
public enum IndicatorUnit
{
    [JsonStringEnumMemberName("count")] Count,
    [JsonStringEnumMemberName("rate_per_1000")] RatePer1000,
    [JsonStringEnumMemberName("percent")] Percent,
    [JsonStringEnumMemberName("currency_gbp")] CurrencyGbp,
    [JsonStringEnumMemberName("days")] Days,
    [JsonStringEnumMemberName("ratio")] Ratio,
}

/// <summary>Which way is better.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IndicatorDirection>))]
public enum IndicatorDirection
{
    [JsonStringEnumMemberName("increase")] Increase,
    [JsonStringEnumMemberName("decrease")] Decrease,
    [JsonStringEnumMemberName("maintain")] Maintain,
}

[JsonConverter(typeof(JsonStringEnumConverter<IndicatorFrequency>))]
public enum IndicatorFrequency
{
    [JsonStringEnumMemberName("monthly")] Monthly,
    [JsonStringEnumMemberName("quarterly")] Quarterly,
    [JsonStringEnumMemberName("annual")] Annual,
    [JsonStringEnumMemberName("financial_year")] FinancialYear,
}

public static class IndicatorFrequencies
{
    public static PeriodType PeriodType(this IndicatorFrequency frequency) => frequency switch
    {
        IndicatorFrequency.Monthly => Indicators.PeriodType.Month,
        IndicatorFrequency.Quarterly => Indicators.PeriodType.Quarter,
        IndicatorFrequency.Annual => Indicators.PeriodType.Year,
        _ => Indicators.PeriodType.FinancialYear,
    };
}

/// <summary>A value at a period (a baseline or a target).</summary>
/// <param name="Value">Up to 6 decimal places; must suit the unit.</param>
/// <param name="Period">A period of the indicator's frequency, e.g. <c>2024-06</c>, <c>2024-Q2</c>, <c>2024</c>, <c>2024-25</c>.</param>
public sealed record PeriodValue(decimal? Value, string? Period);

/// <summary>Create or replace an indicator (a KPI).</summary>
/// <param name="Code">Partners' code for it, unique in the partnership, e.g. <c>ROB-PERSONAL</c>; the batch push names indicators by it.</param>
/// <param name="Name">Display name.</param>
/// <param name="Description">Optional longer text (definition, source).</param>
/// <param name="Unit">What a value measures.</param>
/// <param name="Direction">Which way is better.</param>
/// <param name="Frequency">The period type of its observations.</param>
/// <param name="SourceAgencyId">The agency whose clients may push its observations.</param>
/// <param name="PriorityIds">Priorities it measures.</param>
/// <param name="Baseline">Where it started.</param>
/// <param name="Target">Where the partnership aims to get it.</param>
public sealed record IndicatorRequest(string Code, string Name, string? Description, IndicatorUnit? Unit, IndicatorDirection? Direction,
    IndicatorFrequency? Frequency, Guid? SourceAgencyId, IReadOnlyList<Guid>? PriorityIds, PeriodValue? Baseline, PeriodValue? Target);

/// <summary>A value at a canonical period.</summary>
public sealed record PeriodValueOut(decimal Value, string Period);

/// <summary>An indicator (a KPI) of the partnership.</summary>
/// <param name="Baseline">Absent when not set.</param>
/// <param name="Target">Absent when not set.</param>
public sealed record Indicator(Guid Id, string Code, string Name, string? Description, IndicatorUnit Unit, IndicatorDirection Direction,
    IndicatorFrequency Frequency, Guid SourceAgencyId, IReadOnlyList<Guid> PriorityIds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PeriodValueOut? Baseline,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PeriodValueOut? Target,
    long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : Audit.IVersioned;

[JsonConverter(typeof(JsonStringEnumConverter<PerformanceStatus>))]
public enum PerformanceStatus
{
    [JsonStringEnumMemberName("on_target")] OnTarget,
    [JsonStringEnumMemberName("near")] Near,
    [JsonStringEnumMemberName("off_target")] OffTarget,
}

[JsonConverter(typeof(JsonStringEnumConverter<PerformanceTrend>))]
public enum PerformanceTrend
{
    [JsonStringEnumMemberName("improving")] Improving,
    [JsonStringEnumMemberName("stable")] Stable,
    [JsonStringEnumMemberName("worsening")] Worsening,
}

/// <summary>A value at a period, as used by performance.</summary>
public sealed record PeriodPoint(string Period, decimal Value, ObservationStatus Status);

/// <summary>How an indicator is doing in one area, computed from its observations and target.</summary>
/// <param name="Latest">The most recent observation.</param>
/// <param name="Previous">The observation of the period before the latest.</param>
/// <param name="SamePeriodLastYear">The observation of the same period a year before the latest.</param>
/// <param name="Status">Latest against target, by direction; <c>near</c> is within 10% of the target. Absent without a latest value or target.</param>
/// <param name="Trend">Latest against the previous period, by direction (<c>stable</c> within 1%). Absent without both.</param>
/// <remarks>Parts that cannot be known (no data, no target) are absent.</remarks>
public sealed record Performance(Guid IndicatorId, string Code, string Area, IndicatorDirection Direction, IndicatorUnit Unit,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PeriodPoint? Latest,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PeriodPoint? Previous,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PeriodPoint? SamePeriodLastYear,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PeriodValueOut? Target,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PerformanceStatus? Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PerformanceTrend? Trend);
