using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Areas;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Indicators;

/// <summary>Targets per area and period: each area is judged against its own trajectory, with the indicator's tolerance.</summary>
[Collection(ApiCollection.Name)]
public sealed class TargetTests(CspApiFactory factory)
{
    private const string Ward = "E05011095";

    private async Task<(TestTenant T, Guid Met)> SetupAsync()
    {
        var t = await TestTenant.CreateAsync(factory, "targets");
        await t.RegisterWardAsync(Ward, "Borough & Bankside");
        return (t, (await t.CreateAgencyAsync("MET")).Id());
    }

    private static async Task<JsonObject> PerformanceAsync(TestTenant t, Guid indicator, string? area = null) =>
        await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{indicator}/performance" + (area is null ? "" : $"?area={area}"))),
            HttpStatusCode.OK);

    [Fact]
    public async Task A_wards_robberies_are_never_judged_against_the_boroughs_target()
    {
        var (t, met) = await SetupAsync();
        var robbery = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL", target: new { value = 150, period = "2024-06" })).Id();
        await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 187), Row("ROB-PERSONAL", "2024-06", 19, Ward)]);

        var ward = await PerformanceAsync(t, robbery, Ward);
        Assert.Equal("no_target", ward.Str("status"));
        Assert.Null(ward["target"]);
        var borough = await PerformanceAsync(t, robbery);
        Assert.Equal(("off_target", 150m), (borough.Str("status"), borough["target"]!["value"]!.GetValue<decimal>()));

        var offTarget = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/indicators?status=off_target")), HttpStatusCode.OK);
        Assert.Equal(robbery, Assert.Single(offTarget["items"].Arr())!.AsObject().Id());
        var unjudged = (await t.CreateIndicatorAsync(met, "THEFT-PERSON")).Id();
        await t.Admin.PushOkAsync(t, [Row("THEFT-PERSON", "2024-06", 498)]);
        var noTarget = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/indicators?status=no_target")), HttpStatusCode.OK);
        Assert.Equal(unjudged, Assert.Single(noTarget["items"].Arr())!.AsObject().Id());
    }

    [Fact]
    public async Task Each_area_is_judged_against_its_target_for_the_period_or_the_nearest_earlier_one()
    {
        var (t, met) = await SetupAsync();
        var robbery = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL", targets: new object[]
        {
            new { period = "2024-01", value = 200 },
            new { area = Ward, period = "2024-03", value = 25 },
            new { area = Ward, period = "202406", value = 20 },
        })).Id();
        var read = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{robbery}")), HttpStatusCode.OK);
        Assert.Equal([(Ward, "2024-03", 25m), (Ward, "2024-06", 20m), ("E09000028", "2024-01", 200m)],
            read["targets"].Arr().Select(x => (x!["area"]!.GetValue<string>(), x["period"]!.GetValue<string>(), x["value"]!.GetValue<decimal>())));
        Assert.Equal(("2024-01", 200m), (read["target"]!["period"]!.GetValue<string>(), read["target"]!["value"]!.GetValue<decimal>()));

        async Task<(string Status, string? TargetPeriod)> WardAt(string period, decimal value)
        {
            await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", period, value, Ward)]);
            var p = await PerformanceAsync(t, robbery, Ward);
            return (p.Str("status"), p["target"]?["period"]?.GetValue<string>());
        }
        Assert.Equal(("on_target", "2024-03"), await WardAt("2024-02", 24));  // before the trajectory: its first target
        Assert.Equal(("near", "2024-03"), await WardAt("2024-05", 27));       // the nearest earlier target (25), within 10%
        Assert.Equal(("off_target", "2024-06"), await WardAt("2024-06", 23)); // its own period's target (20)
        Assert.Equal(("on_target", "2024-06"), await WardAt("2024-09", 20));  // after the last: the last
    }

    [Fact]
    public async Task Near_is_within_the_indicators_own_tolerance()
    {
        var (t, met) = await SetupAsync();
        var tenPercent = (await t.CreateIndicatorAsync(met, "TEN", targets: new object[] { new { period = "2024-06", value = 100 } })).Id();
        var fivePercent = (await t.CreateIndicatorAsync(met, "FIVE", targets: new object[] { new { period = "2024-06", value = 100 } },
            nearTolerancePercent: 5)).Id();
        await t.Admin.PushOkAsync(t, [Row("TEN", "2024-06", 107), Row("FIVE", "2024-06", 107)]);

        Assert.Equal("near", (await PerformanceAsync(t, tenPercent)).Str("status"));
        Assert.Equal("off_target", (await PerformanceAsync(t, fivePercent)).Str("status"));
        var five = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{fivePercent}")), HttpStatusCode.OK);
        Assert.Equal(5m, five["nearTolerancePercent"]!.GetValue<decimal>());
        Assert.Equal(10m, (await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{tenPercent}")), HttpStatusCode.OK))["nearTolerancePercent"]!
            .GetValue<decimal>());
    }

    [Fact]
    public async Task The_deprecated_target_still_works_and_says_so_in_a_Deprecation_header()
    {
        var (t, met) = await SetupAsync();
        var body = Body(met, target: new { value = 150, period = "2024-06" });
        var created = await t.Admin.PostAsJsonAsync(t.Path("/indicators"), body);
        var indicator = await TestTenant.Expect(created, HttpStatusCode.Created);
        Assert.Matches("^@[0-9]+$", Assert.Single(created.Headers.GetValues("Deprecation")));
        Assert.Equal([("E09000028", "2024-06", 150m)], Targets(indicator));

        // A ward's trajectory set by a newer client survives an old client's PUT of its target.
        var withWard = Body(met, targets: new object[] { new { period = "2024-06", value = 150 }, new { area = Ward, period = "2024-06", value = 20 } });
        var updated = await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{indicator.Id()}"), withWard);
        Assert.False(updated.Headers.Contains("Deprecation"));
        await TestTenant.Expect(updated, HttpStatusCode.OK);
        var old = await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{indicator.Id()}"), Body(met, target: new { value = 140, period = "2024-07" }));
        var after = await TestTenant.Expect(old, HttpStatusCode.OK);
        Assert.True(old.Headers.Contains("Deprecation"));
        Assert.Equal([(Ward, "2024-06", 20m), ("E09000028", "2024-06", 150m), ("E09000028", "2024-07", 140m)], Targets(after));
        Assert.Equal(("2024-07", 140m), (after["target"]!["period"]!.GetValue<string>(), after["target"]!["value"]!.GetValue<decimal>()));

        // Both at once must agree.
        var disagree = await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{indicator.Id()}"),
            Body(met, target: new { value = 1, period = "2024-07" }, targets: new object[] { new { period = "2024-07", value = 140 } }));
        Assert.True((await TestTenant.ExpectProblem(disagree, HttpStatusCode.BadRequest)).Errors().ContainsKey("target"));
        var agree = await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{indicator.Id()}"),
            Body(met, target: new { value = 140, period = "2024-07" }, targets: new object[] { new { period = "2024-07", value = 140 } }));
        Assert.Equal([("E09000028", "2024-07", 140m)], Targets(await TestTenant.Expect(agree, HttpStatusCode.OK)));
        var cleared = await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{indicator.Id()}"), Body(met, targets: Array.Empty<object>()));
        var none = await TestTenant.Expect(cleared, HttpStatusCode.OK);
        Assert.Empty(Targets(none));
        Assert.Null(none["target"]);
    }

    public static TheoryData<string, string> BadTargets => new()
    {
        { """[{"area":"E05099999","period":"2024-06","value":20}]""", "targets[0].area" },   // not a registered area
        { """[{"area":"Southwark","period":"2024-06","value":20}]""", "targets[0].area" },   // not a GSS code
        { """[{"period":"2024-Q2","value":20}]""", "targets[0].period" },                    // not of the indicator's frequency
        { """[{"period":"2024-06"}]""", "targets[0].value" },
        { """[{"value":20}]""", "targets[0].period" },
        { """[{"period":"2024-06","value":-1}]""", "targets[0].value" },                     // a count is not negative
        { """[{"period":"2024-06","value":20},{"period":"202406","value":21}]""", "targets[1].period" },
        { """[{"period":"2024-06","value":20},{"area":"E09000028","period":"2024-06","value":21}]""", "targets[1].period" },
        { """[null]""", "targets[0]" },
    };

    [Theory]
    [MemberData(nameof(BadTargets))]
    public async Task A_bad_target_is_a_400_naming_it_and_nothing_is_written(string targets, string field)
    {
        var (t, met) = await SetupAsync();
        var indicator = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL", targets: new object[] { new { period = "2024-01", value = 200 } })).Id();
        var json = $$"""{"code":"ROB-PERSONAL","name":"Personal robbery","unit":"count","direction":"decrease","frequency":"monthly","sourceAgencyId":"{{met}}","targets":{{targets}}}""";

        var created = await t.Admin.PostAsync(t.Path("/indicators"), HttpKit.Raw(json.Replace("ROB-PERSONAL", "NEW")));
        var updated = await t.Admin.PutAsync(t.Path($"/indicators/{indicator}"), HttpKit.Raw(json));

        foreach (var response in new[] { created, updated })
        {
            var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
            Assert.True(problem.Errors().ContainsKey(field), $"no error for '{field}': {problem.ToJsonString()}");
        }
        Assert.Equal(1, await t.CountAsync("indicators"));
        Assert.Equal(1, await t.CountAsync("indicator_targets"));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100.5)]
    [InlineData(2.00001)]
    public async Task A_tolerance_outside_0_to_100_or_too_precise_is_a_400(decimal tolerance)
    {
        var (t, met) = await SetupAsync();
        var response = await t.Admin.PostAsJsonAsync(t.Path("/indicators"), Body(met, nearTolerancePercent: tolerance));
        Assert.True((await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest)).Errors().ContainsKey("nearTolerancePercent"));
    }

    [Fact]
    public async Task Changing_the_frequency_needs_targets_of_the_new_one()
    {
        var (t, met) = await SetupAsync();
        var indicator = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL", targets: new object[] { new { period = "2024-06", value = 200 } })).Id();

        var kept = await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{indicator}"), Body(met, frequency: "quarterly"));
        Assert.True((await TestTenant.ExpectProblem(kept, HttpStatusCode.BadRequest)).Errors().ContainsKey("targets"));
        var replaced = await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{indicator}"),
            Body(met, frequency: "quarterly", targets: new object[] { new { period = "2024-Q2", value = 600 } }));
        Assert.Equal([("E09000028", "2024-Q2", 600m)], Targets(await TestTenant.Expect(replaced, HttpStatusCode.OK)));
    }

    private static object Body(Guid met, object? target = null, object[]? targets = null, decimal? nearTolerancePercent = null,
        string frequency = "monthly") => new
        {
            code = "ROB-PERSONAL", name = "Personal robbery", unit = "count", direction = "decrease", frequency, sourceAgencyId = met, target, targets,
            nearTolerancePercent,
        };

    private static List<(string, string, decimal)> Targets(JsonObject indicator) =>
        indicator["targets"].Arr().Select(x => (x!["area"]!.GetValue<string>(), x["period"]!.GetValue<string>(), x["value"]!.GetValue<decimal>())).ToList();
}
