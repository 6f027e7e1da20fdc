using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Audit;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Plans;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.Changes;

/// <summary>Issue 17, point 4: a feed per partnership whose events name their parents, with enums in the contract, from which a
/// portal rebuilds a plan and a series, and which gives an entity one event per write.</summary>
[Collection(ApiCollection.Name)]
public sealed class ChangeFeedSyncTests(CspApiFactory factory)
{
    private static async Task<List<JsonObject>> FeedAsync(TestTenant t, long after = 0)
    {
        var all = new List<JsonObject>();
        while (true)
        {
            var page = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/changes?after={after}&limit=5")), HttpStatusCode.OK);
            all.AddRange(page["items"]!.AsArray().Select(i => i!.AsObject()));
            after = page["next"]!.GetValue<long>();
            if (!page["hasMore"]!.GetValue<bool>()) return all;
        }
    }

    [Fact]
    public async Task Each_partnership_counts_its_own_changes_and_another_tenants_writes_never_move_it()
    {
        var a = await TestTenant.CreateAsync(factory, "seqa");
        var b = await TestTenant.CreateAsync(factory, "seqb");
        for (var n = 0; n < 4; n++)
        {
            await a.CreateAgencyAsync($"A{n}");
            await b.CreateAgencyAsync($"B{n}");
            await b.CreateAgencyAsync($"BB{n}");
        }

        var seqs = (await FeedAsync(a)).Select(c => c["seq"]!.GetValue<long>()).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(n => (long)n), seqs);
        Assert.Equal(seqs.Count + 4, (await FeedAsync(b)).Count); // the same setup, and four agencies more

        // A cursor from beyond the end (a global seq saved before the feed was per partnership) is refused, not left waiting.
        var problem = await TestTenant.ExpectProblem(await a.Admin.GetAsync(a.Path($"/changes?after={seqs[^1] + 100}")), HttpStatusCode.BadRequest);
        Assert.Contains("after=0", problem["errors"]!["after"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var atEnd = await TestTenant.Expect(await a.Admin.GetAsync(a.Path($"/changes?after={seqs[^1]}")), HttpStatusCode.OK);
        Assert.Empty(atEnd["items"]!.AsArray());
    }

    [Fact]
    public async Task Events_name_their_parent_and_plan_even_as_tombstones()
    {
        var t = await TestTenant.CreateAsync(factory, "par");
        var plan = (await t.CreatePlanAsync()).Id();
        var priority = (await t.CreatePriorityAsync(plan)).Id();
        var commitment = (await t.CreateCommitmentAsync(priority)).Id();
        var update = (await t.AddUpdateAsync(commitment, "at_risk", "Venue not found")).Id();
        await TestTenant.Expect(await t.Admin.DeleteAsync(t.Path($"/commitments/{commitment}")), HttpStatusCode.NoContent);

        var feed = await FeedAsync(t);
        JsonObject Last(string type, Guid id, string op) =>
            feed.Last(c => c.Str("entityType") == type && c["entityId"]!.GetValue<Guid>() == id && c.Str("op") == op);
        void Names(JsonObject change, string parentType, Guid parentId)
        {
            Assert.Equal(parentType, change["parent"]!.AsObject().Str("type"));
            Assert.Equal(parentId, change["parent"]!["id"]!.GetValue<Guid>());
            Assert.Equal(plan, change["planId"]!.GetValue<Guid>());
        }

        Assert.Null(Last("plan", plan, "create")["parent"]);
        Names(Last("priority", priority, "create"), "plan", plan);
        Names(Last("commitment", commitment, "create"), "priority", priority);
        Names(Last("commitment_update", update, "create"), "commitment", commitment);
        Names(Last("commitment", commitment, "delete"), "priority", priority);
    }

    [Fact]
    public async Task The_contract_lists_the_entity_types_and_ops_as_enums()
    {
        var doc = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var change = doc["components"]!["schemas"]!["Change"]!["properties"]!;
        string[] Enum(string property)
        {
            var schema = change[property]!;
            if (schema["$ref"] is { } reference)
                schema = doc["components"]!["schemas"]![reference.GetValue<string>().Split('/')[^1]]!;
            return [.. schema["enum"]!.AsArray().Select(v => v!.GetValue<string>())];
        }

        Assert.Equal(["create", "update", "delete"], Enum("op"));
        Assert.Equal(EnumText<Api.Changes.ChangeEntityType>.All.Order(), Enum("entityType").Order());
        var written = typeof(EntityTypes).GetFields().Select(f => (string)f.GetValue(null)!).ToList();
        Assert.All(written, w => Assert.Contains(w, Enum("entityType")));
    }

    [Fact]
    public async Task A_portal_rebuilds_plans_and_a_series_from_the_feed_and_gets_what_the_api_reads()
    {
        var t = await TestTenant.CreateAsync(factory, "rebuild");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var indicator = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        var (feed, _, _) = await t.KeyAsync(["observations:write", "read"], met);
        var plan = (await t.CreatePlanAsync("Plan 2025-26", "2025-04-01", "2026-03-31")).Id();
        var priorities = new List<Guid>();
        for (var p = 1; p <= 3; p++) priorities.Add((await t.CreatePriorityAsync(plan, $"P{p}", $"Priority {p}")).Id());
        var commitments = new List<Guid>();
        for (var c = 1; c <= 7; c++) commitments.Add((await t.CreateCommitmentAsync(priorities[c % 3], $"C{c}", $"Commitment {c}")).Id());
        await t.AddUpdateAsync(commitments[0], "on_track", "Started");
        await t.AddUpdateAsync(commitments[1], "off_track", "Slipping");
        await t.AddUpdateAsync(commitments[1], "at_risk", "Recovering");
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/commitments/{commitments[2]}"), new { code = "C3", title = "Renamed" }), HttpStatusCode.OK);
        await TestTenant.Expect(await t.Admin.DeleteAsync(t.Path($"/commitments/{commitments[3]}")), HttpStatusCode.NoContent);
        await TestTenant.Expect(await t.Admin.DeleteAsync(t.Path($"/priorities/{priorities[2]}")), HttpStatusCode.NoContent);
        await TestTenant.Expect(await t.Admin.PostAsync(t.Path($"/plans/{plan}/approve"), null), HttpStatusCode.OK);
        var refreshed = (await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan}/refresh"),
            new { title = "Plan 2026-27", periodStart = "2026-04-01", periodEnd = "2027-03-31" }), HttpStatusCode.Created))["plan"]!.AsObject().Id();
        async Task Push(params (string Period, decimal Value)[] rows) =>
            await TestTenant.Expect(await feed.PostAsJsonAsync(t.Path("/observations"), new
            {
                observations = rows.Select(r => new { indicator = "ROB-PERSONAL", period = r.Period, value = r.Value, status = "provisional" }),
            }), HttpStatusCode.OK);
        await Push(("2024-04", 31), ("2024-05", 29), ("2024-06", 40));
        await Push(("2024-06", 38), ("2024-07", 35));
        await TestTenant.Expect(await feed.PostAsJsonAsync(t.Path("/observations"), new
        {
            observations = new object[]
            {
                new { indicator = "ROB-PERSONAL", period = "2024-05", delete = true },
                new { indicator = "ROB-PERSONAL", period = "2024-08", value = 33m, status = "provisional" },
            },
        }), HttpStatusCode.OK);

        // The portal: every change in order, each entity fetched by the id the change names and placed under the parent it names.
        var planOf = new Dictionary<Guid, Guid>();                       // priority -> plan
        var priorityOf = new Dictionary<Guid, Guid>();                   // commitment -> priority
        var priorityRows = new Dictionary<Guid, JsonObject>();
        var commitmentRows = new Dictionary<Guid, JsonObject>();
        var series = new Dictionary<string, decimal>();
        foreach (var change in await FeedAsync(t))
        {
            var type = change.Str("entityType");
            var id = change["entityId"]!.GetValue<Guid>();
            var deleted = change.Str("op") == "delete";
            var parent = change["parent"]?["id"]?.GetValue<Guid>();
            switch (type)
            {
                case "priority" when deleted:
                    priorityRows.Remove(id);
                    foreach (var c in priorityOf.Where(kv => kv.Value == id).Select(kv => kv.Key).ToList()) commitmentRows.Remove(c);
                    break;
                case "priority":
                    planOf[id] = parent!.Value;
                    // Gone since? A later tombstone in the feed says so.
                    var priority = await t.Admin.GetAsync(t.Path($"/priorities/{id}"));
                    if (priority.StatusCode == HttpStatusCode.OK) priorityRows[id] = (await priority.Content.ReadFromJsonAsync<JsonObject>())!;
                    break;
                case "commitment" when deleted:
                    commitmentRows.Remove(id);
                    break;
                case "commitment" or "commitment_update":
                    var commitment = type == "commitment" ? id : parent!.Value;
                    if (type == "commitment") priorityOf[id] = parent!.Value;
                    var fetched = await t.Admin.GetAsync(t.Path($"/commitments/{commitment}"));
                    if (fetched.StatusCode == HttpStatusCode.OK) commitmentRows[commitment] = (await fetched.Content.ReadFromJsonAsync<JsonObject>())!;
                    break;
                case "observation" when deleted:
                    Assert.Equal("E09000028", change.Str("area"));
                    series.Remove(change.Str("period"));
                    break;
                case "observation":
                    // Only what the event says it wrote: its periods, in its areas.
                    Assert.Equal(["E09000028"], change["areas"]!.AsArray().Select(a => a!.GetValue<string>()));
                    foreach (var period in change["periods"]!.AsArray().Select(p => p!.GetValue<string>()))
                    {
                        var values = await t.GetOkAsync($"/indicators/{id}/observations?from={period}&to={period}&area=E09000028");
                        foreach (var row in values["items"]!.AsArray()) series[row!.AsObject().Str("period")] = row["value"]!.GetValue<decimal>();
                    }
                    break;
            }
        }

        foreach (var p in new[] { plan, refreshed })
        {
            var document = await t.GetOkAsync($"/plans/{p}");
            var expected = document["priorities"]!.AsArray().Select(x => x!.AsObject())
                .Select(x => (x.Id(), x.Str("code"), x.Str("title"),
                    string.Join("|", x["commitments"]!.AsArray().Select(c => $"{c!["id"]} {c["code"]} {c["title"]} {c["status"]}").Order())))
                .OrderBy(x => x.Item2);
            var rebuilt = priorityRows.Values.Where(x => planOf[x.Id()] == p)
                .Select(x => (x.Id(), x.Str("code"), x.Str("title"),
                    string.Join("|", commitmentRows.Values.Where(c => priorityOf[c.Id()] == x.Id()).Select(c => $"{c["id"]} {c["code"]} {c["title"]} {c["status"]}").Order())))
                .OrderBy(x => x.Item2);
            Assert.Equal(expected, rebuilt);
        }
        Assert.Equal(2, priorityRows.Values.Count(x => planOf[x.Id()] == refreshed));
        Assert.Equal(new Dictionary<string, decimal> { ["2024-04"] = 31, ["2024-06"] = 38, ["2024-07"] = 35, ["2024-08"] = 33 }, series);
        Assert.Equal(indicator, (await FeedAsync(t)).Last(c => c.Str("entityType") == "observation")["parent"]!["id"]!.GetValue<Guid>());
        var api = await t.GetOkAsync($"/indicators/{indicator}/observations?area=E09000028");
        Assert.Equal(api["items"]!.AsArray().ToDictionary(r => r!.AsObject().Str("period"), r => r!["value"]!.GetValue<decimal>()), series);
    }

    [Fact]
    public async Task A_refresh_gives_each_entity_it_writes_one_event()
    {
        var t = await TestTenant.CreateAsync(factory, "flood");
        var plan = (await t.CreatePlanAsync("Plan 2025-26", "2025-04-01", "2026-03-31")).Id();
        for (var p = 1; p <= 3; p++)
        {
            var priority = (await t.CreatePriorityAsync(plan, $"P{p}")).Id();
            for (var c = 1; c <= 3; c++)
                await t.AddUpdateAsync((await t.CreateCommitmentAsync(priority, $"C{p}{c}")).Id(), "on_track", "Going well");
        }
        await TestTenant.Expect(await t.Admin.PostAsync(t.Path($"/plans/{plan}/approve"), null), HttpStatusCode.OK);
        var before = (await FeedAsync(t)).Count;

        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan}/refresh"),
            new { title = "Plan 2026-27", periodStart = "2026-04-01", periodEnd = "2027-03-31" }), HttpStatusCode.Created);

        var refresh = (await FeedAsync(t)).Skip(before).ToList();
        Assert.NotEmpty(refresh);
        var repeated = refresh.GroupBy(c => (c.Str("entityType"), c.Str("entityId"))).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, "Entities with more than one event from one refresh: " + string.Join(", ", repeated));
        Assert.Contains(refresh, c => c.Str("entityType") == "plan" && c.Str("op") == "create");
        Assert.Equal(9, refresh.Count(c => c.Str("entityType") == "commitment" && c.Str("op") == "create"));
    }

    [Fact]
    public async Task Within_one_write_an_entity_has_one_event_in_the_feed_and_none_if_it_came_and_went()
    {
        var t = await TestTenant.CreateAsync(factory, "unit");
        var db = factory.Services.GetRequiredService<Db>();
        var tenant = new Tenant(t.Id, t.Slug, "E09000028", false,
            new Caller(null, t.Id, null, new HashSet<string>(Scopes.Grantable), false));
        var (createdThenChanged, cameAndWent, changedTwice, createdBetween, changedThenGone) =
            (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        await using (var w = await db.BeginWriteAsync(tenant, CancellationToken.None))
        {
            await AuditLog.RecordJsonAsync(w, AuditActions.Create, EntityTypes.Agency, createdThenChanged, "{}");
            await AuditLog.RecordJsonAsync(w, AuditActions.Create, EntityTypes.Agency, createdBetween, "{}");
            await AuditLog.RecordJsonAsync(w, AuditActions.Update, EntityTypes.Agency, createdThenChanged, "{}");
            await AuditLog.RecordJsonAsync(w, AuditActions.Update, EntityTypes.Agency, changedThenGone, "{}");
            await AuditLog.RecordJsonAsync(w, AuditActions.Delete, EntityTypes.Agency, changedThenGone, "{}");
            await AuditLog.RecordJsonAsync(w, AuditActions.Create, EntityTypes.Agency, cameAndWent, "{}");
            await AuditLog.RecordJsonAsync(w, AuditActions.Update, EntityTypes.Agency, cameAndWent, "{}");
            await AuditLog.RecordJsonAsync(w, AuditActions.Delete, EntityTypes.Agency, cameAndWent, "{}");
            await AuditLog.RecordJsonAsync(w, AuditActions.Update, EntityTypes.Agency, changedTwice, "{}");
            await AuditLog.RecordJsonAsync(w, AuditActions.Archive, EntityTypes.Agency, changedTwice, "{}");
            await w.CommitAsync();
        }

        var feed = (await FeedAsync(t)).Where(c => c.Str("entityType") == "agency").ToList();
        // Each keeps the place of its first event: the entity created in between stays after the one created first.
        Assert.Equal([(createdThenChanged, "create"), (createdBetween, "create"), (changedThenGone, "delete"), (changedTwice, "update")],
            feed.Select(c => (c["entityId"]!.GetValue<Guid>(), c.Str("op"))));
        Assert.Equal(10L, await factory.ScalarAsync<long>(
            "SELECT COUNT(*) FROM audit_events WHERE partnership_id = @p AND entity_type = 'agency'", new { p = t.Id.ToString() }));
    }
}
