using System.Net;
using System.Text.Json.Nodes;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Observations;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Audit;

/// <summary>A push's audit event stays small whatever the push's size; the revisions keep every value change.</summary>
[Collection(ApiCollection.Name)]
public sealed class BoundedAuditTests(CspApiFactory factory)
{
    private sealed record EventText(string Changes, string? Periods, string? Areas)
    {
        public int Bytes => System.Text.Encoding.UTF8.GetByteCount(Changes + Periods + Areas);
    }

    [Fact]
    public async Task A_ten_thousand_row_restatement_audits_in_small_events_and_its_revisions_keep_every_change()
    {
        var t = await TestTenant.CreateAsync(factory, "baud", areaCheck: "off");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var robbery = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        var (pusher, _, _) = await t.KeyAsync(["observations:write"]);
        object Rows(int i, int offset) => Row("ROB-PERSONAL", "2024-06", i + offset, $"E05{i:D6}", note: new string('n', 300));

        await pusher.PushOkAsync(t, Enumerable.Range(0, 10_000).Select(i => Rows(i, 0)));
        // Atomic: one unit, so one event holds all 10,000 changes (the largest an event gets); on SQLite a push that is not atomic
        // commits, and audits, in chunks of ObservationOptions.DefaultWriteChunkRows rows.
        var restated = await pusher.PushOkAsync(t, Enumerable.Range(0, 10_000).Select(i => Rows(i, 1)), "?atomic=true");
        Assert.Equal(10_000, restated.Int("updated"));

        var events = await factory.QueryAsync<EventText>(
            "SELECT changes AS Changes, periods AS Periods, areas AS Areas FROM audit_events WHERE partnership_id = @p", new { p = t.Id.ToString() });
        var firstPushEvents = factory.Database.Provider == DatabaseProvider.Sqlite ? 10_000 / ObservationOptions.DefaultWriteChunkRows : 1;
        Assert.Equal(firstPushEvents + 1, events.Count(e => e.Changes.Contains("\"updated\"", StringComparison.Ordinal)));
        Assert.All(events, e => Assert.True(e.Bytes < 64 * 1024, $"an audit event of {e.Bytes} bytes"));
        var audit = await t.Admin.GetAsync(t.Path("/audit?limit=200&entityType=observation"));
        var page = await TestTenant.Expect(audit, HttpStatusCode.OK);
        Assert.True((await audit.Content.ReadAsByteArrayAsync()).Length < 256 * 1024);
        var last = page["items"].Arr().Last()!["changes"]!;
        Assert.Equal((0, 10_000), (last["created"]!.GetValue<int>(), last["updated"]!.GetValue<int>()));
        Assert.Equal((10_000, "E05000000", "E05009999"),
            (last["areas"]!["count"]!.GetValue<int>(), last["areas"]!["first"]!.GetValue<string>(), last["areas"]!["last"]!.GetValue<string>()));
        Assert.Equal(["2024-06"], last["periods"].Arr().Select(p => p!.GetValue<string>()));
        Assert.Equal(10_000, last["revisions"]!["count"]!.GetValue<int>());

        // Every change is in the revisions, at the time the event names.
        Assert.Equal(10_000, await factory.ScalarAsync<long>(
            "SELECT COUNT(*) FROM observation_revisions WHERE partnership_id = @p AND indicator_id = @i AND new_value IS NOT NULL",
            new { p = t.Id, i = robbery }));
        var history = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{robbery}/observations/2024-06/revisions?area=E05004321")),
            HttpStatusCode.OK);
        var revision = Assert.Single(history["items"].Arr())!;
        Assert.Equal((4321m, 4322m), (revision["oldValue"]!.GetValue<decimal>(), revision["newValue"]!.GetValue<decimal>()));
        Assert.Equal(last["revisions"]!["revisedAt"]!.GetValue<string>(), revision["revisedAt"]!.GetValue<string>());

        // The change feed names the one period, and no list of 10,000 areas (a portal refetches the indicator).
        var changes = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/changes?after=0&limit=200")), HttpStatusCode.OK);
        var feed = changes["items"].Arr().Last(c => c!["entityType"]!.GetValue<string>() == "observation")!;
        Assert.Equal(["2024-06"], feed["periods"].Arr().Select(p => p!.GetValue<string>()));
        Assert.Null(feed["areas"]);
    }
}
