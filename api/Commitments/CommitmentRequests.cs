using System.Text.Json.Serialization;

namespace Csp.Api.Commitments;

[JsonConverter(typeof(CommitmentStatusConverter))]
public enum CommitmentStatus
{
    [JsonStringEnumMemberName("not_started")] NotStarted,
    [JsonStringEnumMemberName("on_track")] OnTrack,
    [JsonStringEnumMemberName("at_risk")] AtRisk,
    [JsonStringEnumMemberName("off_track")] OffTrack,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
}

/// <summary>Statuses are read by name only. The default converter also takes the numbers 0–5 and maps them by
/// declaration order, which the contract does not promise and a reordering would silently change.</summary>
public sealed class CommitmentStatusConverter() : JsonStringEnumConverter<CommitmentStatus>(namingPolicy: null, allowIntegerValues: false);

/// <summary>Create or replace a commitment (an action) of a priority.</summary>
/// <param name="Code">e.g. <c>P1-C1</c>; unique within the priority.</param>
/// <param name="Title">What the partnership commits to do.</param>
/// <param name="Description">Optional longer text.</param>
/// <param name="LeadAgencyId">The agency accountable for it.</param>
/// <param name="PartnerAgencyIds">Agencies that contribute.</param>
/// <param name="StartDate">When work starts.</param>
/// <param name="DueDate">When it is due (on or after the start).</param>
public sealed record CommitmentRequest(string Code, string Title, string? Description, Guid? LeadAgencyId,
    IReadOnlyList<Guid>? PartnerAgencyIds, DateOnly? StartDate, DateOnly? DueDate);

/// <summary>Record progress: appended to the history, never overwritten.</summary>
/// <param name="Status">The commitment's status as of this update.</param>
/// <param name="Commentary">What happened, in the officer's words.</param>
public sealed record CommitmentUpdateRequest(CommitmentStatus? Status, string Commentary);

/// <summary>One entry of a commitment's progress history.</summary>
/// <param name="ClientId">The client that recorded it (absent for the operator key).</param>
public sealed record CommitmentUpdate(Guid Id, Guid CommitmentId, CommitmentStatus Status, string Commentary, Guid? ClientId, DateTimeOffset CreatedAt)
    : Audit.IEntity;

/// <summary>A commitment with its current status (that of its latest update) and that update.</summary>
public sealed record Commitment(Guid Id, Guid PriorityId, string Code, string Title, string? Description, Guid? LeadAgencyId,
    IReadOnlyList<Guid> PartnerAgencyIds, DateOnly? StartDate, DateOnly? DueDate, CommitmentStatus Status,
    CommitmentUpdate? LatestUpdate, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : Audit.IVersioned;
