using System.ComponentModel;
using System.Text.Json.Serialization;
using Csp.Api.Infrastructure;

namespace Csp.Api.Quality;

/// <summary>The defaults of an indicator's quality checks.</summary>
public static class QualityDefaults
{
    /// <summary>The modified z-score above which a value is an outlier (Iglewicz and Hoaglin's 3.5).</summary>
    public const decimal OutlierThreshold = 3.5m;

    /// <summary>How many earlier periods of the same area a value is compared with.</summary>
    public const int OutlierWindow = 24;

    /// <summary>The fewest earlier values the outlier check needs.</summary>
    public const int OutlierMinimum = 6;
}

/// <summary>
/// Why a pushed value looks doubtful; stable, for programs. A warning never rejects a row (unless the push asks
/// <c>failOn=warnings</c>). <c>outside_bounds</c>: the value lies outside the indicator's <c>bounds</c>. <c>outlier</c>: its modified
/// z-score against the same area's last 24 periods (at least 6 of them) exceeds the indicator's <c>outlierThreshold</c>.
/// <c>large_change</c>: it differs from the area's previous period by more than the indicator's <c>largeChangePercent</c>.
/// <c>rule_violation</c>: with the values of its period and area (as the push leaves them), a validation rule does not hold.
/// </summary>
[JsonConverter(typeof(StringEnumConverter<WarningCode>))]
public enum WarningCode
{
    [JsonStringEnumMemberName("outside_bounds")] OutsideBounds,
    [JsonStringEnumMemberName("outlier")] Outlier,
    [JsonStringEnumMemberName("large_change")] LargeChange,
    [JsonStringEnumMemberName("rule_violation")] RuleViolation,
}

/// <summary>A doubt about a row of a push: the row is kept (unless the push sent <c>failOn=warnings</c>).</summary>
/// <param name="Index">The row's position in <c>observations</c>, from 0.</param>
/// <param name="Code">What looks wrong, for programs.</param>
/// <param name="Message">For people: the value, what it was compared with and why it is doubtful.</param>
/// <param name="Expected">What a plausible value would be, where one can be said: the nearest bound (<c>outside_bounds</c>), the median
/// of the earlier periods (<c>outlier</c>), the previous period's value (<c>large_change</c>), or the other side of the rule
/// (<c>rule_violation</c>). Absent otherwise.</param>
/// <param name="Rule">The code of the validation rule that does not hold (<c>rule_violation</c> only).</param>
public sealed record ObservationWarning(int Index, WarningCode Code, string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] decimal? Expected = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Rule = null);

/// <summary>The push's <c>failOn</c>: <c>warnings</c> rejects every row with a warning (each warning becomes a conflict with the same
/// code). Bound from the query by its text; anything else is a 400.</summary>
public readonly record struct PushFailOn(string Text) : IParsable<PushFailOn>
{
    public static readonly PushFailOn Warnings = new("warnings");

    public static PushFailOn Parse(string s, IFormatProvider? provider) =>
        TryParse(s, provider, out var result) ? result : throw new FormatException("failOn is 'warnings'.");

    public static bool TryParse(string? s, IFormatProvider? provider, out PushFailOn result)
    {
        result = Warnings;
        return s == Warnings.Text;
    }

    public override string ToString() => Text;
}

/// <summary>How a validation rule compares its left side with its right side.</summary>
[JsonConverter(typeof(StringEnumConverter<RuleOperator>))]
public enum RuleOperator
{
    [JsonStringEnumMemberName("equal_to")] EqualTo,
    [JsonStringEnumMemberName("not_equal_to")] NotEqualTo,
    [JsonStringEnumMemberName("less_than")] LessThan,
    [JsonStringEnumMemberName("less_than_or_equal_to")] LessThanOrEqualTo,
    [JsonStringEnumMemberName("greater_than")] GreaterThan,
    [JsonStringEnumMemberName("greater_than_or_equal_to")] GreaterThanOrEqualTo,
}

/// <summary>
/// What a rule does when values are missing (as DHIS2's validation rules do): <c>skip_if_any_missing</c> evaluates only when every
/// indicator it names has a value; <c>skip_if_all_missing</c> evaluates when at least one has, counting the missing ones as 0;
/// <c>never_skip</c> always evaluates, counting missing values as 0.
/// </summary>
[JsonConverter(typeof(StringEnumConverter<MissingValueStrategy>))]
public enum MissingValueStrategy
{
    [JsonStringEnumMemberName("skip_if_any_missing")] SkipIfAnyMissing,
    [JsonStringEnumMemberName("skip_if_all_missing")] SkipIfAllMissing,
    [JsonStringEnumMemberName("never_skip")] NeverSkip,
}

/// <summary>What a rule compares: <c>none</c>, its left side with its right side in the same area; <c>children_sum_equals_parent</c>, for
/// each area with registered areas inside it (e.g. the borough and its wards), the left side summed over the areas inside it (those
/// valid during the period) with the right side in the area itself (with the same indicator on both sides and <c>equal_to</c>: the wards
/// add up to the borough).</summary>
[JsonConverter(typeof(StringEnumConverter<RuleAggregate>))]
public enum RuleAggregate
{
    [JsonStringEnumMemberName("none")] None,
    [JsonStringEnumMemberName("children_sum_equals_parent")] ChildrenSumEqualsParent,
}

/// <summary>Add a validation rule: a comparison that must hold between indicators' values of the same period and area, or an
/// aggregate across areas.</summary>
/// <param name="Code">Its code, unique in the partnership, e.g. <c>KNIFE-INJURY-LE-KNIFE</c>; 1–32 upper-case letters, digits or
/// hyphens.</param>
/// <param name="Description">What it checks, in plain words; at most 1,000 characters.</param>
/// <param name="Left">An indicator code, or a sum of them (<c>A + B</c>), e.g. <c>KNIFE-INJURY</c>; at most 20 codes, all of
/// one frequency (with <c>right</c>'s).</param>
/// <param name="Operator">How left compares with right.</param>
/// <param name="Right">An indicator code or a sum of them, e.g. <c>KNIFE-CRIME</c>.</param>
/// <param name="Aggregate"><c>children_sum_equals_parent</c>: the left side summed over the areas inside an area is compared with the
/// right side in that area (<c>left: ROB-PERSONAL, operator: equal_to, right: ROB-PERSONAL</c>: the wards add up to the borough).
/// Omitted or <c>none</c>: both sides in the same area.</param>
/// <param name="MissingValue">What to do when values are missing; default <c>skip_if_any_missing</c>.</param>
public sealed record ValidationRuleRequest(string Code, string? Description, [property: Infrastructure.OpenApi.RequiredInRequest] string? Left,
    [property: Infrastructure.OpenApi.RequiredInRequest] RuleOperator? Operator, [property: Infrastructure.OpenApi.RequiredInRequest] string? Right,
    RuleAggregate? Aggregate = null, MissingValueStrategy? MissingValue = null);

/// <summary>A validation rule of the partnership, checked on every push for the values it touches, and on demand
/// (<c>/validation-rules/violations</c>).</summary>
/// <param name="Id">The rule's id.</param>
/// <param name="Code">Its code, unique in the partnership.</param>
/// <param name="Description">What it checks; null when not given.</param>
/// <param name="Left">The left side: an indicator code or a sum of them, as <c>A + B</c>.</param>
/// <param name="Operator">How left compares with right.</param>
/// <param name="Right">The right side: an indicator code or a sum of them.</param>
/// <param name="Aggregate">The aggregate it checks; <c>none</c> for a comparison.</param>
/// <param name="MissingValue">What it does when values are missing.</param>
/// <param name="Version">Increases on each change.</param>
/// <param name="CreatedAt">When it was added (UTC).</param>
/// <param name="UpdatedAt">When it last changed (UTC).</param>
public sealed record ValidationRule(Guid Id, string Code, string? Description, string Left, RuleOperator Operator, string Right,
    RuleAggregate Aggregate, MissingValueStrategy MissingValue, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    : Audit.IVersioned;

/// <summary>A place where a validation rule does not hold.</summary>
/// <param name="RuleId">The rule's id.</param>
/// <param name="Rule">The rule's code.</param>
/// <param name="Period">Canonical period.</param>
/// <param name="Area">ONS GSS code of the area (for an aggregate rule, the area whose inner areas do not add up to it).</param>
/// <param name="LeftValue">The left side's value (for an aggregate rule, its sum over the inner areas).</param>
/// <param name="RightValue">The right side's value (for an aggregate rule, in the area itself).</param>
/// <param name="Message">For people.</param>
public sealed record RuleViolation(Guid RuleId, string Rule, string Period, string Area, decimal LeftValue, decimal RightValue, string Message);

/// <summary>The violations list's filters.</summary>
public readonly record struct ViolationQuery(
    [property: Description("Only this period (e.g. 2024-06).")] string? Period,
    [property: Description("Periods starting on or after this period's start (or this date, yyyy-MM-dd).")] string? From,
    [property: Description("Periods ending on or before this period's end (or this date, yyyy-MM-dd).")] string? To,
    [property: Description("Page size, 1–200 (default 50).")] int? Limit,
    [property: Description("The nextCursor of the previous page.")] string? Cursor);
