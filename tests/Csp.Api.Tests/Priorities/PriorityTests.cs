using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Priorities;

/// <summary>Priorities of a plan: create, codes, positions, agencies, list, get, replace, delete.</summary>
[Collection(ApiCollection.Name)]
public sealed class PriorityTests(CspApiFactory factory)
{
    [Fact]
    public async Task Creating_a_priority_returns_201_with_location_and_etag_and_stores_it()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync();

        var response = await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"),
            new { code = "P1", title = "Tackling VAWG", description = "Women's safety at night", leadAgencyId = met.Id() });

        var body = await TestTenant.Expect(response, HttpStatusCode.Created);
        var id = body.Id();
        Assert.Equal(t.Path($"/priorities/{id}"), response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", ETagOf(response));
        Assert.Equal(plan.Id(), body["planId"]!.GetValue<Guid>());
        Assert.Equal("P1", body.Str("code"));
        Assert.Equal("Tackling VAWG", body.Str("title"));
        Assert.Equal("Women's safety at night", body.Str("description"));
        Assert.Equal(met.Id(), body["leadAgencyId"].GuidOrNull());
        Assert.Equal(1, body["position"]!.GetValue<long>());
        Assert.Equal(1, body.Version());

        var row = Assert.Single(await factory.QueryAsync<PriorityRow>("""
            SELECT partnership_id AS PartnershipId, plan_id AS PlanId, code AS Code, title AS Title, description AS Description,
                   lead_agency_id AS LeadAgencyId, position AS Position, version AS Version
            FROM priorities WHERE id = @id
            """, new { id = id.ToString() }));
        Assert.Equal(new PriorityRow(t.Id, plan.Id(), "P1", "Tackling VAWG", "Women's safety at night", met.Id(), 1, 1), row);

        var fetched = await TestTenant.Expect(await t.Admin.GetAsync(response.Headers.Location), HttpStatusCode.OK);
        Assert.Equal(id, fetched.Id());
    }

    [Fact]
    public async Task A_duplicate_code_within_a_plan_is_a_400_on_code_and_only_the_first_is_stored()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        await t.CreatePriorityAsync(plan.Id(), "P1", "First");

        var body = await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"), new { code = "P1", title = "Second" }), "code");

        Assert.Contains("P1", body["errors"]!["code"]![0]!.GetValue<string>());
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE plan_id = @id", plan.Id()));
        Assert.Equal("First", await factory.ScalarAsync<string>("SELECT title FROM priorities WHERE plan_id = @id", new { id = plan.Id().ToString() }));
    }

    [Fact]
    public async Task The_same_code_in_another_plan_is_fine()
    {
        var t = await TestTenant.CreateAsync(factory);
        var first = await t.CreatePlanAsync("2025-26", "2025-04-01", "2026-03-31");
        var second = await t.CreatePlanAsync("2026-27", "2026-04-01", "2027-03-31");

        var a = await t.CreatePriorityAsync(first.Id(), "P1");
        var b = await t.CreatePriorityAsync(second.Id(), "P1");

        Assert.NotEqual(a.Id(), b.Id());
        Assert.Equal(2, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE partnership_id = @id AND code = 'P1'", t.Id));
    }

    [Theory]
    [InlineData("p1")]
    [InlineData("-P1")]
    [InlineData("P 1")]
    [InlineData("")]
    [InlineData("P123456789012345678901234567890123")]
    public async Task A_code_outside_the_pattern_is_a_400_on_code(string code)
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();

        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"), new { code, title = "Bad code" }), "code");

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE plan_id = @id", plan.Id()));
    }

    [Fact]
    public async Task Missing_title_and_a_position_out_of_range_are_400s_naming_each_field()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();

        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"), new { code = "P1" }), "title");
        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"), new { code = "P1", title = "Zero", position = 0 }), "position");
        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"),
            new { code = "P1", title = "Long", description = new string('x', 4001) }), "description");

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE plan_id = @id", plan.Id()));
    }

    [Fact]
    public async Task Without_a_position_priorities_append_1_2_3()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();

        var positions = new List<long>();
        foreach (var code in new[] { "P1", "P2", "P3" })
            positions.Add((await t.CreatePriorityAsync(plan.Id(), code))["position"]!.GetValue<long>());

        Assert.Equal(new long[] { 1, 2, 3 }, positions);
        Assert.Equal(new long[] { 1, 2, 3 }, await factory.QueryAsync<long>(
            "SELECT position FROM priorities WHERE plan_id = @id ORDER BY code", new { id = plan.Id().ToString() }));
    }

    [Fact]
    public async Task Appending_follows_the_highest_position_and_the_plan_document_orders_by_position()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        // Created out of order: the document must follow position, not creation.
        var third = await Create(t, plan.Id(), new { code = "P3", title = "Third", position = 3 });
        var first = await Create(t, plan.Id(), new { code = "P1", title = "First", position = 1 });
        var second = await Create(t, plan.Id(), new { code = "P2", title = "Second", position = 2 });
        var appended = await Create(t, plan.Id(), new { code = "P4", title = "Appended" });

        Assert.Equal(4, appended["position"]!.GetValue<long>());
        var document = await t.GetOkAsync($"/plans/{plan.Id()}");
        var ordered = document["priorities"]!.AsArray().Select(p => p!["id"]!.GetValue<Guid>()).ToArray();
        Assert.Equal(new[] { first.Id(), second.Id(), third.Id(), appended.Id() }, ordered);
        Assert.Equal(new long[] { 1, 2, 3, 4 }, document["priorities"]!.AsArray().Select(p => p!["position"]!.GetValue<long>()));
    }

    [Fact]
    public async Task A_lead_agency_of_another_partnership_is_a_400_on_leadAgencyId()
    {
        var t = await TestTenant.CreateAsync(factory);
        var other = await TestTenant.CreateAsync(factory);
        var foreign = await other.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync();

        var body = await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"),
            new { code = "P1", title = "Borrowed lead", leadAgencyId = foreign.Id() }), "leadAgencyId");

        Assert.Contains(foreign.Id().ToString(), body["errors"]!["leadAgencyId"]![0]!.GetValue<string>());
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE plan_id = @id", plan.Id()));

        // An id that is no agency at all gets the same answer.
        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"),
            new { code = "P1", title = "Nobody", leadAgencyId = Guid.NewGuid() }), "leadAgencyId");
    }

    [Fact]
    public async Task Listing_priorities_is_in_position_order_with_cursor_paging()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var c = await Create(t, plan.Id(), new { code = "C", title = "Third", position = 3 });
        var a = await Create(t, plan.Id(), new { code = "A", title = "First", position = 1 });
        var b = await Create(t, plan.Id(), new { code = "B", title = "Second", position = 2 });

        var first = await t.GetOkAsync($"/plans/{plan.Id()}/priorities?limit=2");
        Assert.Equal(new[] { a.Id(), b.Id() }, first.ItemIds());
        var cursor = first.Str("nextCursor");

        var second = await t.GetOkAsync($"/plans/{plan.Id()}/priorities?limit=2&cursor={Uri.EscapeDataString(cursor)}");
        Assert.Equal(new[] { c.Id() }, second.ItemIds());
        Assert.False(second.ContainsKey("nextCursor"), "nextCursor is absent on the last page");

        var all = await t.GetOkAsync($"/plans/{plan.Id()}/priorities");
        Assert.Equal(new[] { a.Id(), b.Id(), c.Id() }, all.ItemIds());
        Assert.False(all.ContainsKey("nextCursor"));
    }

    [Fact]
    public async Task Paging_priorities_that_share_a_position_neither_skips_nor_repeats()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var created = new List<Guid>();
        foreach (var code in new[] { "A", "B", "C", "D", "E" })
            created.Add((await Create(t, plan.Id(), new { code, title = code, position = 1 })).Id());

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await t.GetOkAsync($"/plans/{plan.Id()}/priorities?limit=2" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            seen.AddRange(page.ItemIds());
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null && seen.Count < 10);

        Assert.Equal(created, seen); // same position: by id, which is creation order
    }

    [Fact]
    public async Task Getting_a_priority_sends_its_ETag_and_304_when_it_matches()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id(), "P1", "Reducing violence");

        var response = await t.Admin.GetAsync(t.Path($"/priorities/{priority.Id()}"));
        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("Reducing violence", body.Str("title"));
        Assert.Equal("\"1\"", ETagOf(response));

        var notModified = await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/priorities/{priority.Id()}"), ifNoneMatch: "\"1\"");
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        var changed = await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/priorities/{priority.Id()}"), ifNoneMatch: "\"0\"");
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
    }

    [Fact]
    public async Task Replacing_a_priority_with_its_ETag_stores_every_field_and_keeps_its_position_when_none_is_sent()
    {
        var t = await TestTenant.CreateAsync(factory);
        var council = await t.CreateAgencyAsync("LBS", "local_authority");
        var plan = await t.CreatePlanAsync();
        await t.CreatePriorityAsync(plan.Id(), "P1");
        var priority = await t.CreatePriorityAsync(plan.Id(), "P2", "Old title");

        var response = await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/priorities/{priority.Id()}"),
            new { code = "P2A", title = "New title", description = "Now with text", leadAgencyId = council.Id() }, ifMatch: "\"1\"");

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("P2A", body.Str("code"));
        Assert.Equal("New title", body.Str("title"));
        Assert.Equal("Now with text", body.Str("description"));
        Assert.Equal(council.Id(), body["leadAgencyId"].GuidOrNull());
        Assert.Equal(2, body["position"]!.GetValue<long>());
        Assert.Equal(2, body.Version());
        Assert.Equal("\"2\"", ETagOf(response));
        var row = Assert.Single(await factory.QueryAsync<PriorityRow>("""
            SELECT partnership_id AS PartnershipId, plan_id AS PlanId, code AS Code, title AS Title, description AS Description,
                   lead_agency_id AS LeadAgencyId, position AS Position, version AS Version
            FROM priorities WHERE id = @id
            """, new { id = priority.Id().ToString() }));
        Assert.Equal(new PriorityRow(t.Id, plan.Id(), "P2A", "New title", "Now with text", council.Id(), 2, 2), row);

        // Moving it first, and clearing optional fields.
        var moved = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/priorities/{priority.Id()}"),
            new { code = "P2A", title = "New title", position = 1 }), HttpStatusCode.OK);
        Assert.Equal(1, moved["position"]!.GetValue<long>());
        Assert.Null(moved["description"]);
        Assert.Null(moved["leadAgencyId"]);
        Assert.Null(await factory.ScalarAsync<Guid?>("SELECT lead_agency_id FROM priorities WHERE id = @id", new { id = priority.Id().ToString() }));
    }

    [Fact]
    public async Task Replacing_a_priority_with_a_stale_ETag_is_a_412_and_changes_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id(), "P1", "Original");
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/priorities/{priority.Id()}"), new { code = "P1", title = "First writer" }), HttpStatusCode.OK);

        await ExpectStale(await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/priorities/{priority.Id()}"), new { code = "P1", title = "Second writer" }, ifMatch: "\"1\""));

        Assert.Equal("First writer", await factory.ScalarAsync<string>("SELECT title FROM priorities WHERE id = @id", new { id = priority.Id().ToString() }));
        Assert.Equal(2, await factory.ScalarAsync<long>("SELECT version FROM priorities WHERE id = @id", new { id = priority.Id().ToString() }));
    }

    [Fact]
    public async Task Renaming_a_priority_to_a_code_its_plan_already_has_is_a_400_on_code()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        await t.CreatePriorityAsync(plan.Id(), "P1");
        var second = await t.CreatePriorityAsync(plan.Id(), "P2");

        await ExpectInvalid(await t.Admin.PutAsJsonAsync(t.Path($"/priorities/{second.Id()}"), new { code = "P1", title = "Clash" }), "code");

        Assert.Equal("P2", await factory.ScalarAsync<string>("SELECT code FROM priorities WHERE id = @id", new { id = second.Id().ToString() }));
    }

    [Fact]
    public async Task Replacing_with_a_lead_agency_of_another_partnership_is_a_400_on_leadAgencyId()
    {
        var t = await TestTenant.CreateAsync(factory);
        var other = await TestTenant.CreateAsync(factory);
        var foreign = await other.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());

        await ExpectInvalid(await t.Admin.PutAsJsonAsync(t.Path($"/priorities/{priority.Id()}"),
            new { code = "P1", title = "Borrowed", leadAgencyId = foreign.Id() }), "leadAgencyId");

        Assert.Null(await factory.ScalarAsync<Guid?>("SELECT lead_agency_id FROM priorities WHERE id = @id", new { id = priority.Id().ToString() }));
        Assert.Equal(1, await factory.ScalarAsync<long>("SELECT version FROM priorities WHERE id = @id", new { id = priority.Id().ToString() }));
    }

    [Fact]
    public async Task Deleting_a_priority_is_204_and_removes_its_commitments_and_their_history()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id(), "P1");
        var sibling = await t.CreatePriorityAsync(plan.Id(), "P2");
        var commitment = await t.CreateCommitmentAsync(priority.Id(), partnerAgencyIds: [met.Id()]);
        await t.AddUpdateAsync(commitment.Id(), "at_risk", "Funding unclear");

        var response = await t.Admin.SendAsync(HttpMethod.Delete, t.Path($"/priorities/{priority.Id()}"), ifMatch: "\"1\"");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE id = @id", priority.Id()));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE priority_id = @id", priority.Id()));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitment_partners WHERE commitment_id = @id", commitment.Id()));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitment_updates WHERE commitment_id = @id", commitment.Id()));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE id = @id", sibling.Id()));
        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/priorities/{priority.Id()}")));
        await ExpectNotFound(await t.Admin.DeleteAsync(t.Path($"/priorities/{priority.Id()}")));
    }

    [Fact]
    public async Task Deleting_a_priority_with_a_stale_ETag_is_a_412_and_it_stays()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        await t.Admin.PutAsJsonAsync(t.Path($"/priorities/{priority.Id()}"), new { code = "P1", title = "Edited" });

        await ExpectStale(await t.Admin.SendAsync(HttpMethod.Delete, t.Path($"/priorities/{priority.Id()}"), ifMatch: "\"1\""));

        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE id = @id", priority.Id()));
    }

    [Fact]
    public async Task An_unknown_plan_is_a_404_for_listing_and_creating_priorities()
    {
        var t = await TestTenant.CreateAsync(factory);
        var missing = Guid.NewGuid();

        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/plans/{missing}/priorities")));
        await ExpectNotFound(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{missing}/priorities"), new { code = "P1", title = "Orphan" }));

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE plan_id = @id", missing));
    }

    [Fact]
    public async Task An_unknown_priority_is_a_404_for_get_put_and_delete()
    {
        var t = await TestTenant.CreateAsync(factory);
        var missing = Guid.NewGuid();

        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/priorities/{missing}")));
        await ExpectNotFound(await t.Admin.PutAsJsonAsync(t.Path($"/priorities/{missing}"), new { code = "P1", title = "Ghost" }));
        await ExpectNotFound(await t.Admin.DeleteAsync(t.Path($"/priorities/{missing}")));
    }

    [Fact]
    public async Task Priorities_of_an_approved_plan_can_still_change()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id(), "P1");
        await t.ApprovePlanAsync(plan.Id());

        await t.CreatePriorityAsync(plan.Id(), "P2");
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/priorities/{priority.Id()}"), new { code = "P1", title = "Refreshed" }), HttpStatusCode.OK);

        Assert.Equal(2, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE plan_id = @id", plan.Id()));
    }

    /// <summary>Writes of one partnership take turns (SQLite: one writer at a time; SQL Server: the partnership's write turn,
    /// SqlDialect.TakePartnershipWriteTurn), so "the next position" of concurrent creates cannot interleave.</summary>
    [Fact]
    public async Task Concurrent_writes_in_one_partnership_take_turns_so_next_positions_never_collide()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = (await t.CreatePlanAsync()).Id();

        var created = await Task.WhenAll(Enumerable.Range(1, 12).Select(i => t.CreatePriorityAsync(plan, $"P{i}")));

        var positions = created.Select(p => p["position"]!.GetValue<int>()).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 12), positions);
    }

    private static async Task<System.Text.Json.Nodes.JsonObject> Create(TestTenant t, Guid planId, object body) =>
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{planId}/priorities"), body), HttpStatusCode.Created);

    private sealed record PriorityRow(Guid PartnershipId, Guid PlanId, string Code, string Title, string? Description,
        Guid? LeadAgencyId, long Position, long Version);
}
