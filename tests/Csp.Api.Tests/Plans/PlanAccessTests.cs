using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Plans;

/// <summary>Scopes on the plan endpoints, and partnerships that cannot see each other's plans.</summary>
[Collection(PlansCollection.Name)]
public sealed class PlanAccessTests(CspApiFactory factory)
{
    [Fact]
    public async Task A_read_key_can_read_plans_but_not_write_them()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());
        var (reader, _, _) = await t.KeyAsync(["read"]);

        await TestTenant.Expect(await reader.GetAsync(t.Path("/plans")), HttpStatusCode.OK);
        await TestTenant.Expect(await reader.GetAsync(t.Path($"/plans/{plan.Id()}")), HttpStatusCode.OK);
        await TestTenant.Expect(await reader.GetAsync(t.Path($"/priorities/{priority.Id()}")), HttpStatusCode.OK);
        await TestTenant.Expect(await reader.GetAsync(t.Path($"/commitments/{commitment.Id()}/updates")), HttpStatusCode.OK);

        var denied = await TestTenant.ExpectProblem(await reader.PostAsJsonAsync(t.Path("/plans"),
            new { title = "Not allowed", periodStart = "2026-04-01", periodEnd = "2027-03-31" }), HttpStatusCode.Forbidden);
        Assert.Contains("plans:write", denied.Str("detail"));
        await TestTenant.ExpectProblem(await reader.PostAsync(t.Path($"/plans/{plan.Id()}/approve"), null), HttpStatusCode.Forbidden);
        await TestTenant.ExpectProblem(await reader.DeleteAsync(t.Path($"/plans/{plan.Id()}")), HttpStatusCode.Forbidden);
        await TestTenant.ExpectProblem(await reader.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"), new { code = "P2", title = "No" }), HttpStatusCode.Forbidden);
        await TestTenant.ExpectProblem(await reader.PostAsJsonAsync(t.Path($"/priorities/{priority.Id()}/commitments"), new { code = "C2", title = "No" }), HttpStatusCode.Forbidden);
        await TestTenant.ExpectProblem(await reader.PostAsJsonAsync(t.Path($"/commitments/{commitment.Id()}/updates"), new { status = "on_track", commentary = "No" }), HttpStatusCode.Forbidden);

        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id", t.Id));
        Assert.Equal("draft", await factory.ScalarAsync<string>("SELECT status FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE plan_id = @id", plan.Id()));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE priority_id = @id", priority.Id()));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitment_updates WHERE commitment_id = @id", commitment.Id()));
    }

    [Fact]
    public async Task A_plans_write_key_can_create_plans_and_their_contents()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (writer, _, writerId) = await t.KeyAsync(["plans:write"]);

        var plan = await TestTenant.Expect(await writer.PostAsJsonAsync(t.Path("/plans"),
            new { title = "Written by an officer", periodStart = "2025-04-01", periodEnd = "2026-03-31" }), HttpStatusCode.Created);
        var priority = await TestTenant.Expect(await writer.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"), new { code = "P1", title = "P" }), HttpStatusCode.Created);
        var commitment = await TestTenant.Expect(await writer.PostAsJsonAsync(t.Path($"/priorities/{priority.Id()}/commitments"), new { code = "C1", title = "C" }), HttpStatusCode.Created);
        await t.AddUpdateAsync(commitment.Id(), "on_track", "By the writer", writer);

        Assert.Equal(t.Id, await factory.ScalarAsync<Guid>("SELECT partnership_id FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE priority_id = @id", priority.Id()));
        Assert.Equal(writerId, await factory.ScalarAsync<Guid>("SELECT client_id FROM commitment_updates WHERE commitment_id = @id", new { id = commitment.Id().ToString() }));
    }

    [Fact]
    public async Task A_key_without_read_or_plans_write_cannot_touch_plans()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var (pusher, _, _) = await t.KeyAsync(["observations:write"]);

        await TestTenant.ExpectProblem(await pusher.GetAsync(t.Path($"/plans/{plan.Id()}")), HttpStatusCode.Forbidden);
        await TestTenant.ExpectProblem(await pusher.PostAsJsonAsync(t.Path("/plans"),
            new { title = "No", periodStart = "2025-04-01", periodEnd = "2026-03-31" }), HttpStatusCode.Forbidden);

        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id", t.Id));
    }

    [Fact]
    public async Task Without_a_valid_key_plans_are_a_401_problem()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();

        await TestTenant.ExpectProblem(await factory.ClientWithKey(null).GetAsync(t.Path($"/plans/{plan.Id()}")), HttpStatusCode.Unauthorized);
        await TestTenant.ExpectProblem(await factory.ClientWithKey("csp_nope_nope").PostAsJsonAsync(t.Path("/plans"),
            new { title = "No", periodStart = "2025-04-01", periodEnd = "2026-03-31" }), HttpStatusCode.Unauthorized);

        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id", t.Id));
    }

    [Fact]
    public async Task A_key_of_another_partnership_gets_404_for_this_partnerships_ids_and_changes_nothing()
    {
        var a = await TestTenant.CreateAsync(factory, "a");
        var b = await TestTenant.CreateAsync(factory, "b");
        var plan = await b.CreatePlanAsync();
        var priority = await b.CreatePriorityAsync(plan.Id());
        var commitment = await b.CreateCommitmentAsync(priority.Id());
        await b.AddUpdateAsync(commitment.Id(), "on_track", "B's progress");
        var bPlanVersion = await factory.ScalarAsync<long>("SELECT version FROM plans WHERE id = @id", new { id = plan.Id().ToString() });

        // A's own slug with B's ids: the same answer as ids that do not exist.
        await ExpectNotFound(await a.Admin.GetAsync(a.Path($"/plans/{plan.Id()}")));
        await ExpectNotFound(await a.Admin.PutAsJsonAsync(a.Path($"/plans/{plan.Id()}"), new { title = "Hijacked", periodStart = "2025-04-01", periodEnd = "2026-03-31" }));
        await ExpectNotFound(await a.Admin.PostAsync(a.Path($"/plans/{plan.Id()}/approve"), null));
        await ExpectNotFound(await a.Admin.PostAsync(a.Path($"/plans/{plan.Id()}/archive"), null));
        await ExpectNotFound(await a.Admin.DeleteAsync(a.Path($"/plans/{plan.Id()}")));
        await ExpectNotFound(await a.Admin.GetAsync(a.Path($"/plans/{plan.Id()}/priorities")));
        await ExpectNotFound(await a.Admin.PostAsJsonAsync(a.Path($"/plans/{plan.Id()}/priorities"), new { code = "P9", title = "Planted" }));
        await ExpectNotFound(await a.Admin.GetAsync(a.Path($"/priorities/{priority.Id()}")));
        await ExpectNotFound(await a.Admin.PutAsJsonAsync(a.Path($"/priorities/{priority.Id()}"), new { code = "P1", title = "Hijacked" }));
        await ExpectNotFound(await a.Admin.DeleteAsync(a.Path($"/priorities/{priority.Id()}")));
        await ExpectNotFound(await a.Admin.GetAsync(a.Path($"/priorities/{priority.Id()}/commitments")));
        await ExpectNotFound(await a.Admin.PostAsJsonAsync(a.Path($"/priorities/{priority.Id()}/commitments"), new { code = "C9", title = "Planted" }));
        await ExpectNotFound(await a.Admin.GetAsync(a.Path($"/commitments/{commitment.Id()}")));
        await ExpectNotFound(await a.Admin.PutAsJsonAsync(a.Path($"/commitments/{commitment.Id()}"), new { code = "C1", title = "Hijacked" }));
        await ExpectNotFound(await a.Admin.DeleteAsync(a.Path($"/commitments/{commitment.Id()}")));
        await ExpectNotFound(await a.Admin.GetAsync(a.Path($"/commitments/{commitment.Id()}/updates")));
        await ExpectNotFound(await a.Admin.PostAsJsonAsync(a.Path($"/commitments/{commitment.Id()}/updates"), new { status = "cancelled", commentary = "Planted" }));

        // B's slug with A's key: the partnership itself is hidden.
        await ExpectNotFound(await a.Admin.GetAsync(b.Path($"/plans/{plan.Id()}")));
        await ExpectNotFound(await a.Admin.PostAsJsonAsync(b.Path($"/commitments/{commitment.Id()}/updates"), new { status = "cancelled", commentary = "Planted" }));

        // A's list never shows B's plans.
        Assert.Empty((await a.GetOkAsync("/plans"))["items"]!.AsArray());

        Assert.Equal(bPlanVersion, await factory.ScalarAsync<long>("SELECT version FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
        Assert.Equal("draft", await factory.ScalarAsync<string>("SELECT status FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE plan_id = @id", plan.Id()));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE priority_id = @id", priority.Id()));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM commitment_updates WHERE commitment_id = @id", commitment.Id()));
        Assert.Equal("on_track", await factory.ScalarAsync<string>("SELECT status FROM commitments WHERE id = @id", new { id = commitment.Id().ToString() }));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id", a.Id));
    }
}
