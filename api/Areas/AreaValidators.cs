using System.Text.RegularExpressions;
using Csp.Api.Infrastructure;
using FluentValidation;

namespace Csp.Api.Areas;

/// <summary>The rules an area's details follow, whether it is registered or replaced.</summary>
internal static class AreaRules
{
    /// <summary>As the contract publishes it; <see cref="Code"/> is what validators match with (ASCII digits, nothing after).</summary>
    public const string CodePattern = "^[EWSN][0-9]{8}$";

    public static readonly Regex Code = ValidationRules.Whole(CodePattern);

    public const string CodeMessage = "must be an ONS GSS code: a letter E, W, S or N and 8 digits, e.g. E05011095.";

    public static bool IsCode(string? code) => code is { Length: 9 } && code[0] is 'E' or 'W' or 'S' or 'N' && code.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0;
}

public sealed class AreaRequestValidator : AbstractValidator<AreaRequest>
{
    public AreaRequestValidator()
    {
        RuleFor(x => x.Code).NotEmpty().Matches(AreaRules.Code).WithMessage("'code' " + AreaRules.CodeMessage);
        RuleFor(x => x.Name).ValidName();
        RuleFor(x => x.Type).NotNull().IsInEnum();
        RuleFor(x => x.ParentCode).Matches(AreaRules.Code).WithMessage("'parentCode' " + AreaRules.CodeMessage)
            .NotEqual(x => x.Code).WithMessage("An area cannot lie in itself.");
        RuleFor(x => x.ValidTo).GreaterThanOrEqualTo(x => x.ValidFrom).When(x => x.ValidFrom is not null && x.ValidTo is not null)
            .WithMessage("'validTo' must be on or after 'validFrom'.");
    }
}

public sealed class AreaUpdateValidator : AbstractValidator<AreaUpdate>
{
    public AreaUpdateValidator()
    {
        RuleFor(x => x.Name).ValidName();
        RuleFor(x => x.Type).NotNull().IsInEnum();
        RuleFor(x => x.ParentCode).Matches(AreaRules.Code).WithMessage("'parentCode' " + AreaRules.CodeMessage);
        RuleFor(x => x.ValidTo).GreaterThanOrEqualTo(x => x.ValidFrom).When(x => x.ValidFrom is not null && x.ValidTo is not null)
            .WithMessage("'validTo' must be on or after 'validFrom'.");
    }
}
