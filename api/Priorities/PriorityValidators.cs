using Csp.Api.Infrastructure;
using FluentValidation;

namespace Csp.Api.Priorities;

public sealed class PriorityRequestValidator : AbstractValidator<PriorityRequest>
{
    public PriorityRequestValidator()
    {
        RuleFor(x => x.Code).ValidCode();
        RuleFor(x => x.Title).ValidName();
        RuleFor(x => x.Description).ValidText();
        RuleFor(x => x.Position).InclusiveBetween(1, 10_000);
    }
}
