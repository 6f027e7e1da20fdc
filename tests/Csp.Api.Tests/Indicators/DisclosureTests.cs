using Csp.Api.Indicators;

namespace Csp.Api.Tests.Indicators;

/// <summary>Issue 16, point 2: the disclosure rules on their own — primary suppression, NHS rounding, and secondary suppression so that
/// no withheld value can be recovered by subtraction from a published total.</summary>
public sealed class DisclosureTests
{
    private static readonly DisclosurePolicy Nhs = new(DisclosureRule.NhsSmallNumbers);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, null)]
    [InlineData(7, null)]
    [InlineData(8, 10)]
    [InlineData(12, 10)]
    [InlineData(13, 15)]
    [InlineData(22, 20)]
    [InlineData(23, 25)]
    [InlineData(200, 200)]
    public void Nhs_small_numbers_keeps_zero_suppresses_one_to_seven_and_rounds_the_rest_to_five(int value, int? expected)
    {
        var published = Disclosure.Apply(Nhs, value);

        Assert.Equal(expected is null, published.Suppressed);
        Assert.Equal((decimal?)expected, published.Value);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, null)]
    [InlineData(4, null)]
    [InlineData(5, 5)]
    [InlineData(187, 187)]
    public void Suppress_below_withholds_values_from_one_to_below_the_threshold(int value, int? expected)
    {
        var published = Disclosure.Apply(new DisclosurePolicy(DisclosureRule.SuppressBelow, 5), value);

        Assert.Equal(expected is null, published.Suppressed);
        Assert.Equal((decimal?)expected, published.Value);
    }

    [Fact]
    public void None_publishes_every_value_as_it_is()
    {
        var values = new decimal[] { 0, 1, 2, 7, 13 };

        Assert.Equal(values.Select(v => new PublishedValue(v, false)), Disclosure.ApplyToSet(DisclosurePolicy.None, values, totalPublished: true).Values);
    }

    [Fact]
    public void A_lone_suppressed_ward_takes_the_smallest_other_with_it_when_the_total_is_published()
    {
        decimal[] wards = [3, 40, 20, 0];

        var published = Disclosure.ApplyToSet(Nhs, wards, totalPublished: true).Values;

        Assert.Equal([true, false, true, false], published.Select(p => p.Suppressed));
        Assert.Equal(40m, published[1].Value);
        Assert.Equal(0m, published[3].Value);
        // Without a published total there is nothing to subtract from.
        Assert.Equal([true, false, false, false], Disclosure.ApplyToSet(Nhs, wards, totalPublished: false).Values.Select(p => p.Suppressed));
    }

    [Fact]
    public void Two_suppressed_ones_are_not_left_alone_since_their_sum_would_give_them_away()
    {
        var published = Disclosure.ApplyToSet(Nhs, [1, 1, 40, 9], totalPublished: true);

        Assert.Equal([true, true, false, true], published.Values.Select(p => p.Suppressed));
        Assert.False(published.TotalWithheld);
    }

    [Fact]
    public void When_nothing_is_left_to_withhold_the_total_is_withheld()
    {
        var published = Disclosure.ApplyToSet(Nhs, [1, 1], totalPublished: true);

        Assert.True(published.TotalWithheld);
        Assert.All(published.Values, p => Assert.True(p.Suppressed));
    }

    /// <summary>
    /// Counts 0–200 in random ward sets (2–9 wards, half of them small numbers), under NHS rounding and suppress_below thresholds 2–10:
    /// every published value follows its rule, and a reader who knows the total and every published value, and that a withheld value
    /// is at least 1, can pin down no withheld value (their number is never one, and their sum exceeds their number), or the total is
    /// withheld.
    /// </summary>
    [Fact]
    public void No_published_value_reveals_a_suppressed_one()
    {
        var random = new Random(16);
        for (var run = 0; run < 20_000; run++)
        {
            var policy = random.Next(2) == 0 ? Nhs : new DisclosurePolicy(DisclosureRule.SuppressBelow, random.Next(2, 11));
            var wards = Enumerable.Range(0, random.Next(2, 10)).Select(_ => (decimal)(random.Next(2) == 0 ? random.Next(0, 12) : random.Next(0, 201)))
                .ToArray();
            var set = Disclosure.ApplyToSet(policy, wards, totalPublished: true);
            var published = set.Values;
            var context = $"{policy} [{string.Join(", ", wards)}] → [{string.Join(", ", published.Select(p => p.Suppressed ? "x" : p.Value!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";

            for (var i = 0; i < wards.Length; i++)
            {
                if (Disclosure.IsPrimary(policy, wards[i])) Assert.True(published[i].Suppressed, context);
                if (published[i].Suppressed)
                {
                    Assert.Null(published[i].Value);
                    continue;
                }
                var value = published[i].Value!.Value;
                if (wards[i] == 0) Assert.Equal(0m, value);
                else if (policy.Rule == DisclosureRule.NhsSmallNumbers)
                    Assert.True(value % 5 == 0 && Math.Abs(value - wards[i]) <= 2.5m, context);
                else Assert.Equal(wards[i], value);
            }

            var withheld = Enumerable.Range(0, wards.Length).Where(i => published[i].Suppressed).ToList();
            // Without the total there is nothing to subtract from; it is withheld only when every ward already is.
            if (set.TotalWithheld)
            {
                Assert.Equal(wards.Length, withheld.Count);
                continue;
            }
            if (withheld.Count == 0) continue;
            Assert.True(withheld.Count >= 2, context);
            var sum = withheld.Sum(i => wards[i]);
            // A withheld zero (only when nothing else was left) makes "at least 1" false; the sum then still leaves each open.
            if (withheld.All(i => wards[i] > 0)) Assert.True(sum > withheld.Count, context);
            else
            {
                Assert.True(sum >= 1, context);
                Assert.DoesNotContain(Enumerable.Range(0, wards.Length), i => !published[i].Suppressed && wards[i] > 0);
            }
        }
    }

    /// <summary>
    /// The same over an area hierarchy (a borough, its wards, and some wards' smaller areas), as public outputs apply it
    /// (<see cref="Disclosure.ApplyToAreas"/>): counts 0–200 at random, the rule below the borough (or in every area); in every set
    /// of siblings whose parent's value is published, no withheld value can be found by subtraction (never exactly one withheld;
    /// their sum exceeds their number unless a zero had to go), and every value the rule withholds is withheld.
    /// </summary>
    [Fact]
    public void No_published_value_in_a_hierarchy_reveals_a_suppressed_one()
    {
        var random = new Random(1616);
        for (var run = 0; run < 5_000; run++)
        {
            var policy = random.Next(2) == 0 ? Nhs : new DisclosurePolicy(DisclosureRule.SuppressBelow, random.Next(2, 11));
            var allAreas = random.Next(3) == 0;
            var parents = new Dictionary<string, string?> { ["B"] = null };
            var values = new Dictionary<string, decimal>();
            decimal Count() => random.Next(2) == 0 ? random.Next(0, 12) : random.Next(0, 201);
            for (var w = 0; w < random.Next(1, 8); w++)
            {
                parents[$"W{w}"] = "B";
                values[$"W{w}"] = Count();
                if (random.Next(3) != 0) continue;
                for (var l = 0; l < random.Next(1, 4); l++)
                {
                    parents[$"W{w}L{l}"] = $"W{w}";
                    values[$"W{w}L{l}"] = Count();
                }
                // A ward with smaller areas is their sum, as real counts are.
                values[$"W{w}"] = values.Where(v => parents[v.Key] == $"W{w}").Sum(v => v.Value);
            }
            values["B"] = values.Where(v => parents[v.Key] == "B").Sum(v => v.Value);
            bool Applies(string area) => allAreas || area != "B";

            var published = Disclosure.ApplyToAreas(policy, values, a => parents[a], Applies);
            var context = $"{policy} all={allAreas} " + string.Join(", ", values.OrderBy(v => v.Key, StringComparer.Ordinal)
                .Select(v => $"{v.Key}={v.Value}→{(published[v.Key].Suppressed ? "x" : published[v.Key].Value!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}"));

            foreach (var (area, value) in values)
            {
                if (Applies(area) && Disclosure.IsPrimary(policy, value)) Assert.True(published[area].Suppressed, context);
                if (!Applies(area) && !published[area].Suppressed) Assert.Equal(value, published[area].Value);
            }
            foreach (var set in values.Keys.Where(a => parents[a] is not null).GroupBy(a => parents[a]!))
            {
                if (published[set.Key].Suppressed) continue;
                var withheld = set.Where(a => published[a].Suppressed).ToList();
                if (withheld.Count == 0) continue;
                Assert.True(withheld.Count >= 2, context);
                var sum = withheld.Sum(a => values[a]);
                // A withheld zero (a total withheld for its own smaller areas, or nothing else left) breaks "at least 1"; the sum
                // then still leaves each open as long as it is not zero.
                if (withheld.All(a => values[a] > 0)) Assert.True(sum > withheld.Count, context);
                else Assert.True(sum >= 1 || withheld.All(a => values[a] == 0 && !Disclosure.IsPrimary(policy, values[a])), context);
            }
        }
    }
}
