using Csp.Api.Infrastructure;
using FluentValidation;

namespace Csp.Api.Plans;

public sealed class PlanRequestValidator : AbstractValidator<PlanRequest>
{
    public PlanRequestValidator()
    {
        RuleFor(x => x.Title).ValidName();
        RuleFor(x => x.PeriodStart).NotNull();
        RuleFor(x => x.PeriodEnd).NotNull()
            .GreaterThanOrEqualTo(x => x.PeriodStart).When(x => x.PeriodStart is not null)
            .WithMessage("'periodEnd' must be on or after 'periodStart'.");
    }
}
