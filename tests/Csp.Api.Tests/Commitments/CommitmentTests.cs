using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Commitments;

/// <summary>Commitments of a priority: create, partner agencies, dates, codes, list, get, replace, delete.</summary>
[Collection(ApiCollection.Name)]
public sealed class CommitmentTests(CspApiFactory factory)
{
    [Fact]
    public async Task Creating_a_commitment_returns_201_not_started_with_its_partners_and_stores_them()
    {
        var t = await TestTenant.CreateAsync(factory);
        var council = await t.CreateAgencyAsync("LBS", "local_authority");
        var met = await t.CreateAgencyAsync("MET");
        var cgl = await t.CreateAgencyAsync("CGL", "voluntary");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());

        var response = await t.Admin.PostAsJsonAsync(t.Path($"/priorities/{priority.Id()}/commitments"), new
        {
            code = "P1-C1", title = "Night-time safety spaces", description = "71 spaces across the borough",
            leadAgencyId = council.Id(), partnerAgencyIds = new[] { met.Id(), cgl.Id() }, startDate = "2025-04-01", dueDate = "2026-03-31",
        });

        var body = await TestTenant.Expect(response, HttpStatusCode.Created);
        var id = body.Id();
        Assert.Equal(t.Path($"/commitments/{id}"), response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", ETagOf(response));
        Assert.Equal(priority.Id(), body["priorityId"]!.GetValue<Guid>());
        Assert.Equal("P1-C1", body.Str("code"));
        Assert.Equal("Night-time safety spaces", body.Str("title"));
        Assert.Equal("71 spaces across the borough", body.Str("description"));
        Assert.Equal(council.Id(), body["leadAgencyId"].GuidOrNull());
        Assert.Equal(new[] { met.Id(), cgl.Id() }.Order(), body["partnerAgencyIds"].Guids().Order());
        Assert.Equal("2025-04-01", body.Str("startDate"));
        Assert.Equal("2026-03-31", body.Str("dueDate"));
        Assert.Equal("not_started", body.Str("status"));
        Assert.Null(body["latestUpdate"]);
        Assert.Equal(1, body.Version());

        var row = Assert.Single(await factory.QueryAsync<CommitmentRow>("""
            SELECT partnership_id AS PartnershipId, priority_id AS PriorityId, code AS Code, title AS Title, lead_agency_id AS LeadAgencyId,
                   start_date AS StartDate, due_date AS DueDate, status AS Status, latest_update_id AS LatestUpdateId, version AS Version
            FROM commitments WHERE id = @id
            """, new { id = id.ToString() }));
        Assert.Equal(new CommitmentRow(t.Id, priority.Id(), "P1-C1", "Night-time safety spaces", council.Id(),
            new DateOnly(2025, 4, 1), new DateOnly(2026, 3, 31), "not_started", null, 1), row);
        Assert.Equal(new[] { met.Id(), cgl.Id() }.Order(), await Partners(id));
        Assert.Equal(new[] { t.Id }, await factory.QueryAsync<Guid>(
            "SELECT DISTINCT partnership_id FROM commitment_partners WHERE commitment_id = @id", new { id = id.ToString() }));

        var fetched = await TestTenant.Expect(await t.Admin.GetAsync(response.Headers.Location), HttpStatusCode.OK);
        Assert.Equal(id, fetched.Id());
    }

    [Fact]
    public async Task A_commitment_with_only_code_and_title_has_no_partners_dates_or_lead()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());

        var body = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/priorities/{priority.Id()}/commitments"),
            new { code = "C1", title = "VAWG forum" }), HttpStatusCode.Created);

        Assert.Empty(body["partnerAgencyIds"]!.AsArray());
        Assert.Null(body["startDate"]);
        Assert.Null(body["dueDate"]);
        Assert.Null(body["leadAgencyId"]);
        Assert.Equal("not_started", body.Str("status"));
        Assert.Empty(await Partners(body.Id()));
    }

    [Fact]
    public async Task Replacing_a_commitment_replaces_its_partner_agencies()
    {
        var t = await TestTenant.CreateAsync(factory);
        var a = await t.CreateAgencyAsync("A");
        var b = await t.CreateAgencyAsync("B");
        var c = await t.CreateAgencyAsync("C");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id(), partnerAgencyIds: [a.Id(), b.Id()]);

        var response = await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/commitments/{commitment.Id()}"),
            new { code = "C1", title = "Night-time safety spaces", partnerAgencyIds = new[] { b.Id(), c.Id() } }, ifMatch: "\"1\"");

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal(new[] { b.Id(), c.Id() }.Order(), body["partnerAgencyIds"].Guids().Order());
        Assert.Equal(2, body.Version());
        Assert.Equal("\"2\"", ETagOf(response));
        Assert.Equal(new[] { b.Id(), c.Id() }.Order(), await Partners(commitment.Id()));

        // An empty list (or none) leaves no partners.
        var cleared = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/commitments/{commitment.Id()}"),
            new { code = "C1", title = "Night-time safety spaces", partnerAgencyIds = Array.Empty<Guid>() }), HttpStatusCode.OK);
        Assert.Empty(cleared["partnerAgencyIds"]!.AsArray());
        Assert.Empty(await Partners(commitment.Id()));
    }

    [Fact]
    public async Task A_partner_agency_of_another_partnership_is_a_400_on_partnerAgencyIds_and_nothing_is_stored()
    {
        var t = await TestTenant.CreateAsync(factory);
        var other = await TestTenant.CreateAsync(factory);
        var mine = await t.CreateAgencyAsync("MET");
        var foreign = await other.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());

        var body = await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/priorities/{priority.Id()}/commitments"),
            new { code = "C1", title = "Borrowed partner", partnerAgencyIds = new[] { mine.Id(), foreign.Id() } }), "partnerAgencyIds");

        Assert.Contains(foreign.Id().ToString(), body["errors"]!["partnerAgencyIds"]![0]!.GetValue<string>());
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE priority_id = @id", priority.Id()));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitment_partners WHERE agency_id = @id", mine.Id()));
    }

    [Fact]
    public async Task Replacing_with_a_partner_agency_of_another_partnership_is_a_400_and_keeps_the_old_partners()
    {
        var t = await TestTenant.CreateAsync(factory);
        var other = await TestTenant.CreateAsync(factory);
        var mine = await t.CreateAgencyAsync("MET");
        var foreign = await other.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id(), partnerAgencyIds: [mine.Id()]);

        await ExpectInvalid(await t.Admin.PutAsJsonAsync(t.Path($"/commitments/{commitment.Id()}"),
            new { code = "C1", title = "Borrowed", partnerAgencyIds = new[] { foreign.Id() } }), "partnerAgencyIds");

        Assert.Equal(new[] { mine.Id() }, await Partners(commitment.Id()));
        Assert.Equal(1, await factory.ScalarAsync<long>("SELECT version FROM commitments WHERE id = @id", new { id = commitment.Id().ToString() }));
    }

    [Fact]
    public async Task A_lead_agency_of_another_partnership_is_a_400_on_leadAgencyId()
    {
        var t = await TestTenant.CreateAsync(factory);
        var other = await TestTenant.CreateAsync(factory);
        var foreign = await other.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());

        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/priorities/{priority.Id()}/commitments"),
            new { code = "C1", title = "Borrowed lead", leadAgencyId = foreign.Id() }), "leadAgencyId");

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE priority_id = @id", priority.Id()));
    }

    [Fact]
    public async Task Listing_the_same_partner_twice_is_a_400_on_partnerAgencyIds()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());

        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/priorities/{priority.Id()}/commitments"),
            new { code = "C1", title = "Twice", partnerAgencyIds = new[] { met.Id(), met.Id() } }), "partnerAgencyIds");

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE priority_id = @id", priority.Id()));
    }

    [Fact]
    public async Task A_due_date_before_the_start_date_is_a_400_on_dueDate()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());

        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/priorities/{priority.Id()}/commitments"),
            new { code = "C1", title = "Backwards", startDate = "2025-06-01", dueDate = "2025-05-31" }), "dueDate");

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE priority_id = @id", priority.Id()));

        // The same day, or only one of the two dates, is fine.
        await t.CreateCommitmentAsync(priority.Id(), "C2", startDate: "2025-06-01", dueDate: "2025-06-01");
        await t.CreateCommitmentAsync(priority.Id(), "C3", dueDate: "2025-01-01");
    }

    [Fact]
    public async Task A_duplicate_code_within_a_priority_is_a_400_on_code_but_another_priority_may_reuse_it()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var p1 = await t.CreatePriorityAsync(plan.Id(), "P1");
        var p2 = await t.CreatePriorityAsync(plan.Id(), "P2");
        await t.CreateCommitmentAsync(p1.Id(), "C1", "First");

        var body = await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/priorities/{p1.Id()}/commitments"), new { code = "C1", title = "Second" }), "code");
        Assert.Contains("C1", body["errors"]!["code"]![0]!.GetValue<string>());
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE priority_id = @id", p1.Id()));

        await t.CreateCommitmentAsync(p2.Id(), "C1", "Same code elsewhere");
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE priority_id = @id", p2.Id()));
    }

    [Fact]
    public async Task Renaming_a_commitment_to_a_code_its_priority_already_has_is_a_400_on_code()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        await t.CreateCommitmentAsync(priority.Id(), "C1");
        var second = await t.CreateCommitmentAsync(priority.Id(), "C2");

        await ExpectInvalid(await t.Admin.PutAsJsonAsync(t.Path($"/commitments/{second.Id()}"), new { code = "C1", title = "Clash" }), "code");

        Assert.Equal("C2", await factory.ScalarAsync<string>("SELECT code FROM commitments WHERE id = @id", new { id = second.Id().ToString() }));
    }

    [Theory]
    [InlineData("{\"title\":\"No code\"}", "code")]
    [InlineData("{\"code\":\"c1\",\"title\":\"Lower case\"}", "code")]
    [InlineData("{\"code\":\"C1\"}", "title")]
    [InlineData("{\"code\":\"C1\",\"title\":\"Bad date\",\"startDate\":\"2025-13-01\"}", "startDate")]
    [InlineData("{\"code\":\"C1\",\"title\":\"Bad id\",\"partnerAgencyIds\":[\"not-a-guid\"]}", "partnerAgencyIds[0]")]
    [InlineData("{\"code\":\"C1\",\"title\":\"Born complete\",\"status\":\"completed\"}", "status")]
    public async Task Bad_commitment_bodies_are_400s_naming_the_field(string json, string field)
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());

        await ExpectInvalid(await t.Admin.PostAsync(t.Path($"/priorities/{priority.Id()}/commitments"),
            new StringContent(json, System.Text.Encoding.UTF8, "application/json")), field);

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE priority_id = @id", priority.Id()));
    }

    [Fact]
    public async Task Replacing_a_commitment_keeps_its_status_and_latest_update()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id(), "C1", "Old");
        var update = await t.AddUpdateAsync(commitment.Id(), "at_risk", "Behind schedule");

        var body = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/commitments/{commitment.Id()}"),
            new { code = "C1", title = "New", startDate = "2025-04-01", dueDate = "2025-09-30" }), HttpStatusCode.OK);

        Assert.Equal("New", body.Str("title"));
        Assert.Equal("at_risk", body.Str("status"));
        Assert.Equal(update.Id(), body["latestUpdate"]!["id"]!.GetValue<Guid>());
        Assert.Equal(3, body.Version()); // created 1, update 2, replace 3
        Assert.Equal("at_risk", await factory.ScalarAsync<string>("SELECT status FROM commitments WHERE id = @id", new { id = commitment.Id().ToString() }));
        Assert.Equal(new DateOnly(2025, 9, 30), await factory.ScalarAsync<DateOnly>("SELECT due_date FROM commitments WHERE id = @id", new { id = commitment.Id().ToString() }));
    }

    [Fact]
    public async Task Replacing_a_commitment_with_a_stale_ETag_is_a_412_and_changes_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id(), "C1", "Original", partnerAgencyIds: [met.Id()]);
        await t.AddUpdateAsync(commitment.Id(), "on_track", "Moving"); // version 2

        await ExpectStale(await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/commitments/{commitment.Id()}"),
            new { code = "C1", title = "Overwrite", partnerAgencyIds = Array.Empty<Guid>() }, ifMatch: "\"1\""));

        Assert.Equal("Original", await factory.ScalarAsync<string>("SELECT title FROM commitments WHERE id = @id", new { id = commitment.Id().ToString() }));
        Assert.Equal(new[] { met.Id() }, await Partners(commitment.Id()));
    }

    [Fact]
    public async Task Getting_a_commitment_sends_its_ETag_and_304_when_it_matches()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());

        var response = await t.Admin.GetAsync(t.Path($"/commitments/{commitment.Id()}"));
        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal(commitment.Id(), body.Id());
        Assert.Equal("\"1\"", ETagOf(response));

        var notModified = await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/commitments/{commitment.Id()}"), ifNoneMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        await t.AddUpdateAsync(commitment.Id(), "on_track", "Changed");
        var changed = await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/commitments/{commitment.Id()}"), ifNoneMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("\"2\"", ETagOf(changed));
    }

    [Fact]
    public async Task Listing_a_priorities_commitments_pages_in_creation_order_and_stays_within_the_priority()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id(), "P1");
        var other = await t.CreatePriorityAsync(plan.Id(), "P2");
        await t.CreateCommitmentAsync(other.Id(), "X1");
        var ids = new List<Guid>();
        foreach (var code in new[] { "C3", "C1", "C2" })
            ids.Add((await t.CreateCommitmentAsync(priority.Id(), code)).Id());

        var first = await t.GetOkAsync($"/priorities/{priority.Id()}/commitments?limit=2");
        Assert.Equal(ids.Take(2), first.ItemIds());
        var second = await t.GetOkAsync($"/priorities/{priority.Id()}/commitments?limit=2&cursor={Uri.EscapeDataString(first.Str("nextCursor"))}");
        Assert.Equal(ids.Skip(2), second.ItemIds());
        Assert.False(second.ContainsKey("nextCursor"));
        Assert.All(second["items"]!.AsArray(), c => Assert.Equal("not_started", c!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Deleting_a_commitment_is_204_and_removes_its_partners_and_history()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id(), "C1", partnerAgencyIds: [met.Id()]);
        var sibling = await t.CreateCommitmentAsync(priority.Id(), "C2", partnerAgencyIds: [met.Id()]);
        await t.AddUpdateAsync(commitment.Id(), "completed", "Done");

        await ExpectStale(await t.Admin.SendAsync(HttpMethod.Delete, t.Path($"/commitments/{commitment.Id()}"), ifMatch: "\"1\""));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE id = @id", commitment.Id()));

        var response = await t.Admin.SendAsync(HttpMethod.Delete, t.Path($"/commitments/{commitment.Id()}"), ifMatch: "\"2\"");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE id = @id", commitment.Id()));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitment_partners WHERE commitment_id = @id", commitment.Id()));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitment_updates WHERE commitment_id = @id", commitment.Id()));
        Assert.Equal(new[] { met.Id() }, await Partners(sibling.Id()));
        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/commitments/{commitment.Id()}")));
    }

    [Fact]
    public async Task Unknown_priorities_and_commitments_are_404_problems()
    {
        var t = await TestTenant.CreateAsync(factory);
        var missing = Guid.NewGuid();

        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/priorities/{missing}/commitments")));
        await ExpectNotFound(await t.Admin.PostAsJsonAsync(t.Path($"/priorities/{missing}/commitments"), new { code = "C1", title = "Orphan" }));
        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/commitments/{missing}")));
        await ExpectNotFound(await t.Admin.PutAsJsonAsync(t.Path($"/commitments/{missing}"), new { code = "C1", title = "Ghost" }));
        await ExpectNotFound(await t.Admin.DeleteAsync(t.Path($"/commitments/{missing}")));

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE priority_id = @id", missing));
    }

    /// <summary>The stored partner agencies, in Guid order (the engines order ids differently).</summary>
    private async Task<List<Guid>> Partners(Guid commitmentId) =>
        (await factory.QueryAsync<Guid>("SELECT agency_id FROM commitment_partners WHERE commitment_id = @id",
            new { id = commitmentId.ToString() })).Order().ToList();

    private sealed record CommitmentRow(Guid PartnershipId, Guid PriorityId, string Code, string Title, Guid? LeadAgencyId,
        DateOnly? StartDate, DateOnly? DueDate, string Status, Guid? LatestUpdateId, long Version);
}
