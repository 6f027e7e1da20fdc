using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Plans;

/// <summary>An archived plan is read-only: nothing inside it can be created, changed or removed (409).</summary>
[Collection(PlansCollection.Name)]
public sealed class ArchivedPlanTests(CspApiFactory factory)
{
    private sealed record Archived(TestTenant Tenant, Guid PlanId, Guid PriorityId, Guid CommitmentId, long PlanVersion);

    private async Task<Archived> ArchivedPlanAsync()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id(), "P1", "Original priority");
        var commitment = await t.CreateCommitmentAsync(priority.Id(), "C1", "Original commitment");
        await t.AddUpdateAsync(commitment.Id(), "on_track", "Original update");
        await t.ApprovePlanAsync(plan.Id());
        var archived = await t.ArchivePlanAsync(plan.Id());
        return new Archived(t, plan.Id(), priority.Id(), commitment.Id(), archived.Version());
    }

    private async Task AssertUnchanged(Archived a)
    {
        Assert.Equal(a.PlanVersion, await factory.ScalarAsync<long>("SELECT version FROM plans WHERE id = @id", new { id = a.PlanId.ToString() }));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE plan_id = @id", a.PlanId));
        Assert.Equal("Original priority", await factory.ScalarAsync<string>("SELECT title FROM priorities WHERE id = @id", new { id = a.PriorityId.ToString() }));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE priority_id = @id", a.PriorityId));
        Assert.Equal("Original commitment", await factory.ScalarAsync<string>("SELECT title FROM commitments WHERE id = @id", new { id = a.CommitmentId.ToString() }));
        Assert.Equal("on_track", await factory.ScalarAsync<string>("SELECT status FROM commitments WHERE id = @id", new { id = a.CommitmentId.ToString() }));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM commitment_updates WHERE commitment_id = @id", a.CommitmentId));
    }

    [Fact]
    public async Task Priorities_cannot_be_added_changed_or_removed()
    {
        var a = await ArchivedPlanAsync();
        var t = a.Tenant;

        var created = await ExpectConflict(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{a.PlanId}/priorities"), new { code = "P2", title = "Too late" }));
        Assert.Contains("archived", created.Str("detail"));
        await ExpectConflict(await t.Admin.PutAsJsonAsync(t.Path($"/priorities/{a.PriorityId}"), new { code = "P1", title = "Rewritten" }));
        await ExpectConflict(await t.Admin.DeleteAsync(t.Path($"/priorities/{a.PriorityId}")));

        await AssertUnchanged(a);
    }

    [Fact]
    public async Task Commitments_cannot_be_added_changed_or_removed()
    {
        var a = await ArchivedPlanAsync();
        var t = a.Tenant;

        await ExpectConflict(await t.Admin.PostAsJsonAsync(t.Path($"/priorities/{a.PriorityId}/commitments"), new { code = "C2", title = "Too late" }));
        await ExpectConflict(await t.Admin.PutAsJsonAsync(t.Path($"/commitments/{a.CommitmentId}"), new { code = "C1", title = "Rewritten" }));
        await ExpectConflict(await t.Admin.DeleteAsync(t.Path($"/commitments/{a.CommitmentId}")));

        await AssertUnchanged(a);
    }

    [Fact]
    public async Task Progress_cannot_be_recorded()
    {
        var a = await ArchivedPlanAsync();
        var t = a.Tenant;

        await ExpectConflict(await t.Admin.PostAsJsonAsync(t.Path($"/commitments/{a.CommitmentId}/updates"), new { status = "completed", commentary = "Too late" }));

        await AssertUnchanged(a);
    }

    [Fact]
    public async Task Its_contents_can_still_be_read()
    {
        var a = await ArchivedPlanAsync();
        var t = a.Tenant;

        var doc = await t.GetOkAsync($"/plans/{a.PlanId}");
        Assert.Equal("archived", doc.Str("status"));
        Assert.Single(doc["priorities"]!.AsArray());
        await t.GetOkAsync($"/priorities/{a.PriorityId}");
        await t.GetOkAsync($"/commitments/{a.CommitmentId}");
        Assert.Single((await t.GetOkAsync($"/commitments/{a.CommitmentId}/updates"))["items"]!.AsArray());
    }
}
