using System.Text.Json.Serialization;
using Csp.Api.Commitments;
using Csp.Api.Infrastructure;
using Csp.Api.Priorities;

namespace Csp.Api.Plans;

/// <summary>A plan's life: <c>draft</c> → <c>approved</c> → <c>archived</c>.</summary>
[JsonConverter(typeof(StringEnumConverter<PlanStatus>))]
public enum PlanStatus
{
    [JsonStringEnumMemberName("draft")] Draft,
    [JsonStringEnumMemberName("approved")] Approved,
    [JsonStringEnumMemberName("archived")] Archived,
}

/// <summary>Create or edit a plan.</summary>
/// <param name="Title">e.g. "Southwark Community Safety Partnership Plan 2025–26"; 1–200 characters.</param>
/// <param name="PeriodStart">First day the plan covers.</param>
/// <param name="PeriodEnd">Last day the plan covers (on or after periodStart).</param>
/// <param name="Summary">What the plan sets out to do, in a few paragraphs (blank lines between them); the committee report opens with
/// it. Optional, at most 8,000 characters; a PUT without it clears it.</param>
/// <param name="AssessmentFindings">The strategic assessment's key findings the plan answers, one per line or paragraph. Optional, at most
/// 8,000 characters; a PUT without it clears it.</param>
public sealed record PlanRequest(string Title, DateOnly? PeriodStart, DateOnly? PeriodEnd, string? Summary = null, string? AssessmentFindings = null);

/// <summary>Approve a draft plan: the decision as its minute records it.</summary>
/// <param name="ApprovedBy">The body that decided, e.g. "Southwark Community Safety Partnership Board"; 1–200 characters. Not the API
/// client, which the audit trail records anyway.</param>
/// <param name="ApprovedOn">The date of the meeting that approved it; not after today.</param>
/// <param name="MinuteUrl">Where the minute of that meeting is published: an absolute https or http URL, at most 2,000 characters;
/// optional.</param>
public sealed record PlanApprovalRequest(string ApprovedBy, DateOnly? ApprovedOn, string? MinuteUrl = null);

/// <summary>A partnership plan (without its contents; see <see cref="PlanDocument"/>).</summary>
/// <param name="Title">e.g. "Southwark Community Safety Partnership Plan 2025–26".</param>
/// <param name="PeriodStart">First day the plan covers.</param>
/// <param name="PeriodEnd">Last day the plan covers.</param>
/// <param name="Status"><c>draft</c>, <c>approved</c> or <c>archived</c>.</param>
/// <param name="ApprovedOn">The date of the meeting that approved it; null while a draft.</param>
/// <param name="ApprovedBy">The body that approved it, as the approval named it; null while a draft, and when the approval did not name
/// it.</param>
/// <param name="ApprovalMinuteUrl">Where the minute of the approving meeting is published; null when not given.</param>
/// <param name="SupersedesId">The plan it was refreshed from; null when it was created from scratch.</param>
/// <param name="Version">Changes whenever the plan or anything inside it changes; backs the ETag.</param>
/// <param name="Summary">What the plan sets out to do (plain text, paragraphs separated by blank lines); null when not written.</param>
/// <param name="AssessmentFindings">The strategic assessment's key findings the plan answers (plain text, one per line or paragraph);
/// null when not written.</param>
public sealed record Plan(Guid Id, string Title, DateOnly PeriodStart, DateOnly PeriodEnd, PlanStatus Status,
    DateOnly? ApprovedOn, string? ApprovedBy, Guid? SupersedesId, [property: WithheldFromPublic] long Version, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, string? Summary = null, string? AssessmentFindings = null, string? ApprovalMinuteUrl = null)
    : Audit.IVersioned;

/// <summary>
/// The whole plan in one document: priorities in order, each with its commitments and their latest update; the indicators
/// linked to its priorities with their latest observation and performance; and the alignments of its priorities, commitments
/// and indicators to framework outcomes.
/// </summary>
/// <param name="Title">e.g. "Southwark Community Safety Partnership Plan 2025–26".</param>
/// <param name="PeriodStart">First day the plan covers.</param>
/// <param name="PeriodEnd">Last day the plan covers.</param>
/// <param name="Status"><c>draft</c>, <c>approved</c> or <c>archived</c>.</param>
/// <param name="ApprovedOn">The date of the meeting that approved it; null while a draft.</param>
/// <param name="ApprovedBy">The body that approved it, as the approval named it; null while a draft, and when the approval did not name
/// it.</param>
/// <param name="ApprovalMinuteUrl">Where the minute of the approving meeting is published; null when not given.</param>
/// <param name="SupersedesId">The plan it was refreshed from; null when it was created from scratch.</param>
/// <param name="Version">Changes whenever the plan or anything inside it changes; backs the ETag.</param>
/// <param name="Priorities">The plan's priorities in order (by position), each with its commitments.</param>
/// <param name="Indicators">Indicators linked to any of the plan's priorities (each once), in creation order.</param>
/// <param name="Alignments">Alignments whose target is in the plan, in creation order.</param>
/// <param name="Summary">What the plan sets out to do (plain text, paragraphs separated by blank lines); null when not written.</param>
/// <param name="AssessmentFindings">The strategic assessment's key findings the plan answers (plain text); null when not written.</param>
public sealed record PlanDocument(Guid Id, string Title, DateOnly PeriodStart, DateOnly PeriodEnd, PlanStatus Status,
    DateOnly? ApprovedOn, string? ApprovedBy, Guid? SupersedesId, [property: WithheldFromPublic] long Version, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, IReadOnlyList<PlanPriority> Priorities, IReadOnlyList<Indicators.PlanIndicator> Indicators, IReadOnlyList<Alignments.Alignment> Alignments,
    string? Summary, string? AssessmentFindings, string? ApprovalMinuteUrl);

/// <summary>A priority inside the plan document.</summary>
/// <param name="Code">e.g. <c>P1</c>; unique within the plan.</param>
/// <param name="Title">What the priority is about.</param>
/// <param name="Description">Longer text; null when not set.</param>
/// <param name="LeadAgencyId">The agency that leads it; null when not set.</param>
/// <param name="Position">Order in the plan (1 = first).</param>
/// <param name="Commitments">Its commitments, each with its current status and latest update.</param>
/// <param name="IndicatorIds">The indicators (in the document's <c>indicators</c>) that measure it.</param>
public sealed record PlanPriority(Guid Id, string Code, string Title, string? Description, Guid? LeadAgencyId, long Position,
    [property: WithheldFromPublic] long Version, IReadOnlyList<Commitment> Commitments, IReadOnlyList<Guid> IndicatorIds);
