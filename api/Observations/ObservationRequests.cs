using System.ComponentModel;
using System.Text.Json.Serialization;
using Csp.Api.Infrastructure;

namespace Csp.Api.Observations;

/// <summary>How settled a value is: a <c>provisional</c> value may still change; a <c>final</c> one is not overwritten by a
/// provisional one (except by an admin with <c>force=true</c>).</summary>
[JsonConverter(typeof(StringEnumConverter<ObservationStatus>))]
public enum ObservationStatus
{
    [JsonStringEnumMemberName("provisional")] Provisional,
    [JsonStringEnumMemberName("final")] Final,
}

/// <summary>One value of an indicator for a period and an area.</summary>
/// <param name="Period">Canonical period.</param>
/// <param name="PeriodStart">First day of the period.</param>
/// <param name="PeriodEnd">Last day of the period.</param>
/// <param name="Area">ONS GSS code of the area, e.g. <c>E09000028</c>.</param>
/// <param name="AreaName">The area's name, e.g. "Southwark"; null when the area is not registered (see /areas).</param>
/// <param name="Value">The value, in the indicator's unit. Null only in a public answer, when disclosure control withholds it
/// (<c>suppressed: true</c>); a true zero is 0.</param>
/// <param name="Status"><c>provisional</c> or <c>final</c>; a final value is not overwritten by a provisional one.</param>
/// <param name="Note">The sender's note, e.g. the extract it came from; null when none.</param>
/// <param name="ClientId">The client that sent the current value; null for the operator's platform key.</param>
/// <param name="Version">Increases each time the value, status or note changes (each change keeps a revision).</param>
/// <param name="CreatedAt">When the first value for this period and area arrived (UTC).</param>
/// <param name="UpdatedAt">When the current value arrived (UTC).</param>
public sealed record Observation(string Period, DateOnly PeriodStart, DateOnly PeriodEnd, string Area, string? AreaName, decimal? Value,
    ObservationStatus Status,
    [property: WithheldFromPublic] string? Note, [property: WithheldFromPublic] Guid? ClientId, [property: WithheldFromPublic] long Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>True when disclosure control withholds the value from the public (<c>value</c> is then null). Always false for keyed
    /// readers, who see every value.</summary>
    public bool Suppressed { get; init; }

    /// <summary>The disclosure rule and its version applied to this value in a public answer; absent when none was applied (keyed
    /// readers, an indicator whose rule is <c>none</c>, or the partnership's own area under <c>below_partnership</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Indicators.DisclosureApplied? Disclosure { get; init; }

    /// <summary>True when the partnership's <c>publicRelease.requireSignoff</c> is on and the public does not see this value yet: its
    /// period is not released (not signed off, or before its release time), or the value changed after the period was signed off (the
    /// public sees the value signed off until the period is signed off again).</summary>
    [WithheldFromPublic]
    public bool Embargoed { get; init; }

    /// <summary>True when the value for this period and area was ever changed, or retracted (and sent again): a revision of the
    /// figure exists (see its revisions). A change of status or note alone is not a revision of the figure. Given by an
    /// indicator's observations list; where an observation is embedded elsewhere (a plan's latest observation) it is false.</summary>
    public bool Revised { get; init; }

    /// <summary>When the figure was last revised (UTC): the <c>revisedAt</c> of its latest revision that changed or retracted the
    /// value; null when it never was.</summary>
    public DateTimeOffset? RevisedAt { get; init; }
}

/// <summary>One value as it was sent and stored, named by its indicator's code: a row of the read-back across indicators.</summary>
/// <param name="Indicator">The indicator's code, as a push names it.</param>
/// <param name="IndicatorId">The indicator's id.</param>
/// <param name="Period">Canonical period.</param>
/// <param name="PeriodStart">First day of the period.</param>
/// <param name="PeriodEnd">Last day of the period.</param>
/// <param name="Area">ONS GSS code of the area.</param>
/// <param name="AreaName">The area's name; null when the area is not registered.</param>
/// <param name="Value">The value, in the indicator's unit.</param>
/// <param name="Status"><c>provisional</c> or <c>final</c>.</param>
/// <param name="Note">The sender's note; null when none.</param>
/// <param name="ClientId">The client that sent the current value; null for the operator's platform key.</param>
/// <param name="Version">Increases each time the value, status or note changes (each change keeps a revision).</param>
/// <param name="CreatedAt">When the first value for this period and area arrived (UTC).</param>
/// <param name="UpdatedAt">When the current value arrived (UTC).</param>
public sealed record SentObservation(string Indicator, Guid IndicatorId, string Period, DateOnly PeriodStart, DateOnly PeriodEnd, string Area,
    string? AreaName, decimal Value, ObservationStatus Status, string? Note, Guid? ClientId, long Version, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A change of an observation: the value it replaced (never lost) and the value it became, with who sent each.</summary>
/// <param name="Id">The revision's id.</param>
/// <param name="Period">Canonical period of the observation.</param>
/// <param name="Area">ONS GSS code of the observation's area.</param>
/// <param name="OldValue">The value before the change.</param>
/// <param name="OldStatus">The status before the change.</param>
/// <param name="OldNote">The note before the change; null when none.</param>
/// <param name="OldClientId">The client that had sent the old value; null for the operator's platform key.</param>
/// <param name="OldRecordedAt">When the old value had arrived (UTC).</param>
/// <param name="Retracted">True when the change took the value back (a row with <c>delete: true</c>, or
/// <c>DELETE …/observations/{period}</c>): there is no value since, until one is sent again.</param>
/// <param name="NewValue">The value after the change; null when it was retracted.</param>
/// <param name="NewStatus">The status after the change; null when it was retracted.</param>
/// <param name="NewNote">The note after the change (for a retraction, the note sent with it); null when none.</param>
/// <param name="NewClientId">The client that sent the new value (or the retraction); null for the operator's platform key.</param>
/// <param name="NewClientName">The name of that client; null for the operator's platform key.</param>
/// <param name="Delta">The change of the value, new − old (0 when only the status or note changed); null for a retraction.</param>
/// <param name="Reason">Why the value changed, as the push row (or the retraction) said, e.g. "CONNECT re-extract"; null when none
/// was given.</param>
/// <param name="RevisedAt">When the change was made (UTC).</param>
public sealed record ObservationRevision(Guid Id, string Period, string Area,
    decimal OldValue, ObservationStatus OldStatus, string? OldNote, Guid? OldClientId, DateTimeOffset OldRecordedAt,
    bool Retracted, decimal? NewValue, ObservationStatus? NewStatus, string? NewNote, Guid? NewClientId, string? NewClientName,
    decimal? Delta, string? Reason, DateTimeOffset RevisedAt);

/// <summary>The outcome of a batch push as a whole.</summary>
[JsonConverter(typeof(StringEnumConverter<BatchStatus>))]
public enum BatchStatus
{
    /// <summary>Every row was accepted.</summary>
    [JsonStringEnumMemberName("ok")] Ok,
    /// <summary>Some rows were rejected (see conflicts); the others were kept.</summary>
    [JsonStringEnumMemberName("partial")] Partial,
    /// <summary>Nothing was kept: every row was rejected, or the batch was atomic and had a conflict.</summary>
    [JsonStringEnumMemberName("rejected")] Rejected,
}

/// <summary>One value to upsert on its natural key (indicator, period, area), or with <c>delete: true</c> the stored value to
/// retract.</summary>
/// <param name="Indicator">The indicator's code (e.g. <c>ROB-PERSONAL</c>), not its id. A row without it is rejected
/// (<c>unknown_indicator</c>).</param>
/// <param name="Period">Month <c>2024-06</c> (<c>202406</c>), quarter <c>2024-Q2</c> (<c>2024Q2</c>), year <c>2024</c>, or financial year
/// <c>2024-25</c> (<c>2024April</c>); of the indicator's frequency. A row without a valid one is rejected (<c>invalid_period</c>).</param>
/// <param name="Area">ONS GSS code (<c>^[EWSN][0-9]{8}$</c>); defaults to the partnership's area.</param>
/// <param name="Value">A decimal with at most 6 decimal places and at most 13 digits before the point; a percent is 0–100, a count a
/// non-negative whole number. Zero is a value. A row without one is rejected (<c>invalid_value</c>): send no row for no data. A
/// delete row sends none.</param>
/// <param name="Status">Defaults to <c>provisional</c>. A final value is not overwritten by a provisional one. A delete row sends
/// none.</param>
/// <param name="Note">Optional, e.g. the extract it came from (on a delete row, why the value is taken back); at most 4,000
/// characters.</param>
/// <param name="Delete">True to retract the stored value of (indicator, period, area): it is removed from every read and kept as
/// a revision, and the change feed shows a tombstone naming the indicator, period and area. Retracting a value that is not
/// there changes nothing (<c>unchanged</c>); a <c>final</c> value is retracted only by an admin with <c>force=true</c>
/// (<c>final_value_locked</c>). Omitted or false: an upsert.</param>
/// <param name="Reason">Why the value changed, e.g. "CONNECT re-extract"; kept on the revision; at most 4,000 characters.</param>
public sealed record ObservationInput(string? Indicator, string? Period, string? Area, decimal? Value, ObservationStatus? Status, string? Note,
    bool? Delete = null, string? Reason = null);

/// <summary>The batch push body, modelled on DHIS2's dataValueSets.</summary>
/// <param name="Observations">The rows, at most 10,000 (a larger batch is refused with 413), none of them null. Each row is checked on its
/// own: a row at fault is reported in <c>conflicts</c>, not as a 400.</param>
public sealed record ObservationBatch(IReadOnlyList<ObservationInput>? Observations);

/// <summary>Why a row was rejected.</summary>
/// <param name="Index">The row's position in <c>observations</c>, from 0.</param>
/// <param name="Field">The JSON property at fault.</param>
/// <param name="Code">What is wrong with the row, for programs (see its values).</param>
/// <param name="Message">For people.</param>
public sealed record ObservationConflict(int Index, string Field, ConflictCode Code, string Message);

/// <summary>
/// Why a row of a batch was rejected; stable, for programs. <c>unknown_indicator</c>: no indicator of the partnership has this code
/// (or none was sent). <c>forbidden_indicator</c>: the key is bound to an agency that does not source the indicator.
/// <c>invalid_period</c>: the period is not one (2024-06, 2024-Q2, 2024, 2024-25, or 202406, 2024Q2, 2024April).
/// <c>period_frequency_mismatch</c>: the period is not of the indicator's frequency. <c>future_period</c>: the period starts after
/// today (by the service's clock): a value is for a period that has begun. <c>invalid_area</c>: the area is not an ONS GSS code.
/// <c>area_outside_partnership</c>: a well-formed GSS code that is not one of the partnership's areas (with <c>areaCheck</c>
/// strict). <c>area_not_valid_for_period</c>: the area did not exist during the period (outside its validFrom–validTo, with
/// <c>areaCheck</c> strict). <c>invalid_value</c>: the value is missing or does not suit the unit, the note or reason is too long,
/// or a delete row sends a value or status. <c>duplicate_in_batch</c>: an earlier row of the batch has the same (indicator, period,
/// area). <c>final_value_locked</c>: the stored value is final and the row would replace it with a provisional one or retract
/// it (an admin may, with <c>force=true</c>). Only with <c>failOn=warnings</c>, the row's warning (see
/// <c>WarningCode</c>) as a conflict: <c>outside_bounds</c>: outside the indicator's bounds. <c>outlier</c>: an outlier against the area's
/// earlier periods. <c>large_change</c>: too far from the previous period. <c>rule_violation</c>: a validation rule does not hold.
/// </summary>
[JsonConverter(typeof(StringEnumConverter<ConflictCode>))]
public enum ConflictCode
{
    [JsonStringEnumMemberName("unknown_indicator")] UnknownIndicator,
    [JsonStringEnumMemberName("forbidden_indicator")] ForbiddenIndicator,
    [JsonStringEnumMemberName("invalid_period")] InvalidPeriod,
    [JsonStringEnumMemberName("period_frequency_mismatch")] PeriodFrequencyMismatch,
    [JsonStringEnumMemberName("future_period")] FuturePeriod,
    [JsonStringEnumMemberName("invalid_area")] InvalidArea,
    [JsonStringEnumMemberName("area_outside_partnership")] AreaOutsidePartnership,
    [JsonStringEnumMemberName("area_not_valid_for_period")] AreaNotValidForPeriod,
    [JsonStringEnumMemberName("invalid_value")] InvalidValue,
    [JsonStringEnumMemberName("duplicate_in_batch")] DuplicateInBatch,
    [JsonStringEnumMemberName("final_value_locked")] FinalValueLocked,
    [JsonStringEnumMemberName("outside_bounds")] OutsideBounds,
    [JsonStringEnumMemberName("outlier")] Outlier,
    [JsonStringEnumMemberName("large_change")] LargeChange,
    [JsonStringEnumMemberName("rule_violation")] RuleViolation,
}

/// <summary>What the push did (or, with dryRun, would do). created + updated + deleted + unchanged + rejected = rows sent.</summary>
/// <param name="Status"><c>ok</c>, <c>partial</c> or <c>rejected</c>.</param>
/// <param name="Created">Rows for an (indicator, period, area) that had no value yet.</param>
/// <param name="Updated">Rows that changed a stored value, status or note (the old one is kept as a revision).</param>
/// <param name="Deleted">Delete rows that retracted a stored value (kept as a revision).</param>
/// <param name="Unchanged">Rows equal to the stored value, status and note, and delete rows for a value that is not there: nothing
/// was written for them.</param>
/// <param name="Rejected">Rows not kept: those with a conflict, or every row when the batch was rejected as a whole.</param>
/// <param name="DryRun">True when nothing was written.</param>
/// <param name="Conflicts">Why each faulty row was rejected, in row order; empty when none.</param>
/// <param name="Warnings">Doubts about rows that were kept (outside the indicator's bounds, an outlier, a large change, a broken
/// validation rule), in row order; empty when none. A warning never rejects a row, unless the push sent <c>failOn=warnings</c>, which
/// turns each into a conflict instead.</param>
public sealed record BatchResult(BatchStatus Status, int Created, int Updated, int Deleted, int Unchanged, int Rejected, bool DryRun,
    IReadOnlyList<ObservationConflict> Conflicts, IReadOnlyList<Quality.ObservationWarning> Warnings);

/// <summary>Query options of the batch push.</summary>
public readonly record struct PushOptions(
    [property: Description("Validate and report without writing.")] bool? DryRun,
    [property: Description("Reject the whole batch if any row has a conflict; its writes commit together or not at all.")] bool? Atomic,
    [property: Description("Admin only: let provisional values overwrite final ones, and delete rows retract final ones.")] bool? Force,
    [property: Description("warnings: reject every row that has a warning (outside_bounds, outlier, large_change, rule_violation), as a conflict with the same code.")] Quality.PushFailOn? FailOn = null);
