namespace Csp.Api.Alignments;

/// <summary>Align one priority, commitment or indicator (exactly one) to a framework outcome.</summary>
/// <param name="OutcomeId">The framework outcome.</param>
/// <param name="PriorityId">A priority to align (or send commitmentId or indicatorId instead).</param>
/// <param name="CommitmentId">A commitment to align.</param>
/// <param name="IndicatorId">An indicator to align.</param>
/// <param name="Rationale">Why it contributes to the outcome, in the officer's words.</param>
public sealed record AlignmentRequest(Guid? OutcomeId, Guid? PriorityId, Guid? CommitmentId, Guid? IndicatorId, string Rationale);

/// <summary>A priority, commitment or indicator aligned to a framework outcome. Exactly one of the three target ids is set.</summary>
/// <param name="FrameworkId">The framework (version) the outcome belongs to.</param>
/// <param name="OutcomeCode">The outcome's code, for display.</param>
/// <param name="OutcomeTitle">The outcome's title, for display.</param>
public sealed record Alignment(Guid Id, Guid OutcomeId, Guid FrameworkId, string OutcomeCode, string OutcomeTitle,
    Guid? PriorityId, Guid? CommitmentId, Guid? IndicatorId, string Rationale, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    : Audit.IVersioned
{
    public string TargetType => PriorityId is not null ? "priority" : CommitmentId is not null ? "commitment" : "indicator";
}
