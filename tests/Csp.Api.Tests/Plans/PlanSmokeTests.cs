using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Plans;

[Collection(PlansCollection.Name)]
public sealed class PlanSmokeTests(CspApiFactory factory)
{
    [Fact]
    public async Task A_plan_with_a_priority_and_commitment_reads_back_as_one_document()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id(), leadAgencyId: met.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id(), partnerAgencyIds: [met.Id()]);
        var update = await t.Admin.PostAsJsonAsync(t.Path($"/commitments/{commitment.Id()}/updates"), new { status = "on_track", commentary = "71 spaces open" });
        await TestTenant.Expect(update, HttpStatusCode.Created);

        var doc = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}")), HttpStatusCode.OK);
        var c = doc["priorities"]![0]!["commitments"]![0]!;
        Assert.Equal("on_track", c["status"]!.GetValue<string>());
        Assert.Equal("71 spaces open", c["latestUpdate"]!["commentary"]!.GetValue<string>());
        Assert.Equal(met.Id(), c["partnerAgencyIds"]![0]!.GetValue<Guid>());
        Assert.Equal("on_track", await factory.ScalarAsync<string>("SELECT status FROM commitments WHERE id = @id", new { id = commitment.Id() }));
    }
}
