using System.Text.Json.Serialization;
using Csp.Api.Infrastructure;

namespace Csp.Api.Indicators;

/// <summary>How an indicator's small numbers are published below the partnership's own area: <c>none</c> (published as they are,
/// e.g. police recorded crime), <c>nhs_small_numbers</c> (NHS Digital: 0 stays 0, 1–7 suppressed, 8 and over rounded to the
/// nearest 5), <c>suppress_below</c> (values from 1 up to, not including, the policy's threshold suppressed; e.g. 5 for 1–4).</summary>
[JsonConverter(typeof(StringEnumConverter<DisclosureRule>))]
public enum DisclosureRule
{
    [JsonStringEnumMemberName("none")] None,
    [JsonStringEnumMemberName("nhs_small_numbers")] NhsSmallNumbers,
    [JsonStringEnumMemberName("suppress_below")] SuppressBelow,
}

/// <summary>Which areas an indicator's disclosure rule applies to: <c>below_partnership</c> (areas inside the partnership's own area,
/// such as wards; the partnership's own figure is published as it is) or <c>all_areas</c>.</summary>
[JsonConverter(typeof(StringEnumConverter<DisclosureScope>))]
public enum DisclosureScope
{
    [JsonStringEnumMemberName("below_partnership")] BelowPartnership,
    [JsonStringEnumMemberName("all_areas")] AllAreas,
}

/// <summary>An indicator's disclosure policy.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Threshold">For <c>suppress_below</c>: the smallest value published (values from 1 to one below it are suppressed).</param>
/// <param name="AppliesTo">The areas the rule applies to.</param>
public sealed record DisclosurePolicy(DisclosureRule Rule, int? Threshold = null, DisclosureScope AppliesTo = DisclosureScope.BelowPartnership)
{
    public static readonly DisclosurePolicy None = new(DisclosureRule.None);
}

/// <summary>The disclosure rule a public answer applied, and the version of the rules (<see cref="Disclosure.Version"/>).</summary>
/// <param name="Rule">The indicator's rule.</param>
/// <param name="Version">The version of the rules.</param>
public sealed record DisclosureApplied(DisclosureRule Rule, string Version)
{
    public static DisclosureApplied Of(DisclosurePolicy policy) => new(policy.Rule, Disclosure.Version);
}

/// <summary>A value as the public sees it: <c>Value</c> null and <c>Suppressed</c> true when it is withheld; a true zero stays 0.</summary>
public readonly record struct PublishedValue(decimal? Value, bool Suppressed)
{
    public static PublishedValue Withheld => new(null, true);
}

/// <summary>A set of values as published, and whether the set's total must be withheld too: when the withheld values would be
/// given away by the total and no published value is left to withhold with them (e.g. two wards, both 1).</summary>
public sealed record SetDisclosure(IReadOnlyList<PublishedValue> Values, bool TotalWithheld);

/// <summary>
/// The disclosure rules, pure: what one value publishes as (primary suppression and rounding), and what a set of values that
/// add up to a published total publishes as (secondary suppression), so that no withheld value can be found by subtraction.
/// </summary>
public static class Disclosure
{
    /// <summary>The version of these rules; a public answer that applies them names it with the rule.</summary>
    public const string Version = "1";

    private const decimal NhsLargestSuppressed = 7m;
    private const decimal NhsRounding = 5m;

    /// <summary>Whether the rule withholds <paramref name="value"/> itself (primary suppression).</summary>
    public static bool IsPrimary(DisclosurePolicy policy, decimal value) => policy.Rule switch
    {
        DisclosureRule.NhsSmallNumbers => value > 0 && value <= NhsLargestSuppressed,
        DisclosureRule.SuppressBelow => value > 0 && policy.Threshold is { } threshold && value < threshold,
        _ => false,
    };

    /// <summary>One value as published: withheld when the rule suppresses it, rounded when the rule rounds, else as it is.</summary>
    public static PublishedValue Apply(DisclosurePolicy policy, decimal value)
    {
        if (IsPrimary(policy, value)) return PublishedValue.Withheld;
        if (policy.Rule == DisclosureRule.NhsSmallNumbers && value > 0)
            return new PublishedValue(Math.Round(value / NhsRounding, MidpointRounding.AwayFromZero) * NhsRounding, false);
        return new PublishedValue(value, false);
    }

    /// <summary>
    /// The values of a set (e.g. the wards of a borough) whose total is published: each by <see cref="Apply"/>, then, when the
    /// total is published, secondary suppression. A reader who subtracts the published values from the total learns the sum of
    /// the withheld ones; knowing that a withheld value is at least 1 (a zero is published), that sum pins one down when only
    /// one is withheld, or when the sum equals their number (every one of them is 1). Then the smallest published non-zero
    /// value is withheld too (a zero only when there is no other), which makes the sum larger than their number. When nothing is
    /// left to withhold, the total must be withheld instead.
    /// </summary>
    /// <param name="totalPublished">Whether the set's total (the parent area's value) is published.</param>
    public static SetDisclosure ApplyToSet(DisclosurePolicy policy, IReadOnlyList<decimal> values, bool totalPublished)
    {
        var published = values.Select(v => Apply(policy, v)).ToArray();
        if (!totalPublished || policy.Rule == DisclosureRule.None) return new SetDisclosure(published, false);
        while (Recoverable(values, published))
        {
            if (NextToWithhold(values, published) is not { } next) return new SetDisclosure(published, true);
            published[next] = PublishedValue.Withheld;
        }
        return new SetDisclosure(published, false);
    }

    /// <summary>Whether subtraction from the total pins down a withheld value (see <see cref="ApplyToSet"/>).</summary>
    public static bool Recoverable(IReadOnlyList<decimal> values, IReadOnlyList<PublishedValue> published)
    {
        var withheld = Enumerable.Range(0, values.Count).Where(i => published[i].Suppressed).ToList();
        return withheld.Count == 1 || (withheld.Count > 1 && withheld.Sum(i => values[i]) <= withheld.Count);
    }

    /// <summary>
    /// One period's values across a hierarchy of areas (e.g. a borough and its wards), as published: each value the rule applies to
    /// by <see cref="Apply"/>, then secondary suppression in every set of siblings whose parent's value is published, until no
    /// withheld value can be found by subtraction from any published total (<see cref="ApplyToSet"/>). A parent is withheld too
    /// when nothing under it is left to withhold; that may make its own siblings' set need another.
    /// </summary>
    /// <param name="values">The period's values by area code.</param>
    /// <param name="parentOf">Each area's parent's code (null when it has none).</param>
    /// <param name="applies">Whether the rule applies to an area (e.g. not to the partnership's own area).</param>
    public static Dictionary<string, PublishedValue> ApplyToAreas(DisclosurePolicy policy, IReadOnlyDictionary<string, decimal> values,
        Func<string, string?> parentOf, Func<string, bool> applies)
    {
        var published = values.ToDictionary(v => v.Key, v => applies(v.Key) ? Apply(policy, v.Value) : new PublishedValue(v.Value, false),
            StringComparer.Ordinal);
        if (policy.Rule == DisclosureRule.None) return published;
        var sets = values.Keys.Where(a => parentOf(a) is { } parent && values.ContainsKey(parent))
            .GroupBy(a => parentOf(a)!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Parent: g.Key, Children: g.Order(StringComparer.Ordinal).ToArray())).ToList();
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (parent, children) in sets)
            {
                if (published[parent].Suppressed) continue;
                var childValues = children.Select(a => values[a]).ToArray();
                var childPublished = children.Select(a => published[a]).ToArray();
                if (!Recoverable(childValues, childPublished)) continue;
                // Only areas the rule applies to are withheld in their set's place; with none left, the total goes.
                var candidates = childPublished.Select((p, i) => applies(children[i]) ? p : PublishedValue.Withheld).ToArray();
                if (NextToWithhold(childValues, candidates) is { } next) published[children[next]] = PublishedValue.Withheld;
                else published[parent] = PublishedValue.Withheld;
                changed = true;
            }
        }
        return published;
    }

    private static int? NextToWithhold(IReadOnlyList<decimal> values, PublishedValue[] published)
    {
        int? best = null;
        for (var i = 0; i < values.Count; i++)
        {
            if (published[i].Suppressed) continue;
            // Prefer the smallest non-zero value; a zero only when nothing else is left.
            if (best is not { } b || Better(values[i], values[b])) best = i;
        }
        return best;

        static bool Better(decimal candidate, decimal current) =>
            current == 0 ? candidate > 0 : candidate > 0 && candidate < current;
    }
}
