using Csp.Api.Areas;
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
        RuleFor(x => x.Baseline).Custom((v, ctx) => CheckPeriodValue(v?.Value, v?.Period, v is null, ctx.InstanceToValidate, "baseline", ctx));
        RuleFor(x => x.Target).Custom((v, ctx) => CheckPeriodValue(v?.Value, v?.Period, v is null, ctx.InstanceToValidate, "target", ctx));
        RuleFor(x => x.Targets).Custom((v, ctx) => CheckTargets(v, ctx.InstanceToValidate, ctx));
        RuleFor(x => x.Definition).ValidText();
        RuleFor(x => x.SourceSystem).MaximumLength(ValidationRules.NameMax);
        RuleFor(x => x.Breaks).Custom((v, ctx) => CheckBreaks(v, ctx.InstanceToValidate, ctx));
        RuleFor(x => x.Disclosure).Custom((d, ctx) =>
        {
            if (d is null) return;
            if (d.Rule is not { } rule || !Enum.IsDefined(rule)) ctx.AddFailure("disclosure.rule", "'disclosure.rule' is none, nhs_small_numbers or suppress_below.");
            else if (rule == DisclosureRule.SuppressBelow && d.Threshold is not (null or (>= 2 and <= 1000)))
                ctx.AddFailure("disclosure.threshold", "'disclosure.threshold' is the smallest value published, 2 to 1000.");
            else if (rule != DisclosureRule.SuppressBelow && d.Threshold is not null)
                ctx.AddFailure("disclosure.threshold", "'disclosure.threshold' is only for suppress_below.");
            if (d.AppliesTo is { } scope && !Enum.IsDefined(scope))
                ctx.AddFailure("disclosure.appliesTo", "'disclosure.appliesTo' is below_partnership or all_areas.");
        });
        RuleFor(x => x.NearTolerancePercent)
            .Must(v => v is null || v is >= 0 and <= 100 && TypeHandlers.Normalize(v.Value).Scale <= 4)
            .WithMessage("'nearTolerancePercent' is a percent from 0 to 100, with at most 4 decimal places.");
        RuleFor(x => x.Bounds).Must(b => b is not { Min: { } min, Max: { } max } || min <= max)
            .WithMessage("'bounds.max' must be at least 'bounds.min'.");
        RuleFor(x => x.OutlierThreshold)
            .Must(v => v is null || v is >= 0 and <= 100 && TypeHandlers.Normalize(v.Value).Scale <= 4)
            .WithMessage("'outlierThreshold' is a modified z-score from 0 (off) to 100, with at most 4 decimal places.");
        RuleFor(x => x.LargeChangePercent)
            .Must(v => v is null || v is >= 0 and <= 100_000 && TypeHandlers.Normalize(v.Value).Scale <= 4)
            .WithMessage("'largeChangePercent' is a percent from 0 (off) to 100000, with at most 4 decimal places.");
        RuleFor(x => x.DueDays).InclusiveBetween(0, 366).WithMessage("'dueDays' is a number of days from 0 to 366.");
    }

    public const int MaxBreaks = 100;
    public const int ReasonMax = 1000;

    private static void CheckBreaks(IReadOnlyList<BreakInput?>? breaks, IndicatorRequest request, ValidationContext<IndicatorRequest> ctx)
    {
        if (breaks is null) return;
        if (breaks.Count > MaxBreaks)
        {
            ctx.AddFailure("breaks", $"'breaks' holds at most {MaxBreaks} entries.");
            return;
        }
        var type = request.Frequency is { } f && Enum.IsDefined(f) ? f.PeriodType() : (PeriodType?)null;
        var first = new Dictionary<string, int>();
        for (var i = 0; i < breaks.Count; i++)
        {
            var field = $"breaks[{i}]";
            if (breaks[i] is not { } b)
            {
                ctx.AddFailure(field, $"'{field}' is null.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(b.Reason)) ctx.AddFailure(field + ".reason", $"'{field}.reason' is required: say why the series breaks.");
            else if (b.Reason.Length > ReasonMax) ctx.AddFailure(field + ".reason", $"'{field}.reason' is at most {ReasonMax} characters.");
            if (b.Period is null) ctx.AddFailure(field + ".period", $"'{field}.period' is required.");
            else if (type is { } pt)
            {
                var parsed = Period.Parse(b.Period, pt);
                if (!parsed.Ok)
                    ctx.AddFailure(field + ".period", parsed.Status == PeriodParseStatus.Invalid
                        ? $"'{b.Period}' is not a period (e.g. 2024-06, 2024-Q2, 2024, 2024-25)."
                        : $"'{b.Period}' is not a {EnumText<IndicatorFrequency>.Text(request.Frequency!.Value)} period.");
                else if (!first.TryAdd(parsed.Period.Canonical, i))
                    ctx.AddFailure(field + ".period", $"'{field}' repeats the break of breaks[{first[parsed.Period.Canonical]}]: one per period.");
            }
        }
    }

    private static void CheckTargets(IReadOnlyList<TargetInput?>? targets, IndicatorRequest request, ValidationContext<IndicatorRequest> ctx)
    {
        if (targets is null) return;
        if (targets.Count > IndicatorTargets.Max)
        {
            ctx.AddFailure("targets", $"'targets' holds at most {IndicatorTargets.Max} entries.");
            return;
        }
        var type = request.Frequency is { } f && Enum.IsDefined(f) ? f.PeriodType() : (PeriodType?)null;
        var first = new Dictionary<(string?, string), int>();
        for (var i = 0; i < targets.Count; i++)
        {
            var field = $"targets[{i}]";
            if (targets[i] is not { } t)
            {
                ctx.AddFailure(field, $"'{field}' is null.");
                continue;
            }
            if (t.Area is not null && !AreaRules.IsCode(t.Area)) ctx.AddFailure(field + ".area", $"'{field}.area' " + AreaRules.CodeMessage);
            CheckPeriodValue(t.Value, t.Period, false, request, field, ctx);
            if (type is { } pt && Period.Parse(t.Period, pt) is { Ok: true } parsed && !first.TryAdd((t.Area, parsed.Period.Canonical), i))
                ctx.AddFailure(field + ".period", $"'{field}' repeats the target of targets[{first[(t.Area, parsed.Period.Canonical)]}]: one value per area and period.");
        }
    }

    private static void CheckPeriodValue(decimal? value, string? period, bool absent, IndicatorRequest request, string field,
        ValidationContext<IndicatorRequest> ctx)
    {
        if (absent) return;
        if (value is not { } v) ctx.AddFailure($"{field}.value", $"'{field}.value' is required.");
        else if (request.Unit is { } unit && Enum.IsDefined(unit) && IndicatorValues.Problem(unit, v) is { } problem)
            ctx.AddFailure($"{field}.value", problem);
        if (period is null) ctx.AddFailure($"{field}.period", $"'{field}.period' is required.");
        else if (request.Frequency is { } frequency && Enum.IsDefined(frequency))
        {
            var parsed = Period.Parse(period, frequency.PeriodType());
            if (!parsed.Ok)
                ctx.AddFailure($"{field}.period", parsed.Status == PeriodParseStatus.Invalid
                    ? $"'{period}' is not a period (e.g. 2024-06, 2024-Q2, 2024, 2024-25)."
                    : $"'{period}' is not a {EnumText<IndicatorFrequency>.Text(frequency)} period.");
        }
    }
}
