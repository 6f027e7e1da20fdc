namespace Csp.Api.Priorities;

/// <summary>Create or replace a priority of a plan.</summary>
/// <param name="Code">e.g. <c>P1</c>; unique within the plan.</param>
/// <param name="Title">e.g. "Tackling VAWG and promoting women's safety".</param>
/// <param name="Description">Optional longer text.</param>
/// <param name="LeadAgencyId">The agency that leads it.</param>
/// <param name="Position">Order in the plan (1 = first); defaults to after the last one.</param>
public sealed record PriorityRequest(string Code, string Title, string? Description, Guid? LeadAgencyId, long? Position);

/// <summary>A priority of a plan.</summary>
public sealed record Priority(Guid Id, Guid PlanId, string Code, string Title, string? Description, Guid? LeadAgencyId,
    long Position, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : Audit.IVersioned;
