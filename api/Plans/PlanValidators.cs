using Csp.Api.Frameworks;
using Csp.Api.Infrastructure;
using FluentValidation;

namespace Csp.Api.Plans;

public sealed class PlanRequestValidator : AbstractValidator<PlanRequest>
{
    public PlanRequestValidator()
    {
        RuleFor(x => x.Title).ValidName();
        RuleFor(x => x.PeriodStart).NotNull();
        // The condition guards only the order check: a missing end is reported even when the start is missing too.
        RuleFor(x => x.PeriodEnd).NotNull()
            .GreaterThanOrEqualTo(x => x.PeriodStart).When(x => x.PeriodStart is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("'periodEnd' must be on or after 'periodStart'.");
        RuleFor(x => x.Summary).MaximumLength(MaxText).WithMessage($"'summary' is at most {MaxText:N0} characters.");
        RuleFor(x => x.AssessmentFindings).MaximumLength(MaxText).WithMessage($"'assessmentFindings' is at most {MaxText:N0} characters.");
    }

    public const int MaxText = 8000;
}

public sealed class PlanApprovalRequestValidator : AbstractValidator<PlanApprovalRequest>
{
    public PlanApprovalRequestValidator(TimeProvider clock)
    {
        RuleFor(x => x.ApprovedBy).ValidName();
        RuleFor(x => x.ApprovedOn).NotNull()
            .Must(d => d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)).When(x => x.ApprovedOn is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("'approvedOn' is the date of the meeting that approved the plan, which cannot be after today.");
        RuleFor(x => x.MinuteUrl).ValidUrl();
    }
}
