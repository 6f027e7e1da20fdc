using System.Text.Json.Serialization;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.OpenApi;
using Csp.Api.Observations;

namespace Csp.Api.Indicators;

/// <summary>What an indicator's values measure; it decides which values are valid (a count is a non-negative whole number, a percent
/// is 0–100).</summary>
[JsonConverter(typeof(StringEnumConverter<IndicatorUnit>))]
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
[JsonConverter(typeof(StringEnumConverter<IndicatorDirection>))]
public enum IndicatorDirection
{
    [JsonStringEnumMemberName("increase")] Increase,
    [JsonStringEnumMemberName("decrease")] Decrease,
    [JsonStringEnumMemberName("maintain")] Maintain,
}

/// <summary>How often an indicator is measured: the period type of its observations (month <c>2024-06</c>, quarter
/// <c>2024-Q2</c>, calendar year <c>2024</c>, UK financial year <c>2024-25</c>).</summary>
[JsonConverter(typeof(StringEnumConverter<IndicatorFrequency>))]
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
/// <param name="Value">A decimal with at most 6 decimal places and at most 13 digits before the point; it must suit the unit (a count is
/// a non-negative whole number, a percent 0–100).</param>
/// <param name="Period">A period of the indicator's frequency, e.g. <c>2024-06</c>, <c>2024-Q2</c>, <c>2024</c>, <c>2024-25</c>.</param>
public sealed record PeriodValue([property: RequiredInRequest] decimal? Value, [property: RequiredInRequest] string? Period);

/// <summary>Create or replace an indicator (a KPI).</summary>
/// <param name="Code">Partners' code for it, unique in the partnership, e.g. <c>ROB-PERSONAL</c>; the batch push names indicators by it.
/// 1–32 upper-case letters, digits or hyphens, starting with a letter or digit.</param>
/// <param name="Name">Display name, e.g. "Personal robbery"; 1–200 characters.</param>
/// <param name="Description">Optional longer text (definition, source), at most 4,000 characters.</param>
/// <param name="Unit">What a value measures.</param>
/// <param name="Direction">Which way is better.</param>
/// <param name="Frequency">The period type of its observations.</param>
/// <param name="SourceAgencyId">The agency (of this partnership) whose clients may push its observations.</param>
/// <param name="PriorityIds">Priorities (of this partnership) it measures: at most 50, each once. Omitted or null means none.</param>
/// <param name="Baseline">Where it started (optional); its period must be of the indicator's frequency.</param>
/// <param name="Target">Deprecated: send <c>targets</c>. Still accepted (the response then carries a <c>Deprecation</c> header): it sets the
/// partnership-area target of its period, keeping the other targets when <c>targets</c> is not sent; when it is, this must be one of its
/// entries.</param>
/// <param name="Targets">The trajectory: one value per (area, period), each area registered in the partnership (omitted: its own), each
/// period of the indicator's frequency; at most 1,000. Replaces every target. Omitted or null keeps the current ones (none on a new
/// indicator); an empty list removes them.</param>
/// <param name="NearTolerancePercent">How close to its target (in % of the target) a value that misses it counts as <c>near</c>:
/// 0–100, at most 4 decimal places. Omitted or null keeps the current tolerance (10 on a new indicator).</param>
/// <param name="Definition">What it counts, in plain words: the counting rules a reader needs to understand a value, e.g. "Offences of
/// robbery of personal property recorded by the police, by the month recorded"; at most 4,000 characters. Omitted or null keeps the
/// current one; an empty string removes it.</param>
/// <param name="SourceSystem">Where its figures come from, e.g. <c>CONNECT</c> (the Met's crime recording system) or <c>NDTMS</c>; at
/// most 200 characters. Omitted or null keeps the current one; an empty string removes it.</param>
/// <param name="Breaks">Breaks in the series: periods (of the indicator's frequency, each once) from which values are not comparable
/// with earlier ones, each with its reason (a new recording system, a counting-rule change); at most 100. Omitted or null keeps the
/// current ones; an empty list removes them.</param>
/// <param name="Disclosure">How its small numbers are published below the partnership's own area. Omitted or null keeps the current
/// policy (<c>none</c> on a new indicator).</param>
/// <param name="Bounds">The plausible range of a value: a pushed value outside it gets the warning <c>outside_bounds</c> (it is still
/// kept). Omitted or null keeps the current bounds (none on a new indicator); <c>{}</c> removes them.</param>
/// <param name="OutlierThreshold">The modified z-score (against the same area's last 24 periods, with at least 6 of them) above which a
/// pushed value gets the warning <c>outlier</c>: 0–100, at most 4 decimal places; 0 turns the check off. Omitted or null keeps the
/// current threshold (3.5 on a new indicator).</param>
/// <param name="LargeChangePercent">A pushed value that differs by more than this percentage from the area's previous period gets the
/// warning <c>large_change</c>: 0–100,000, at most 4 decimal places; 0 turns the check off. Omitted or null keeps the current one (off
/// on a new indicator).</param>
/// <param name="DueDays">How many days after a period ends its value is due (e.g. 10 for monthly police data): from then on a missing
/// value is overdue, and one that arrives later is late (see /completeness). 0–366. Omitted or null keeps the current one (a new
/// indicator has none, and is not chased).</param>
/// <param name="DueForWards">True when a value is also due for each of the partnership's wards, not only for its own area. Omitted or
/// null keeps the current setting (false on a new indicator).</param>
public sealed record IndicatorRequest(string Code, string Name, string? Description, IndicatorUnit? Unit, IndicatorDirection? Direction,
    IndicatorFrequency? Frequency, Guid? SourceAgencyId, IReadOnlyList<Guid>? PriorityIds, PeriodValue? Baseline,
    [property: DeprecatedInContract] PeriodValue? Target, IReadOnlyList<TargetInput?>? Targets = null, decimal? NearTolerancePercent = null,
    string? Definition = null, string? SourceSystem = null, IReadOnlyList<BreakInput?>? Breaks = null, DisclosureInput? Disclosure = null,
    IndicatorBounds? Bounds = null, decimal? OutlierThreshold = null, decimal? LargeChangePercent = null, int? DueDays = null,
    bool? DueForWards = null);

/// <summary>The plausible range of an indicator's values; either end may be open.</summary>
/// <param name="Min">The smallest plausible value; null or absent: no lower bound.</param>
/// <param name="Max">The largest plausible value; null or absent: no upper bound. At least <c>min</c>.</param>
public sealed record IndicatorBounds(decimal? Min = null, decimal? Max = null);

/// <summary>An indicator's disclosure policy, as sent.</summary>
/// <param name="Rule"><c>none</c>, <c>nhs_small_numbers</c> or <c>suppress_below</c>.</param>
/// <param name="Threshold">For <c>suppress_below</c> (and only for it): the smallest value published, 2–1,000; e.g. 5 (the default)
/// withholds 1–4.</param>
/// <param name="AppliesTo"><c>below_partnership</c> (the default: wards and other areas inside the partnership's own area; the
/// partnership's own figure is published as it is) or <c>all_areas</c> (the partnership's own figure too).</param>
public sealed record DisclosureInput([property: RequiredInRequest] DisclosureRule? Rule, int? Threshold = null, DisclosureScope? AppliesTo = null)
{
    public const int DefaultThreshold = 5;
}

/// <summary>A break in an indicator's series.</summary>
/// <param name="Period">The first period of the indicator's frequency whose values are not comparable with earlier ones, e.g.
/// <c>2024-02</c>.</param>
/// <param name="Reason">Why, in plain words, e.g. "The Met moved crime recording to CONNECT"; 1–1,000 characters.</param>
public sealed record BreakInput([property: RequiredInRequest] string? Period, [property: RequiredInRequest] string? Reason);

/// <summary>A break in an indicator's series: values from its period on are not comparable with earlier ones.</summary>
/// <param name="Period">Canonical period of the first value after the break.</param>
/// <param name="Reason">Why the series breaks there.</param>
public sealed record SeriesBreak(string Period, string Reason);

/// <summary>One point of a target trajectory.</summary>
/// <param name="Area">The GSS code of a registered area of the partnership; omitted: the partnership's own area.</param>
/// <param name="Period">A period of the indicator's frequency, e.g. <c>2025-03</c>: the target holds from this period until the area's next
/// one.</param>
/// <param name="Value">The target value; it must suit the unit (a count is a non-negative whole number, a percent 0–100).</param>
public sealed record TargetInput(string? Area, [property: RequiredInRequest] string? Period, [property: RequiredInRequest] decimal? Value);

/// <summary>One point of an indicator's target trajectory: from its period until the area's next one, the area's values are judged
/// against it.</summary>
/// <param name="Area">ONS GSS code of the area the target is for.</param>
/// <param name="Period">Canonical period from which it holds.</param>
/// <param name="Value">The target value, in the indicator's unit.</param>
public sealed record Target(string Area, string Period, decimal Value);

/// <summary>A value at a canonical period.</summary>
/// <param name="Value">The value, in the indicator's unit.</param>
/// <param name="Period">Canonical period: <c>2024-06</c>, <c>2024-Q2</c>, <c>2024</c> or <c>2024-25</c>.</param>
public sealed record PeriodValueOut(decimal Value, string Period);

/// <summary>An indicator (a KPI) of the partnership.</summary>
/// <param name="Code">Partners' code for it, e.g. <c>ROB-PERSONAL</c>; the batch push names indicators by it.</param>
/// <param name="Name">Display name.</param>
/// <param name="Description">Longer text (definition, source); null when not set.</param>
/// <param name="Unit">What a value measures.</param>
/// <param name="Direction">Which way is better.</param>
/// <param name="Frequency">The period type of its observations.</param>
/// <param name="SourceAgencyId">The agency whose clients may push its observations.</param>
/// <param name="PriorityIds">Priorities it measures (empty when none).</param>
/// <param name="Baseline">Where it started. Absent when not set.</param>
/// <param name="Target">Deprecated: read <c>targets</c>. The partnership-area target of the latest period. Absent when there is none.</param>
/// <param name="Targets">The target trajectory: one value per (area, period), by area then period (empty when none).</param>
/// <param name="NearTolerancePercent">How close to its target (in % of the target) a value that misses it counts as <c>near</c>.</param>
/// <param name="Definition">What it counts, in plain words; null when not given.</param>
/// <param name="SourceSystem">Where its figures come from, e.g. <c>CONNECT</c>; null when not given.</param>
/// <param name="Breaks">Breaks in the series, by period (empty when none): a comparison across one is <c>comparable: false</c>.</param>
/// <param name="Disclosure">How its small numbers are published below the partnership's own area.</param>
/// <param name="Bounds">The plausible range of a value (a pushed value outside it is warned about); absent when none.</param>
/// <param name="OutlierThreshold">The modified z-score above which a pushed value is warned about as an outlier; 0: not checked.</param>
/// <param name="LargeChangePercent">The change from the previous period (in %) above which a pushed value is warned about; null: not
/// checked.</param>
/// <param name="DueDays">Days after a period ends by which its value is due; null: not chased.</param>
/// <param name="DueForWards">True when a value is also due for each ward, not only for the partnership's area.</param>
public sealed record Indicator(Guid Id, string Code, string Name, string? Description, IndicatorUnit Unit, IndicatorDirection Direction,
    IndicatorFrequency Frequency, Guid SourceAgencyId, IReadOnlyList<Guid> PriorityIds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PeriodValueOut? Baseline,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), DeprecatedInContract] PeriodValueOut? Target,
    IReadOnlyList<Target> Targets, decimal NearTolerancePercent, string? Definition, string? SourceSystem, IReadOnlyList<SeriesBreak> Breaks,
    DisclosurePolicy Disclosure,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IndicatorBounds? Bounds, decimal OutlierThreshold,
    decimal? LargeChangePercent, int? DueDays, bool DueForWards,
    [property: WithheldFromPublic] long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : Audit.IVersioned;

/// <summary>The latest value against the area's target for its period, by direction: <c>on_target</c> when it meets it, <c>near</c>
/// within the indicator's <c>nearTolerancePercent</c> of it (10% by default), else <c>off_target</c>; <c>no_target</c> when the area
/// has no target (another area's target, such as the borough's for a ward, is never used).</summary>
[JsonConverter(typeof(StringEnumConverter<PerformanceStatus>))]
public enum PerformanceStatus
{
    [JsonStringEnumMemberName("on_target")] OnTarget,
    [JsonStringEnumMemberName("near")] Near,
    [JsonStringEnumMemberName("off_target")] OffTarget,
    [JsonStringEnumMemberName("no_target")] NoTarget,
}

/// <summary>The latest value against the previous period's, by direction: <c>stable</c> within 1%, else <c>improving</c> or
/// <c>worsening</c>; <c>unknown</c> when a break in the series lies between them (the two are not comparable).</summary>
[JsonConverter(typeof(StringEnumConverter<PerformanceTrend>))]
public enum PerformanceTrend
{
    [JsonStringEnumMemberName("improving")] Improving,
    [JsonStringEnumMemberName("stable")] Stable,
    [JsonStringEnumMemberName("worsening")] Worsening,
    [JsonStringEnumMemberName("unknown")] Unknown,
}

/// <summary>A value at a period, as used by performance.</summary>
/// <param name="Period">Canonical period.</param>
/// <param name="Value">The observation's value, in the indicator's unit; null in a public answer when disclosure control withholds it.</param>
/// <param name="Status"><c>provisional</c> or <c>final</c>.</param>
/// <param name="Comparable">On a value the latest is compared with (previous, same period last year): false when a break in the series
/// lies between them, so the difference says nothing; true otherwise. Absent on the latest value itself.</param>
/// <param name="Suppressed">True in a public answer when disclosure control withholds the value; absent otherwise.</param>
public sealed record PeriodPoint(string Period, decimal? Value, ObservationStatus Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Comparable = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Suppressed = null);

/// <summary>How an indicator is doing in one area, computed from its observations and target.</summary>
/// <param name="IndicatorId">The indicator.</param>
/// <param name="Code">The indicator's code.</param>
/// <param name="Area">ONS GSS code of the area the figures are for.</param>
/// <param name="AreaName">The area's name; null when the area is not registered.</param>
/// <param name="Direction">Which way is better (from the indicator).</param>
/// <param name="Unit">What the values measure (from the indicator).</param>
/// <param name="Latest">The most recent observation.</param>
/// <param name="Previous">The observation of the period before the latest.</param>
/// <param name="SamePeriodLastYear">The observation of the same period a year before the latest.</param>
/// <param name="Target">The area's target for the latest period: its own, or the nearest earlier one of the area's trajectory (before the
/// trajectory starts, its first). Absent when the area has no target.</param>
/// <param name="Status">Latest against target, by direction; <c>near</c> is within the indicator's <c>nearTolerancePercent</c> of the target;
/// <c>no_target</c> when the area has none. Absent without a latest value, and in a public answer when the latest value is suppressed.</param>
/// <param name="Trend">Latest against the previous period, by direction (<c>stable</c> within 1%); <c>unknown</c> when a break in the
/// series lies between them. Absent without both, and in a public answer when either is suppressed.</param>
/// <remarks>Parts that cannot be known (no data, no target) are absent.</remarks>
public sealed record Performance(Guid IndicatorId, string Code, string Area, string? AreaName, IndicatorDirection Direction, IndicatorUnit Unit,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PeriodPoint? Latest,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PeriodPoint? Previous,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PeriodPoint? SamePeriodLastYear,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PeriodValueOut? Target,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PerformanceStatus? Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PerformanceTrend? Trend)
{
    /// <summary>In a public answer, the disclosure rule (and its version) applied to the values compared; absent when none was.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DisclosureApplied? Disclosure { get; init; }
}
