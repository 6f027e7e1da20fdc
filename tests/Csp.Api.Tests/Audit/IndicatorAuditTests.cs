using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Audit;

[Collection(ApiCollection.Name)]
public sealed class IndicatorAuditTests(CspApiFactory factory)
{
    private sealed record EventRow(string Action, string EntityType, string Changes, Guid? ClientId);

    private Task<List<EventRow>> Events(TestTenant t, Guid entityId, string type) => factory.QueryAsync<EventRow>("""
        SELECT action AS Action, entity_type AS EntityType, changes AS Changes, client_id AS ClientId FROM audit_events
        WHERE partnership_id = @p AND entity_id = @e AND entity_type = @type ORDER BY seq
        """, new { p = t.Id.ToString(), e = entityId.ToString(), type });

    [Fact]
    public async Task Indicator_writes_are_audited_and_an_unchanged_replace_is_not()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var indicator = await t.CreateIndicatorAsync(met.Id());
        var body = new
        {
            code = "ROB-PERSONAL", name = "Indicator ROB-PERSONAL", description = (string?)null, unit = "count", direction = "decrease",
            frequency = "monthly", sourceAgencyId = met.Id(), priorityIds = (Guid[]?)null
        };
        var same = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{indicator.Id()}"), body), HttpStatusCode.OK);
        Assert.Equal(1, same["version"]!.GetValue<long>());
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{indicator.Id()}"), body with { name = "Personal robbery" }), HttpStatusCode.OK);

        var events = await Events(t, indicator.Id(), "indicator");
        Assert.Equal(["create", "update"], events.Select(e => e.Action));
        var update = JsonNode.Parse(events[1].Changes)!.AsObject();
        Assert.Equal(["name"], update.Select(kv => kv.Key));
        Assert.Equal("Personal robbery", update["name"]!["after"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_push_records_one_event_per_indicator_with_counts_periods_areas_and_its_revisions_which_hold_each_value_before_and_after()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var indicator = await t.CreateIndicatorAsync(met.Id());
        var (feed, _, feedId) = await t.KeyAsync(["observations:write"], met.Id());

        await feed.PushOkAsync(t, [IndicatorTestData.Row("ROB-PERSONAL", "2024-05", 180), IndicatorTestData.Row("ROB-PERSONAL", "2024-06", 187)]);
        await feed.PushOkAsync(t, [IndicatorTestData.Row("ROB-PERSONAL", "2024-06", 187)]); // unchanged: no event
        await feed.PushOkAsync(t, [IndicatorTestData.Row("ROB-PERSONAL", "2024-06", 190)]);

        var events = await Events(t, indicator.Id(), "observation");
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal(feedId, e.ClientId));
        var first = JsonNode.Parse(events[0].Changes)!.AsObject();
        Assert.Equal((2, 0), (first["created"]!.GetValue<int>(), first["updated"]!.GetValue<int>()));
        Assert.Equal(["2024-05", "2024-06"], first["periods"].Arr().Select(p => p!.GetValue<string>()));
        Assert.Equal(["E09000028"], first["areas"].Arr().Select(p => p!.GetValue<string>()));
        Assert.Null(first["revisions"]);
        var second = JsonNode.Parse(events[1].Changes)!.AsObject();
        Assert.Equal((0, 1), (second["created"]!.GetValue<int>(), second["updated"]!.GetValue<int>()));
        Assert.Equal(1, second["revisions"]!["count"]!.GetValue<int>());

        // The reference leads to the revisions, which hold the value before and after.
        var revisions = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{indicator.Id()}/observations/2024-06/revisions")),
            HttpStatusCode.OK);
        var revision = Assert.Single(revisions["items"].Arr())!;
        Assert.Equal((187m, 190m), (revision["oldValue"]!.GetValue<decimal>(), revision["newValue"]!.GetValue<decimal>()));
        Assert.Equal(second["revisions"]!["revisedAt"]!.GetValue<string>(), revision["revisedAt"]!.GetValue<string>());
    }
}
