using Csp.Api.Infrastructure;

namespace Csp.Api.Alignments;

/// <summary>Align one priority, commitment or indicator (exactly one) to a framework outcome.</summary>
/// <param name="OutcomeId">The framework outcome (its id) the target contributes to.</param>
/// <param name="PriorityId">A priority to align. Send exactly one of priorityId, commitmentId and indicatorId.</param>
/// <param name="CommitmentId">A commitment to align. Send exactly one of priorityId, commitmentId and indicatorId.</param>
/// <param name="IndicatorId">An indicator to align. Send exactly one of priorityId, commitmentId and indicatorId.</param>
/// <param name="Rationale">Why it contributes to the outcome, in the officer's words; 1–4,000 characters.</param>
public sealed record AlignmentRequest(Guid? OutcomeId, Guid? PriorityId, Guid? CommitmentId, Guid? IndicatorId, string Rationale);

/// <summary>A priority, commitment or indicator aligned to a framework outcome. Exactly one of the three target ids is set.</summary>
/// <param name="OutcomeId">The framework outcome the target contributes to.</param>
/// <param name="FrameworkId">The framework (version) the outcome belongs to.</param>
/// <param name="OutcomeCode">The outcome's code, for display.</param>
/// <param name="OutcomeTitle">The outcome's title, for display.</param>
/// <param name="PriorityId">The aligned priority; null when the target is a commitment or an indicator.</param>
/// <param name="CommitmentId">The aligned commitment; null when the target is a priority or an indicator.</param>
/// <param name="IndicatorId">The aligned indicator; null when the target is a priority or a commitment.</param>
/// <param name="Rationale">Why the target contributes to the outcome, in the officer's words.</param>
public sealed record Alignment(Guid Id, Guid OutcomeId, Guid FrameworkId, string OutcomeCode, string OutcomeTitle,
    Guid? PriorityId, Guid? CommitmentId, Guid? IndicatorId, string Rationale, [property: WithheldFromPublic] long Version, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
    : Audit.IVersioned
{
    /// <summary>What is aligned: <c>priority</c>, <c>commitment</c> or <c>indicator</c> (whichever id is set).</summary>
    public string TargetType => PriorityId is not null ? "priority" : CommitmentId is not null ? "commitment" : "indicator";
}
