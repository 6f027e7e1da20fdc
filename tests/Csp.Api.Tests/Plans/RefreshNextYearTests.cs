using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Plans;

/// <summary>Issue 20, point 3: a refresh that fits next year (dates shifted, finished work left behind, one draft per period,
/// safe to retry), and a diff that compares with the refreshed plan by default.</summary>
[Collection(ApiCollection.Name)]
public sealed class RefreshNextYearTests(CspApiFactory factory)
{
    private async Task<(TestTenant T, Guid PlanId)> ArrangeAsync()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync("Plan 2027-28", "2027-04-01", "2028-03-31");
        var p1 = await t.CreatePriorityAsync(plan.Id(), "P1", "Reducing violence");
        await t.CreateCommitmentAsync(p1.Id(), "C1", "Hotspot patrols", startDate: "2027-04-01", dueDate: "2028-03-31");
        var done = await t.CreateCommitmentAsync(p1.Id(), "C2", "Wardens' body-worn cameras", startDate: "2027-06-15", dueDate: "2028-02-29");
        var dropped = await t.CreateCommitmentAsync(p1.Id(), "C3", "Street drinking pilot");
        await t.AddUpdateAsync(done.Id(), "completed", "Issued to all wardens");
        await t.AddUpdateAsync(dropped.Id(), "cancelled", "Folded into the estates programme");
        await t.ApprovePlanAsync(plan.Id());
        return (t, plan.Id());
    }

    private static object Body(string start = "2028-04-01", string end = "2029-03-31", bool? shiftDates = null, string[]? include = null) =>
        new { title = "Plan 2028-29", periodStart = start, periodEnd = end, shiftDates, include };

    private static IEnumerable<System.Text.Json.Nodes.JsonObject> Commitments(System.Text.Json.Nodes.JsonObject doc) =>
        doc["priorities"]!.AsArray().SelectMany(p => p!["commitments"]!.AsArray()).Select(c => c!.AsObject());

    [Fact]
    public async Task Dates_move_by_whole_months_and_completed_and_cancelled_commitments_stay_behind_unless_included()
    {
        var (t, planId) = await ArrangeAsync();

        var body = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{planId}/refresh"), Body()), HttpStatusCode.Created);

        Assert.Equal((1, 2), (body["commitments"]!.GetValue<int>(), body["leftOut"]!.GetValue<int>()));
        var doc = await t.GetOkAsync($"/plans/{body["plan"]!.AsObject().Id()}");
        var c1 = Assert.Single(Commitments(doc));
        Assert.Equal(("C1", "2028-04-01", "2029-03-31"), (c1.Str("code"), c1.Str("startDate"), c1.Str("dueDate")));

        var all = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{planId}/refresh"),
            Body("2029-04-01", "2030-03-31", include: ["completed", "cancelled"])), HttpStatusCode.Created);
        Assert.Equal((3, 0), (all["commitments"]!.GetValue<int>(), all["leftOut"]!.GetValue<int>()));
        var c2 = Commitments(await t.GetOkAsync($"/plans/{all["plan"]!.AsObject().Id()}")).Single(c => c.Str("code") == "C2");
        // Two years on: 15 June stays 15 June; 29 February (2028) becomes 28 February (2030).
        Assert.Equal(("2029-06-15", "2030-02-28", "not_started"), (c2.Str("startDate"), c2.Str("dueDate"), c2.Str("status")));

        var asIs = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{planId}/refresh"),
            Body("2030-04-01", "2031-03-31", shiftDates: false)), HttpStatusCode.Created);
        var kept = Assert.Single(Commitments(await t.GetOkAsync($"/plans/{asIs["plan"]!.AsObject().Id()}")));
        Assert.Equal(("2027-04-01", "2028-03-31"), (kept.Str("startDate"), kept.Str("dueDate")));

        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{planId}/refresh"), Body("2031-04-01", "2032-03-31", include: ["on_track"])), "include");
    }

    [Fact]
    public async Task A_second_draft_from_the_same_plan_may_not_overlap_the_first_and_nothing_is_written()
    {
        var (t, planId) = await ArrangeAsync();
        var first = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{planId}/refresh"), Body()), HttpStatusCode.Created);
        var plans = await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id", t.Id);
        var events = await Frameworks.FrameworkTestKit.AuditCountAsync(t);

        var overlapping = await ExpectConflict(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{planId}/refresh"), Body("2028-10-01", "2029-09-30")));

        Assert.Contains(first["plan"]!.AsObject().Id().ToString(), overlapping.Str("detail"));
        Assert.Equal(plans, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id", t.Id));
        Assert.Equal(events, await Frameworks.FrameworkTestKit.AuditCountAsync(t));
        // Another period is fine; so is the same period once the first draft is gone.
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{planId}/refresh"), Body("2029-04-01", "2030-03-31")), HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.DeleteAsync(t.Path($"/plans/{first["plan"]!.AsObject().Id()}"))).StatusCode);
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{planId}/refresh"), Body()), HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_retried_refresh_with_the_same_Idempotency_Key_replays_the_first_and_creates_one_draft()
    {
        var (t, planId) = await ArrangeAsync();
        async Task<HttpResponseMessage> Send()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, t.Path($"/plans/{planId}/refresh")) { Content = JsonContent.Create(Body()) };
            request.Headers.Add("Idempotency-Key", "refresh-2028-29");
            return await t.Admin.SendAsync(request);
        }

        var first = await TestTenant.Expect(await Send(), HttpStatusCode.Created);
        var retry = await Send();

        var replayed = await TestTenant.Expect(retry, HttpStatusCode.Created);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first["plan"]!.AsObject().Id(), replayed["plan"]!.AsObject().Id());
        Assert.Equal(1, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM plans WHERE supersedes_id = @id", new { id = planId.ToString() }));
    }

    [Fact]
    public async Task The_diff_compares_with_the_plan_a_refresh_supersedes_by_default()
    {
        var (t, planId) = await ArrangeAsync();
        var body = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{planId}/refresh"), Body()), HttpStatusCode.Created);
        var newId = body["plan"]!.AsObject().Id();

        var diff = await t.GetOkAsync($"/plans/{newId}/diff");

        Assert.Equal(planId, diff["againstId"]!.GetValue<Guid>());
        Assert.Equal(["C2", "C3"], diff["commitments"]!["removed"]!.AsArray().Select(c => c!["code"]!.GetValue<string>()).Order());
        await ExpectInvalid(await t.Admin.GetAsync(t.Path($"/plans/{planId}/diff")), "against");
    }
}
