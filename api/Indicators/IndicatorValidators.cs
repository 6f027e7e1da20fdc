using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Data;
using FluentValidation;

namespace Csp.Api.Indicators;

/// <summary>The value rules shared by indicators (baseline, target) and the batch push.</summary>
public static class IndicatorValues
{
    public const int MaxDecimals = 6;

    /// <summary>DECIMAL(19,6) holds 13 digits before the point.</summary>
    public const decimal MaxMagnitude = 9_999_999_999_999.999999m;

    /// <summary>Why <paramref name="value"/> is not a valid value of <paramref name="unit"/>, or null.</summary>
    public static string? Problem(IndicatorUnit unit, decimal value)
    {
        if (TypeHandlers.Normalize(value).Scale > MaxDecimals) return $"A value has at most {MaxDecimals} decimal places.";
        if (Math.Abs(value) > MaxMagnitude) return "The value is too large.";
        return unit switch
        {
            IndicatorUnit.Percent when value is < 0 or > 100 => "A percent is between 0 and 100.",
            IndicatorUnit.Count when value < 0 || value != decimal.Truncate(value) => "A count is a non-negative whole number.",
            _ => null,
        };
    }
}

public sealed class IndicatorRequestValidator : AbstractValidator<IndicatorRequest>
{
    public IndicatorRequestValidator()
    {
        RuleFor(x => x.Code).ValidCode();
        RuleFor(x => x.Name).ValidName();
        RuleFor(x => x.Description).ValidText();
        RuleFor(x => x.Unit).NotNull().IsInEnum();
        RuleFor(x => x.Direction).NotNull().IsInEnum();
        RuleFor(x => x.Frequency).NotNull().IsInEnum();
        RuleFor(x => x.SourceAgencyId).NotNull();
        RuleFor(x => x.PriorityIds).Must(ids => ids!.Count <= 50 && ids.Distinct().Count() == ids.Count)
            .When(x => x.PriorityIds is not null).WithMessage("'priorityIds' must list at most 50 priorities, each once.");
        RuleFor(x => x.Baseline).Custom((v, ctx) => CheckPeriodValue(v, ctx.InstanceToValidate, "baseline", ctx));
        RuleFor(x => x.Target).Custom((v, ctx) => CheckPeriodValue(v, ctx.InstanceToValidate, "target", ctx));
    }

    private static void CheckPeriodValue(PeriodValue? pv, IndicatorRequest request, string field, ValidationContext<IndicatorRequest> ctx)
    {
        if (pv is null) return;
        if (pv.Value is not { } value) ctx.AddFailure($"{field}.value", $"'{field}.value' is required.");
        else if (request.Unit is { } unit && Enum.IsDefined(unit) && IndicatorValues.Problem(unit, value) is { } problem)
            ctx.AddFailure($"{field}.value", problem);
        if (pv.Period is null) ctx.AddFailure($"{field}.period", $"'{field}.period' is required.");
        else if (request.Frequency is { } frequency && Enum.IsDefined(frequency))
        {
            var parsed = Period.Parse(pv.Period, frequency.PeriodType());
            if (!parsed.Ok)
                ctx.AddFailure($"{field}.period", parsed.Status == PeriodParseStatus.Invalid
                    ? $"'{pv.Period}' is not a period (e.g. 2024-06, 2024-Q2, 2024, 2024-25)."
                    : $"'{pv.Period}' is not a {EnumText<IndicatorFrequency>.Text(frequency)} period.");
        }
    }
}
