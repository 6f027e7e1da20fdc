using Csp.Api.Infrastructure;
using FluentValidation;

namespace Csp.Api.Quality;

public sealed class ValidationRuleRequestValidator : AbstractValidator<ValidationRuleRequest>
{
    public const int DescriptionMax = 1000;

    public ValidationRuleRequestValidator()
    {
        RuleFor(x => x.Code).ValidCode();
        RuleFor(x => x.Description).MaximumLength(DescriptionMax);
        RuleFor(x => x.Left).Must(l => RuleExpression.Parse(l) is not null)
            .WithMessage($"'left' is an indicator code or a sum of at most {RuleExpression.MaxCodes} of them, e.g. KNIFE-INJURY or A + B.");
        RuleFor(x => x.MissingValue).IsInEnum();
        RuleFor(x => x.Aggregate).IsInEnum();
        RuleFor(x => x.Operator).NotNull().WithMessage("'operator' is required.").IsInEnum();
        RuleFor(x => x.Right).Must(r => RuleExpression.Parse(r) is not null)
            .WithMessage($"'right' is an indicator code or a sum of at most {RuleExpression.MaxCodes} of them, e.g. KNIFE-CRIME or A + B.");
    }
}
