using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Csp.Api.Observations;

[JsonConverter(typeof(JsonStringEnumConverter<ObservationStatus>))]
public enum ObservationStatus
{
    [JsonStringEnumMemberName("provisional")] Provisional,
    [JsonStringEnumMemberName("final")] Final,
}

/// <summary>One value of an indicator for a period and an area.</summary>
/// <param name="Period">Canonical period.</param>
/// <param name="PeriodStart">First day of the period.</param>
/// <param name="PeriodEnd">Last day of the period.</param>
/// <param name="Area">ONS GSS code.</param>
/// <param name="ClientId">The client that sent the current value (absent for the operator key).</param>
public sealed record Observation(string Period, DateOnly PeriodStart, DateOnly PeriodEnd, string Area, decimal Value, ObservationStatus Status,
    string? Note, Guid? ClientId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A change of an observation: the value it replaced (never lost) and the value it became, with who sent each.</summary>
public sealed record ObservationRevision(Guid Id, string Period, string Area,
    decimal OldValue, ObservationStatus OldStatus, string? OldNote, Guid? OldClientId, DateTimeOffset OldRecordedAt,
    decimal NewValue, ObservationStatus NewStatus, string? NewNote, Guid? NewClientId, DateTimeOffset RevisedAt);

[JsonConverter(typeof(JsonStringEnumConverter<BatchStatus>))]
public enum BatchStatus
{
    /// <summary>Every row was accepted.</summary>
    [JsonStringEnumMemberName("ok")] Ok,
    /// <summary>Some rows were rejected (see conflicts); the others were kept.</summary>
    [JsonStringEnumMemberName("partial")] Partial,
    /// <summary>Nothing was kept: every row was rejected, or the batch was atomic and had a conflict.</summary>
    [JsonStringEnumMemberName("rejected")] Rejected,
}

/// <summary>One value to upsert on its natural key (indicator, period, area).</summary>
/// <param name="Indicator">The indicator's code (e.g. <c>ROB-PERSONAL</c>), not its id.</param>
/// <param name="Period">Month <c>2024-06</c> (<c>202406</c>), quarter <c>2024-Q2</c> (<c>2024Q2</c>), year <c>2024</c>, or financial year <c>2024-25</c> (<c>2024April</c>); of the indicator's frequency.</param>
/// <param name="Area">ONS GSS code (<c>^[EWSN]\d{8}$</c>); defaults to the partnership's area.</param>
/// <param name="Value">Up to 6 decimal places; a percent is 0–100, a count a non-negative whole number. Zero is a value.</param>
/// <param name="Status">Defaults to provisional. A final value is not overwritten by a provisional one.</param>
/// <param name="Note">Optional, e.g. the extract it came from.</param>
public sealed record ObservationInput(string? Indicator, string? Period, string? Area, decimal? Value, ObservationStatus? Status, string? Note);

/// <summary>The batch push body, modelled on DHIS2's dataValueSets.</summary>
/// <param name="Observations">Up to 10,000 rows.</param>
public sealed record ObservationBatch(IReadOnlyList<ObservationInput>? Observations);

/// <summary>Why a row was rejected.</summary>
/// <param name="Index">The row's position in <c>observations</c>, from 0.</param>
/// <param name="Field">The JSON property at fault.</param>
/// <param name="Code">Stable: <c>unknown_indicator</c>, <c>forbidden_indicator</c>, <c>invalid_period</c>, <c>period_frequency_mismatch</c>,
/// <c>invalid_area</c>, <c>invalid_value</c>, <c>duplicate_in_batch</c>, <c>final_value_locked</c>.</param>
/// <param name="Message">For people.</param>
public sealed record ObservationConflict(int Index, string Field, string Code, string Message);

/// <summary>What the push did (or, with dryRun, would do). created + updated + unchanged + rejected = rows sent.</summary>
/// <param name="Unchanged">Rows equal to the stored value, status and note: nothing was written for them.</param>
/// <param name="DryRun">True when nothing was written.</param>
public sealed record BatchResult(BatchStatus Status, int Created, int Updated, int Unchanged, int Rejected, bool DryRun,
    IReadOnlyList<ObservationConflict> Conflicts);

/// <summary>Query options of the batch push.</summary>
public readonly record struct PushOptions(
    [property: Description("Validate and report without writing.")] bool? DryRun,
    [property: Description("Reject the whole batch if any row has a conflict.")] bool? Atomic,
    [property: Description("Admin only: let provisional values overwrite final ones.")] bool? Force);

public static class ConflictCodes
{
    public const string UnknownIndicator = "unknown_indicator";
    public const string ForbiddenIndicator = "forbidden_indicator";
    public const string InvalidPeriod = "invalid_period";
    public const string PeriodFrequencyMismatch = "period_frequency_mismatch";
    public const string InvalidArea = "invalid_area";
    public const string InvalidValue = "invalid_value";
    public const string DuplicateInBatch = "duplicate_in_batch";
    public const string FinalValueLocked = "final_value_locked";
}
