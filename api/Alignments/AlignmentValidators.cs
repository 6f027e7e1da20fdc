using Csp.Api.Infrastructure;
using FluentValidation;

namespace Csp.Api.Alignments;

public sealed class AlignmentRequestValidator : AbstractValidator<AlignmentRequest>
{
    public AlignmentRequestValidator()
    {
        RuleFor(x => x.OutcomeId).NotNull();
        RuleFor(x => x.Rationale).NotEmpty().MaximumLength(ValidationRules.TextMax);
        RuleFor(x => x).Must(x => (x.PriorityId is null ? 0 : 1) + (x.CommitmentId is null ? 0 : 1) + (x.IndicatorId is null ? 0 : 1) == 1)
            .OverridePropertyName("target")
            .WithMessage("Send exactly one of 'priorityId', 'commitmentId' or 'indicatorId'.");
    }
}
