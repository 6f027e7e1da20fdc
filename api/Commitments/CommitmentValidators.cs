using Csp.Api.Infrastructure;
using FluentValidation;

namespace Csp.Api.Commitments;

public sealed class CommitmentRequestValidator : AbstractValidator<CommitmentRequest>
{
    public CommitmentRequestValidator()
    {
        RuleFor(x => x.Code).ValidCode();
        RuleFor(x => x.Title).ValidName();
        RuleFor(x => x.Description).ValidText();
        RuleFor(x => x.PartnerAgencyIds).Must(ids => ids!.Count <= 50 && ids.Distinct().Count() == ids.Count)
            .When(x => x.PartnerAgencyIds is not null).WithMessage("'partnerAgencyIds' must list at most 50 agencies, each once.");
        RuleFor(x => x.DueDate).GreaterThanOrEqualTo(x => x.StartDate)
            .When(x => x.StartDate is not null && x.DueDate is not null)
            .WithMessage("'dueDate' must be on or after 'startDate'.");
    }
}

public sealed class CommitmentUpdateRequestValidator : AbstractValidator<CommitmentUpdateRequest>
{
    public CommitmentUpdateRequestValidator()
    {
        RuleFor(x => x.Status).NotNull().IsInEnum();
        RuleFor(x => x.Commentary).NotEmpty().MaximumLength(ValidationRules.TextMax);
    }
}
