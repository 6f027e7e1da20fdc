using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Plans;

/// <summary>GET /plans/{id}: the whole plan in one document, whose ETag changes whenever anything inside changes.</summary>
[Collection(PlansCollection.Name)]
public sealed class PlanDocumentTests(CspApiFactory factory)
{
    [Fact]
    public async Task The_document_holds_priorities_in_order_with_their_commitments_partners_and_latest_update()
    {
        var t = await TestTenant.CreateAsync(factory);
        var council = await t.CreateAgencyAsync("LBS", "local_authority");
        var met = await t.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync("Southwark CSP Plan 2025-26");
        var drugs = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"),
            new { code = "P3", title = "Reducing drug-related harm", position = 3 }), HttpStatusCode.Created);
        var vawg = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"),
            new { code = "P1", title = "Tackling VAWG", leadAgencyId = council.Id(), position = 1 }), HttpStatusCode.Created);
        var spaces = await t.CreateCommitmentAsync(vawg.Id(), "P1-C1", "Night-time safety spaces", council.Id(), [met.Id()], "2025-04-01", "2026-03-31");
        var forum = await t.CreateCommitmentAsync(vawg.Id(), "P1-C2", "VAWG forum");
        await t.AddUpdateAsync(spaces.Id(), "on_track", "68 spaces");
        var latest = await t.AddUpdateAsync(spaces.Id(), "completed", "71 spaces open");

        var response = await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}"));

        var doc = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal(plan.Id(), doc.Id());
        Assert.Equal("Southwark CSP Plan 2025-26", doc.Str("title"));
        Assert.Equal("2025-04-01", doc.Str("periodStart"));
        Assert.Equal("draft", doc.Str("status"));
        // The document's strong ETag is a hash of its bytes (issue 5: it also follows observations and alignments, which do not
        // bump the plan's version); the version is still in the body.
        Assert.Matches("^\"[0-9a-f]{32}\"$", ETagOf(response));
        Assert.Equal(await factory.ScalarAsync<long>("SELECT version FROM plans WHERE id = @id", new { id = plan.Id().ToString() }), doc.Version());

        var priorities = doc["priorities"]!.AsArray();
        // Created second but positioned first.
        Assert.Equal(new[] { vawg.Id(), drugs.Id() }, priorities.Select(p => p!["id"]!.GetValue<Guid>()));
        var p1 = priorities[0]!.AsObject();
        Assert.Equal("P1", p1.Str("code"));
        Assert.Equal(council.Id(), p1["leadAgencyId"].GuidOrNull());
        Assert.Equal(1, p1["position"]!.GetValue<long>());
        Assert.Empty(priorities[1]!["commitments"]!.AsArray());

        var commitments = p1["commitments"]!.AsArray();
        Assert.Equal(new[] { spaces.Id(), forum.Id() }, commitments.Select(c => c!["id"]!.GetValue<Guid>()));
        var c1 = commitments[0]!.AsObject();
        Assert.Equal("completed", c1.Str("status"));
        Assert.Equal(new[] { met.Id() }, c1["partnerAgencyIds"].Guids());
        Assert.Equal(council.Id(), c1["leadAgencyId"].GuidOrNull());
        Assert.Equal("2026-03-31", c1.Str("dueDate"));
        Assert.Equal(latest.Id(), c1["latestUpdate"]!["id"]!.GetValue<Guid>());
        Assert.Equal("71 spaces open", c1["latestUpdate"]!["commentary"]!.GetValue<string>());
        var c2 = commitments[1]!.AsObject();
        Assert.Equal("not_started", c2.Str("status"));
        Assert.Null(c2["latestUpdate"]);
        Assert.Empty(c2["partnerAgencyIds"]!.AsArray());
    }

    [Fact]
    public async Task The_plan_version_and_ETag_change_with_every_change_inside_it_and_If_None_Match_follows()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync();
        var versions = new List<long>();
        var etag = await CurrentETag(t, plan.Id(), versions);

        async Task Changed(string what, Func<Task> change)
        {
            await change();
            var previous = etag;
            etag = await CurrentETag(t, plan.Id(), versions);
            Assert.True(versions[^1] > versions[^2], $"{what}: the plan version must increase ({versions[^2]} → {versions[^1]})");
            Assert.NotEqual(previous, etag);
            Assert.Equal(versions[^1], await factory.ScalarAsync<long>("SELECT version FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));

            var withOld = await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/plans/{plan.Id()}"), ifNoneMatch: previous);
            Assert.True(withOld.StatusCode == HttpStatusCode.OK, $"{what}: the old ETag must no longer match");
            Assert.Equal(etag, ETagOf(withOld));
            var withCurrent = await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/plans/{plan.Id()}"), ifNoneMatch: etag);
            Assert.True(withCurrent.StatusCode == HttpStatusCode.NotModified, $"{what}: the current ETag must give 304");
            Assert.Empty(await withCurrent.Content.ReadAsByteArrayAsync());
            Assert.Equal(etag, withCurrent.Headers.ETag?.Tag);
        }

        Guid priorityId = default, commitmentId = default;
        await Changed("create priority", async () => priorityId = (await t.CreatePriorityAsync(plan.Id(), "P1")).Id());
        await Changed("replace priority", async () => await TestTenant.Expect(
            await t.Admin.PutAsJsonAsync(t.Path($"/priorities/{priorityId}"), new { code = "P1", title = "Renamed" }), HttpStatusCode.OK));
        await Changed("create commitment", async () => commitmentId = (await t.CreateCommitmentAsync(priorityId, "C1")).Id());
        await Changed("replace commitment", async () => await TestTenant.Expect(
            await t.Admin.PutAsJsonAsync(t.Path($"/commitments/{commitmentId}"), new { code = "C1", title = "Renamed", partnerAgencyIds = new[] { met.Id() } }), HttpStatusCode.OK));
        await Changed("add update", () => t.AddUpdateAsync(commitmentId, "on_track", "Progress"));
        await Changed("delete commitment", async () => Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.DeleteAsync(t.Path($"/commitments/{commitmentId}"))).StatusCode));
        await Changed("delete priority", async () => Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.DeleteAsync(t.Path($"/priorities/{priorityId}"))).StatusCode));
        await Changed("approve", () => t.ApprovePlanAsync(plan.Id()));
    }

    [Fact]
    public async Task A_failed_write_inside_the_plan_does_not_change_its_ETag()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id(), "P1");
        await t.CreatePriorityAsync(plan.Id(), "P2");
        var commitment = await t.CreateCommitmentAsync(priority.Id(), "C1");
        var before = ETagOf(await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}")));

        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"), new { code = "P1", title = "Duplicate" }), "code");
        await ExpectInvalid(await t.Admin.PutAsJsonAsync(t.Path($"/priorities/{priority.Id()}"), new { code = "P2", title = "Duplicate" }), "code");
        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/priorities/{priority.Id()}/commitments"), new { code = "C1", title = "Duplicate" }), "code");
        await ExpectStale(await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/commitments/{commitment.Id()}"), new { code = "C1", title = "Stale" }, ifMatch: "\"9\""));
        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/commitments/{commitment.Id()}/updates"), new { status = "on_track", commentary = "" }), "commentary");

        var after = await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/plans/{plan.Id()}"), ifNoneMatch: before);
        Assert.Equal(HttpStatusCode.NotModified, after.StatusCode);
    }

    [Fact]
    public async Task A_changed_plan_does_not_change_the_ETag_of_another_plan()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync("Mine", "2025-04-01", "2026-03-31");
        var other = await t.CreatePlanAsync("Other", "2026-04-01", "2027-03-31");
        var before = ETagOf(await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}")));

        await t.CreatePriorityAsync(other.Id(), "P1");

        Assert.Equal(HttpStatusCode.NotModified,
            (await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/plans/{plan.Id()}"), ifNoneMatch: before)).StatusCode);
    }

    [Fact]
    public async Task If_None_Match_star_or_a_list_containing_the_ETag_gives_304()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var etag = ETagOf(await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}")));

        Assert.Equal(HttpStatusCode.NotModified, (await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/plans/{plan.Id()}"), ifNoneMatch: "*")).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/plans/{plan.Id()}"), ifNoneMatch: $"\"999\", {etag}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/plans/{plan.Id()}"), ifNoneMatch: $"W/{etag}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/plans/{plan.Id()}"), ifNoneMatch: "\"999\"")).StatusCode);
    }

    private static async Task<string> CurrentETag(TestTenant t, Guid planId, List<long> versions)
    {
        var response = await t.Admin.GetAsync(t.Path($"/plans/{planId}"));
        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        var etag = ETagOf(response);
        Assert.Matches("^\"[0-9a-f]{32}\"$", etag); // a hash of the document, not its version (issue 5)
        versions.Add(body.Version());
        return etag;
    }
}
