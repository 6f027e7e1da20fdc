using FluentValidation;

namespace Csp.Api.Infrastructure;

/// <summary>Field rules shared by every feature's validators.</summary>
public static class ValidationRules
{
    public const string CodePattern = "^[A-Z0-9][A-Z0-9-]{0,31}$";
    public const int NameMax = 200;
    public const int TextMax = 4000;

    public static IRuleBuilderOptions<T, string> ValidCode<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().Matches(CodePattern)
            .WithMessage("'{PropertyName}' must be 1–32 upper-case letters, digits or hyphens, starting with a letter or digit.");

    public static IRuleBuilderOptions<T, string> ValidName<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().MaximumLength(NameMax);

    public static IRuleBuilderOptions<T, string?> ValidText<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(TextMax);
}
