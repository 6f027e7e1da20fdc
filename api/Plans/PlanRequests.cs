using System.Text.Json.Serialization;
using Csp.Api.Commitments;
using Csp.Api.Priorities;

namespace Csp.Api.Plans;

[JsonConverter(typeof(JsonStringEnumConverter<PlanStatus>))]
public enum PlanStatus
{
    [JsonStringEnumMemberName("draft")] Draft,
    [JsonStringEnumMemberName("approved")] Approved,
    [JsonStringEnumMemberName("archived")] Archived,
}

/// <summary>Create or edit a plan.</summary>
/// <param name="Title">e.g. "Southwark Community Safety Partnership Plan 2025–26".</param>
/// <param name="PeriodStart">First day the plan covers.</param>
/// <param name="PeriodEnd">Last day the plan covers (on or after the start).</param>
public sealed record PlanRequest(string Title, DateOnly? PeriodStart, DateOnly? PeriodEnd);

/// <summary>A partnership plan (without its contents; see <see cref="PlanDocument"/>).</summary>
/// <param name="Version">Changes whenever the plan or anything inside it changes; backs the ETag.</param>
public sealed record Plan(Guid Id, string Title, DateOnly PeriodStart, DateOnly PeriodEnd, PlanStatus Status,
    DateOnly? ApprovedOn, string? ApprovedBy, Guid? SupersedesId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    : Audit.IVersioned;

/// <summary>The whole plan in one document: priorities in order, each with its commitments and their latest update.</summary>
public sealed record PlanDocument(Guid Id, string Title, DateOnly PeriodStart, DateOnly PeriodEnd, PlanStatus Status,
    DateOnly? ApprovedOn, string? ApprovedBy, Guid? SupersedesId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<PlanPriority> Priorities);

/// <summary>A priority inside the plan document.</summary>
public sealed record PlanPriority(Guid Id, string Code, string Title, string? Description, Guid? LeadAgencyId, long Position,
    long Version, IReadOnlyList<Commitment> Commitments);
