using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Audit;

[Collection(ApiCollection.Name)]
public sealed class AuditTrailTests(CspApiFactory factory)
{
    private sealed record EventRow(long Seq, Guid? ClientId, string Action, string EntityType, Guid EntityId, string Changes);

    private Task<List<EventRow>> Events(TestTenant t, Guid entityId) => factory.QueryAsync<EventRow>("""
        SELECT seq AS Seq, client_id AS ClientId, action AS Action, entity_type AS EntityType, entity_id AS EntityId, changes AS Changes
        FROM audit_events WHERE partnership_id = @p AND entity_id = @e ORDER BY seq
        """, new { p = t.Id.ToString(), e = entityId.ToString() });

    [Fact]
    public async Task Every_mutation_records_who_did_what_with_the_fields_before_and_after()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (writer, _, writerId) = await t.KeyAsync(["admin"]);
        var created = await TestTenant.Expect(await writer.PostAsJsonAsync(t.Path("/agencies"), new { code = "MET", name = "Met", kind = "police" }), HttpStatusCode.Created);
        await TestTenant.Expect(await writer.PutAsJsonAsync(t.Path($"/agencies/{created.Id()}"), new { code = "MET", name = "Met Police", kind = "police" }), HttpStatusCode.OK);
        await TestTenant.Expect(await writer.DeleteAsync(t.Path($"/agencies/{created.Id()}")), HttpStatusCode.NoContent);

        var events = await Events(t, created.Id());
        Assert.Equal(["create", "update", "delete"], events.Select(e => e.Action));
        Assert.All(events, e => Assert.Equal(writerId, e.ClientId));
        Assert.All(events, e => Assert.Equal("agency", e.EntityType));
        Assert.True(events[0].Seq < events[1].Seq && events[1].Seq < events[2].Seq);

        var update = JsonNode.Parse(events[1].Changes)!.AsObject();
        Assert.Equal(["name"], update.Select(kv => kv.Key));
        Assert.Equal("Met", update["name"]!["before"]!.GetValue<string>());
        Assert.Equal("Met Police", update["name"]!["after"]!.GetValue<string>());
        Assert.Equal("MET", JsonNode.Parse(events[0].Changes)!["code"]!["after"]!.GetValue<string>());
        Assert.Equal("Met Police", JsonNode.Parse(events[2].Changes)!["name"]!["before"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unchanged_write_records_nothing_and_keeps_the_version()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync("LFB", "fire_rescue", "London Fire Brigade");
        var same = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/agencies/{agency.Id()}"),
            new { code = "LFB", name = "London Fire Brigade", kind = "fire_rescue" }), HttpStatusCode.OK);

        Assert.Equal(1, same["version"]!.GetValue<long>());
        Assert.Single(await Events(t, agency.Id()));
    }

    [Fact]
    public async Task Admins_read_the_trail_filtered_by_entity_and_client_in_pages()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (officer, _, officerId) = await t.KeyAsync(["plans:write", "read"]);
        var plan = await TestTenant.Expect(await officer.PostAsJsonAsync(t.Path("/plans"), new { title = "Plan", periodStart = "2025-04-01", periodEnd = "2026-03-31" }), HttpStatusCode.Created);
        for (var i = 1; i <= 3; i++)
            await TestTenant.Expect(await officer.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"), new { code = $"P{i}", title = $"Priority {i}" }), HttpStatusCode.Created);
        await t.CreateAgencyAsync("SBC", "local_authority");

        var byClient = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/audit?clientId={officerId}&limit=2")), HttpStatusCode.OK);
        Assert.Equal(2, byClient["items"]!.AsArray().Count);
        var next = byClient["nextCursor"]!.GetValue<string>();
        var rest = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/audit?clientId={officerId}&limit=2&cursor={next}")), HttpStatusCode.OK);
        var all = byClient["items"]!.AsArray().Concat(rest["items"]!.AsArray()).ToList();
        Assert.Equal(4, all.Count); // the plan and three priorities, not the admin's agency
        Assert.All(all, e => Assert.Equal(officerId, e!["clientId"]!.GetValue<Guid>()));

        var priorities = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/audit?entityType=priority")), HttpStatusCode.OK);
        Assert.Equal(3, priorities["items"]!.AsArray().Count);

        var (reader, _, _) = await t.KeyAsync(["read"]);
        await TestTenant.ExpectProblem(await reader.GetAsync(t.Path("/audit")), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Key_hashes_never_reach_the_trail()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (_, key, clientId) = await t.KeyAsync(["read"]);
        var events = await Events(t, clientId);
        Assert.Single(events);
        Assert.DoesNotContain("hash", events[0].Changes, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(key, events[0].Changes);
    }
}
