namespace Csp.Api.Priorities;

/// <summary>Create or replace a priority of a plan.</summary>
/// <param name="Code">e.g. <c>P1</c>; unique within the plan. 1–32 upper-case letters, digits or hyphens, starting with a letter or
/// digit.</param>
/// <param name="Title">e.g. "Tackling VAWG and promoting women's safety"; 1–200 characters.</param>
/// <param name="Description">Optional longer text, at most 4,000 characters.</param>
/// <param name="LeadAgencyId">The agency of this partnership that leads it (optional).</param>
/// <param name="Position">Order in the plan, 1–10,000 (1 = first); omit to place it after the last one.</param>
public sealed record PriorityRequest(string Code, string Title, string? Description, Guid? LeadAgencyId, long? Position);

/// <summary>A priority of a plan.</summary>
/// <param name="PlanId">The plan it belongs to.</param>
/// <param name="Code">e.g. <c>P1</c>; unique within the plan.</param>
/// <param name="Title">What the priority is about.</param>
/// <param name="Description">Longer text; null when not set.</param>
/// <param name="LeadAgencyId">The agency that leads it; null when not set.</param>
/// <param name="Position">Order in the plan (1 = first).</param>
public sealed record Priority(Guid Id, Guid PlanId, string Code, string Title, string? Description, Guid? LeadAgencyId,
    long Position, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : Audit.IVersioned;
