using System.Text.RegularExpressions;
using FluentValidation;

namespace Csp.Api.Infrastructure;

/// <summary>Field rules shared by every feature's validators.</summary>
public static class ValidationRules
{
    /// <summary>A code as the contract publishes it (ECMA-262, where <c>$</c> is the end of the text).</summary>
    public const string CodePattern = "^[A-Z0-9][A-Z0-9-]{0,31}$";
    private static readonly Regex Code = Whole(CodePattern);
    public const int NameMax = 200;
    public const int TextMax = 4000;

    public static IRuleBuilderOptions<T, string> ValidCode<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().Matches(Code)
            .WithMessage("'{PropertyName}' must be 1–32 upper-case letters, digits or hyphens, starting with a letter or digit.");

    public static IRuleBuilderOptions<T, string> ValidName<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().MaximumLength(NameMax);

    public static IRuleBuilderOptions<T, string?> ValidText<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(TextMax);

    /// <summary>
    /// A pattern written for the contract (ending in <c>$</c>), anchored for .NET: there <c>$</c> also matches before a final
    /// newline, so <c>"SBC\n"</c> would pass <c>^[A-Z]+$</c> and be stored. <c>\z</c> is the very end; a validator matches with
    /// this, never with the contract's text.
    /// </summary>
    public static Regex Whole(string pattern) =>
        pattern.EndsWith('$') ? new Regex(pattern[..^1] + @"\z", RegexOptions.CultureInvariant) : throw new ArgumentException($"'{pattern}' does not end in $.", nameof(pattern));
}
