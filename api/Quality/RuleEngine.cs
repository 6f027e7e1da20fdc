using System.Globalization;
using Csp.Api.Infrastructure;

namespace Csp.Api.Quality;

/// <summary>A side of a rule, <c>A</c> or <c>A + B</c>: the indicator codes it adds up.</summary>
internal static class RuleExpression
{
    public const int MaxCodes = 20;

    private static readonly System.Text.RegularExpressions.Regex Code = ValidationRules.Whole(ValidationRules.CodePattern);

    /// <summary>The codes of <paramref name="text"/>, or null when it is not a sum of indicator codes.</summary>
    public static IReadOnlyList<string>? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var codes = text.Split('+', StringSplitOptions.TrimEntries);
        if (codes.Length > MaxCodes) return null;
        foreach (var code in codes)
            if (code.Length == 0 || !Code.IsMatch(code)) return null;
        return codes;
    }

    public static string Format(IReadOnlyList<string> codes) => string.Join(" + ", codes);
}

/// <summary>A stored rule with its sides parsed.</summary>
internal sealed record CompiledRule(ValidationRule Rule, IReadOnlyList<string> LeftCodes, IReadOnlyList<string> RightCodes)
{
    public static CompiledRule Of(ValidationRule rule) =>
        new(rule, RuleExpression.Parse(rule.Left) ?? [], RuleExpression.Parse(rule.Right) ?? []);

    public IEnumerable<string> Codes => LeftCodes.Concat(RightCodes);
}

/// <summary>Evaluates a rule at one period and area, given a way to read values; the same for the push and for the violations list.</summary>
internal static class RuleEngine
{
    /// <summary>The value of an indicator (by code) in an area for the period being evaluated; null when there is none.</summary>
    public delegate decimal? ValueOf(string code, string area);

    /// <summary>Where <paramref name="rule"/> (a comparison) does not hold at <paramref name="period"/> and <paramref name="area"/>; null
    /// when it holds or is skipped for missing values.</summary>
    public static RuleViolation? Compare(CompiledRule rule, string period, string area, ValueOf value)
    {
        var operands = new List<decimal?>();
        var left = Sum(rule.LeftCodes, area, value, operands);
        var right = Sum(rule.RightCodes, area, value, operands);
        if (Skip(rule.Rule.MissingValue, operands)) return null;
        var op = rule.Rule.Operator;
        if (Holds(left, op, right)) return null;
        return new RuleViolation(rule.Rule.Id, rule.Rule.Code, period, area, left, right,
            $"{rule.Rule.Code}: {rule.Rule.Left} = {Text(left)} is not {Words(op)} {rule.Rule.Right} = {Text(right)} for {period} in {area}.");
    }

    /// <summary>Where the left side summed over the areas inside <paramref name="parent"/> does not compare as the rule says with the
    /// right side in <paramref name="parent"/>; null when it holds or is skipped for missing values.</summary>
    public static RuleViolation? ChildrenSum(CompiledRule rule, string period, string parent, IReadOnlyList<string> children, ValueOf value)
    {
        if (children.Count == 0) return null;
        var operands = new List<decimal?>();
        var whole = Sum(rule.RightCodes, parent, value, operands);
        var sum = 0m;
        foreach (var child in children) sum += Sum(rule.LeftCodes, child, value, operands);
        if (Skip(rule.Rule.MissingValue, operands) || Holds(sum, rule.Rule.Operator, whole)) return null;
        return new RuleViolation(rule.Rule.Id, rule.Rule.Code, period, parent, sum, whole,
            $"{rule.Rule.Code}: {rule.Rule.Left} summed over the {children.Count} areas inside {parent} is {Text(sum)}, not {Words(rule.Rule.Operator)} {rule.Rule.Right} there, {Text(whole)}, for {period}.");
    }

    private static decimal Sum(IReadOnlyList<string> codes, string area, ValueOf value, List<decimal?> operands)
    {
        var sum = 0m;
        foreach (var code in codes)
        {
            var v = value(code, area);
            operands.Add(v);
            sum += v ?? 0;
        }
        return sum;
    }

    private static bool Skip(MissingValueStrategy strategy, List<decimal?> operands) => strategy switch
    {
        MissingValueStrategy.SkipIfAnyMissing => operands.Exists(v => v is null),
        MissingValueStrategy.SkipIfAllMissing => operands.TrueForAll(v => v is null),
        _ => false,
    };

    public static bool Holds(decimal left, RuleOperator op, decimal right) => op switch
    {
        RuleOperator.EqualTo => left == right,
        RuleOperator.NotEqualTo => left != right,
        RuleOperator.LessThan => left < right,
        RuleOperator.LessThanOrEqualTo => left <= right,
        RuleOperator.GreaterThan => left > right,
        _ => left >= right,
    };

    private static string Words(RuleOperator op) => op switch
    {
        RuleOperator.EqualTo => "equal to",
        RuleOperator.NotEqualTo => "different from",
        RuleOperator.LessThan => "less than",
        RuleOperator.LessThanOrEqualTo => "at most",
        RuleOperator.GreaterThan => "more than",
        _ => "at least",
    };

    public static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
