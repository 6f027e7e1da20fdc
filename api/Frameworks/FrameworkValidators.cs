using Csp.Api.Infrastructure;
using FluentValidation;

namespace Csp.Api.Frameworks;

internal static class FrameworkRules
{
    public const int UrlMax = 2000;

    // Uri.TryCreate trims surrounding whitespace and control characters: the text itself, which is what is stored, must have none.
    public static bool IsWebUrl(string? url) =>
        url is null || (url.All(c => c > ' ' && !char.IsControl(c)) && Uri.TryCreate(url, UriKind.Absolute, out var uri)
                        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp));

    public static void ValidUrl<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(UrlMax).Must(IsWebUrl).WithMessage("'{PropertyName}' must be an absolute http or https URL.");
}

public sealed class FrameworkRequestValidator : AbstractValidator<FrameworkRequest>
{
    public FrameworkRequestValidator()
    {
        RuleFor(x => x.Code).ValidCode();
        RuleFor(x => x.Title).ValidName();
        RuleFor(x => x.Publisher).MaximumLength(ValidationRules.NameMax);
        RuleFor(x => x.Url).ValidUrl();
    }
}

public sealed class FrameworkVersionRequestValidator : AbstractValidator<FrameworkVersionRequest>
{
    public FrameworkVersionRequestValidator()
    {
        RuleFor(x => x.Title).ValidName();
        RuleFor(x => x.Publisher).MaximumLength(ValidationRules.NameMax);
        RuleFor(x => x.Url).ValidUrl();
    }
}

public sealed class OutcomeRequestValidator : AbstractValidator<OutcomeRequest>
{
    public OutcomeRequestValidator()
    {
        RuleFor(x => x.Code).ValidCode();
        RuleFor(x => x.Title).ValidName();
        RuleFor(x => x.Description).ValidText();
        RuleFor(x => x.Position).InclusiveBetween(1, 10_000);
    }
}
