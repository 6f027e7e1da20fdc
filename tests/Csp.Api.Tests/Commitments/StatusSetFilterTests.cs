using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Commitments;

/// <summary>Filters that take a set take it as a comma list: <c>status=off_track,at_risk</c> keeps either.</summary>
[Collection(ApiCollection.Name)]
public sealed class StatusSetFilterTests(CspApiFactory factory)
{
    [Fact]
    public async Task A_comma_list_of_statuses_keeps_commitments_of_any_of_them()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var statuses = new[] { "off_track", "at_risk", "on_track", "completed" };
        foreach (var (status, i) in statuses.Select((s, i) => (s, i)))
        {
            var c = await t.CreateCommitmentAsync(priority.Id(), code: $"C{i}", title: $"Commitment {i}");
            await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/commitments/{c.Id()}/updates"), new { status, commentary = "update" }),
                HttpStatusCode.Created);
        }

        var page = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}/commitments?status=off_track,at_risk")), HttpStatusCode.OK);
        var plans = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/plans?status=draft,approved")), HttpStatusCode.OK);
        var bad = await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}/commitments?status=off_track,late"));

        Assert.Equal(["at_risk", "off_track"], page["items"]!.AsArray().Select(c => c!["status"]!.GetValue<string>()).Order());
        Assert.Single(plans["items"]!.AsArray());
        await TestTenant.ExpectProblem(bad, HttpStatusCode.BadRequest);
    }
}
