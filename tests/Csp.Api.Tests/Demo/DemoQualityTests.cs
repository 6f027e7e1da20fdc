using System.Net;
using System.Net.Http.Json;
using Csp.Api.Demo;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Demo;

/// <summary>The demo shows data quality at work: bounds and due days on its indicators, the knife crime rule, and an agency that is
/// behind.</summary>
public sealed class DemoQualityTests(DevelopmentFactory factory) : IClassFixture<DevelopmentFactory>
{
    private const string Southwark = "/v1/partnerships/southwark";

    [Fact]
    public async Task Every_demo_indicator_has_bounds_and_its_agencys_due_days()
    {
        var list = await TestTenant.Expect(await factory.ClientWithKey(DemoKeys.Reader).GetAsync(Southwark + "/indicators?limit=100"), HttpStatusCode.OK);
        var items = list["items"]!.AsArray().Select(i => i!.AsObject()).ToList();

        Assert.All(items, i => Assert.NotNull(i["bounds"]?["max"]));
        Assert.All(items, i => Assert.Equal(i.Str("code") == "DRUG-COMPLETIONS" ? 20 : 10, i["dueDays"]!.GetValue<int>()));
        var knife = items.Single(i => i.Str("code") == "KNIFE-CRIME");
        Assert.Contains("knife or sharp instrument", knife.Str("definition"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Knife_crime_with_injury_may_not_exceed_knife_crime_and_the_demo_keeps_the_rule()
    {
        var admin = factory.ClientWithKey(DemoKeys.Admin);
        var rules = await TestTenant.Expect(await admin.GetAsync(Southwark + "/validation-rules"), HttpStatusCode.OK);
        var rule = rules["items"]!.AsArray().Single()!.AsObject();
        Assert.Equal(("KNIFE-INJURY", "less_than_or_equal_to", "KNIFE-CRIME"), (rule.Str("left"), rule.Str("operator"), rule.Str("right")));
        var violations = await TestTenant.Expect(await admin.GetAsync(Southwark + "/validation-rules/violations"), HttpStatusCode.OK);
        Assert.Empty(violations["items"]!.AsArray());

        // A dry run of a knife-with-injury figure above the month's knife crime is warned about, and a value ten times too large too.
        var month = DateTime.UtcNow.AddMonths(-3).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var dry = await TestTenant.Expect(await factory.ClientWithKey(DemoKeys.PoliceFeed).PostAsJsonAsync(Southwark + "/observations?dryRun=true",
            new { observations = new[] { new { indicator = "KNIFE-INJURY", period = month, value = 190 } } }), HttpStatusCode.OK);
        Assert.Equal(["outlier", "outside_bounds", "rule_violation"],
            dry["warnings"]!.AsArray().Select(w => w!["code"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task The_ICB_is_behind_so_its_drug_treatment_figures_are_overdue()
    {
        var overdue = await TestTenant.Expect(await factory.ClientWithKey(DemoKeys.Reader).GetAsync(Southwark + "/completeness/overdue"), HttpStatusCode.OK);

        var items = overdue["overdue"]!.AsArray().Select(o => o!.AsObject()).ToList();
        Assert.NotEmpty(items);
        Assert.All(items, o => Assert.Equal(("SEL-ICB", "DRUG-COMPLETIONS", "E09000028"), (o.Str("agencyCode"), o.Str("indicator"), o.Str("area"))));
        var twoMonthsAgo = DateTime.UtcNow.AddMonths(-2).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(items, o => o.Str("period") == twoMonthsAgo);

        var report = await TestTenant.Expect(await factory.ClientWithKey(DemoKeys.Reader).GetAsync(Southwark + "/completeness"), HttpStatusCode.OK);
        var met = report["agencies"]!.AsArray().Single(a => a!["agencyCode"]!.GetValue<string>() == "MET-CS")!;
        Assert.Equal(0, met["counts"]!["missing"]!.GetValue<int>());
        var icb = report["agencies"]!.AsArray().Single(a => a!["agencyCode"]!.GetValue<string>() == "SEL-ICB")!;
        Assert.True(icb["counts"]!["reportingRate"]!.GetValue<decimal>() < 1m);
    }
}
