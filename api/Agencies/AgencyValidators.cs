using Csp.Api.Infrastructure;
using FluentValidation;

namespace Csp.Api.Agencies;

public sealed class AgencyRequestValidator : AbstractValidator<AgencyRequest>
{
    public AgencyRequestValidator()
    {
        RuleFor(x => x.Code).ValidCode();
        RuleFor(x => x.Name).ValidName();
        RuleFor(x => x.Kind).NotNull().IsInEnum();
    }
}
