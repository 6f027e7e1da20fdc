using System.Text.Json.Serialization;
using Csp.Api.Infrastructure;

namespace Csp.Api.Commitments;

/// <summary>Where a commitment stands: set by its progress updates (<c>not_started</c> until the first).</summary>
[JsonConverter(typeof(StringEnumConverter<CommitmentStatus>))]
public enum CommitmentStatus
{
    [JsonStringEnumMemberName("not_started")] NotStarted,
    [JsonStringEnumMemberName("on_track")] OnTrack,
    [JsonStringEnumMemberName("at_risk")] AtRisk,
    [JsonStringEnumMemberName("off_track")] OffTrack,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
}


/// <summary>Create or replace a commitment (an action) of a priority.</summary>
/// <param name="Code">e.g. <c>P1-C1</c>; unique within the priority. 1–32 upper-case letters, digits or hyphens, starting with a
/// letter or digit.</param>
/// <param name="Title">What the partnership commits to do; 1–200 characters.</param>
/// <param name="Description">Optional longer text, at most 4,000 characters.</param>
/// <param name="LeadAgencyId">The agency of this partnership accountable for it (optional).</param>
/// <param name="PartnerAgencyIds">Agencies of this partnership that contribute: at most 50, each once. Omitted or null means none.</param>
/// <param name="StartDate">When work starts (optional).</param>
/// <param name="DueDate">When it is due (optional; on or after startDate when both are given).</param>
public sealed record CommitmentRequest(string Code, string Title, string? Description, Guid? LeadAgencyId,
    IReadOnlyList<Guid>? PartnerAgencyIds, DateOnly? StartDate, DateOnly? DueDate);

/// <summary>Record progress: appended to the history, never overwritten.</summary>
/// <param name="Status">The commitment's status as of <c>asAt</c>; it becomes the commitment's status unless an update already recorded
/// describes a later date.</param>
/// <param name="Commentary">What happened, in the officer's words; 1–4,000 characters.</param>
/// <param name="Author">Who reports it: a person's name or role, e.g. "Community Safety Manager"; free text, at most 200 characters.
/// Not the API client, which the audit trail records anyway.</param>
/// <param name="AsAt">The date the status describes, e.g. the end of the quarter reported on; today (by the service's clock) when
/// omitted; not after today.</param>
/// <param name="PercentComplete">How much of the work is done, as a whole percent from 0 to 100; optional.</param>
public sealed record CommitmentUpdateRequest(CommitmentStatus? Status, string Commentary, string? Author = null, DateOnly? AsAt = null,
    int? PercentComplete = null);

/// <summary>One entry of a commitment's progress history.</summary>
/// <param name="CommitmentId">The commitment it reports on.</param>
/// <param name="Status">The commitment's status as of <c>asAt</c>.</param>
/// <param name="Commentary">What happened, in the officer's words.</param>
/// <param name="Author">Who reported it (a person's name or role); null when not given.</param>
/// <param name="AsAt">The date the status describes (for updates recorded before it could be given, the day they were recorded).</param>
/// <param name="PercentComplete">How much of the work was done, 0–100; null when not given.</param>
/// <param name="ClientId">The API client that recorded it; null for the operator's platform key.</param>
/// <param name="CreatedAt">When it was recorded (UTC).</param>
public sealed record CommitmentUpdate(Guid Id, Guid CommitmentId, CommitmentStatus Status, string Commentary, string? Author, DateOnly AsAt,
    int? PercentComplete, [property: WithheldFromPublic] Guid? ClientId, DateTimeOffset CreatedAt) : Audit.IEntity;

/// <summary>A commitment with its current status (that of its latest update) and that update.</summary>
/// <param name="PriorityId">The priority it belongs to.</param>
/// <param name="Code">e.g. <c>P1-C1</c>; unique within the priority.</param>
/// <param name="Title">What the partnership commits to do.</param>
/// <param name="Description">Longer text; null when not set.</param>
/// <param name="LeadAgencyId">The agency accountable for it; null when not set.</param>
/// <param name="PartnerAgencyIds">Agencies that contribute (empty when none).</param>
/// <param name="StartDate">When work starts; null when not set.</param>
/// <param name="DueDate">When it is due; null when not set.</param>
/// <param name="Status">Its current status: that of its latest update, <c>not_started</c> before the first.</param>
/// <param name="LatestUpdate">Its latest progress update: the one describing the latest date (<c>asAt</c>; of two on the same date, the
/// one recorded last); null before the first.</param>
public sealed record Commitment(Guid Id, Guid PriorityId, string Code, string Title, string? Description, Guid? LeadAgencyId,
    IReadOnlyList<Guid> PartnerAgencyIds, DateOnly? StartDate, DateOnly? DueDate, CommitmentStatus Status,
    CommitmentUpdate? LatestUpdate, [property: WithheldFromPublic] long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : Audit.IVersioned;
