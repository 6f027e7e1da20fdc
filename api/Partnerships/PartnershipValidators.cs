using Csp.Api.Infrastructure;
using FluentValidation;

namespace Csp.Api.Partnerships;

public sealed class PartnershipRequestValidator : AbstractValidator<PartnershipRequest>
{
    public const string SlugPattern = "^[a-z0-9][a-z0-9-]{1,62}$";
    public const string AreaPattern = @"^[EWSN]\d{8}$";

    public PartnershipRequestValidator()
    {
        RuleFor(x => x.Slug).NotEmpty().Matches(SlugPattern)
            .WithMessage("'Slug' must be 2–63 lower-case letters, digits or hyphens.");
        RuleFor(x => x.Name).ValidName();
        RuleFor(x => x.AreaCode).NotEmpty().Matches(AreaPattern).WithMessage("'Area Code' must be an ONS GSS code such as E09000028.");
    }
}

public sealed class PartnershipUpdateValidator : AbstractValidator<PartnershipUpdate>
{
    public PartnershipUpdateValidator()
    {
        RuleFor(x => x.Name).ValidName();
        RuleFor(x => x.AreaCode).NotEmpty().Matches(PartnershipRequestValidator.AreaPattern)
            .WithMessage("'Area Code' must be an ONS GSS code such as E09000028.");
    }
}
