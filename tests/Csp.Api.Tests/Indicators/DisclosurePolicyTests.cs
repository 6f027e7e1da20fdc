using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Indicators;

/// <summary>Issue 16, point 2: an indicator's disclosure policy is set, kept and refused through HTTP.</summary>
[Collection(ApiCollection.Name)]
public sealed class DisclosurePolicyTests(CspApiFactory factory)
{
    private static object Body(Guid agencyId, object? disclosure) => new
    {
        code = "VAWG-HOSP", name = "VAWG hospital admissions", unit = "count", direction = "decrease", frequency = "monthly",
        sourceAgencyId = agencyId, disclosure,
    };

    [Fact]
    public async Task A_new_indicator_publishes_as_it_is_until_a_policy_is_set_and_a_replacement_without_one_keeps_it()
    {
        var t = await TestTenant.CreateAsync(factory);
        var icb = await t.CreateAgencyAsync("ICB", "health");

        var plain = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), Body(icb.Id(), null)), HttpStatusCode.Created);
        Assert.Equal("none", plain["disclosure"]!["rule"]!.GetValue<string>());
        Assert.Null(plain["disclosure"]!["threshold"]);

        var path = t.Path($"/indicators/{plain.Id()}");
        var set = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(path, Body(icb.Id(), new { rule = "suppress_below", threshold = 5 })),
            HttpStatusCode.OK);
        Assert.Equal("suppress_below", set["disclosure"]!["rule"]!.GetValue<string>());
        Assert.Equal(5, set["disclosure"]!["threshold"]!.GetValue<int>());

        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(path, Body(icb.Id(), null)), HttpStatusCode.OK);
        var kept = await TestTenant.Expect(await t.Admin.GetAsync(path), HttpStatusCode.OK);
        Assert.Equal("suppress_below", kept["disclosure"]!["rule"]!.GetValue<string>());
        Assert.Equal(5, kept["disclosure"]!["threshold"]!.GetValue<int>());

        var nhs = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(path, Body(icb.Id(), new { rule = "nhs_small_numbers" })), HttpStatusCode.OK);
        Assert.Equal("nhs_small_numbers", nhs["disclosure"]!["rule"]!.GetValue<string>());
        Assert.Null(nhs["disclosure"]!["threshold"]);

        var byDefault = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(path, Body(icb.Id(), new { rule = "suppress_below" })), HttpStatusCode.OK);
        Assert.Equal(5, byDefault["disclosure"]!["threshold"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("suppress_below", 1, "disclosure.threshold")]
    [InlineData("nhs_small_numbers", 5, "disclosure.threshold")]
    [InlineData(null, null, "disclosure.rule")]
    public async Task A_policy_that_does_not_hold_together_is_refused(string? rule, int? threshold, string field)
    {
        var t = await TestTenant.CreateAsync(factory);
        var icb = await t.CreateAgencyAsync("ICB", "health");

        var problem = await TestTenant.ExpectProblem(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), Body(icb.Id(), new { rule, threshold })),
            HttpStatusCode.BadRequest);

        Assert.NotNull(problem["errors"]![field]);
        Assert.Empty((await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/indicators")), HttpStatusCode.OK))["items"]!.AsArray());
    }
}
