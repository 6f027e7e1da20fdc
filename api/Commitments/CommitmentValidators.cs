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
    public CommitmentUpdateRequestValidator(TimeProvider clock)
    {
        RuleFor(x => x.Status).NotNull().IsInEnum();
        RuleFor(x => x.Commentary).NotEmpty().MaximumLength(ValidationRules.TextMax);
        RuleFor(x => x.Author).MaximumLength(ValidationRules.NameMax)
            .Must(a => a is null || !string.IsNullOrWhiteSpace(a)).WithMessage("'author' names a person or role; leave it out rather than send it blank.");
        RuleFor(x => x.AsAt).Must(d => d is null || d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime))
            .WithMessage("'asAt' is the date the status describes, which cannot be after today.");
        RuleFor(x => x.PercentComplete).InclusiveBetween(0, 100).WithMessage("'percentComplete' is a whole percent from 0 to 100.");
    }
}
