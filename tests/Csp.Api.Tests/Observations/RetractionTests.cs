using System.Net;
using Csp.Api.Tests.Areas;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observations;

/// <summary>A value sent by mistake is taken back: by a batch row with <c>delete: true</c>, or by DELETE on the value.</summary>
[Collection(ApiCollection.Name)]
public sealed class RetractionTests(CspApiFactory factory)
{
    private sealed record Setup(TestTenant T, Guid Met, Guid Robbery, HttpClient Feed, Guid FeedId);

    private async Task<Setup> SetupAsync()
    {
        var t = await TestTenant.CreateAsync(factory, "retract");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var robbery = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        var (feed, _, feedId) = await t.KeyAsync(["read", "observations:write"], met);
        return new Setup(t, met, robbery, feed, feedId);
    }

    private static object Delete(string indicator, string period, string? area = null, string? note = null) =>
        new { indicator, period, area, delete = true, note };

    [Fact]
    public async Task A_delete_row_retracts_the_value_keeps_it_as_a_revision_and_leaves_a_tombstone_in_the_change_feed()
    {
        var s = await SetupAsync();
        await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 170), Row("ROB-PERSONAL", "2024-06", 187, note: "CONNECT")]);
        var after = (await TestTenant.Expect(await s.T.Admin.GetAsync(s.T.Path("/changes")), HttpStatusCode.OK))["next"]!.GetValue<long>();

        var result = await s.Feed.PushOkAsync(s.T, [Delete("ROB-PERSONAL", "2024-06", "E09000028", "sent for the wrong month")]);

        Assert.Equal(("ok", 0, 0, 1, 0, 0), (result.Str("status"), result.Int("created"), result.Int("updated"), result.Int("deleted"),
            result.Int("unchanged"), result.Int("rejected")));
        Assert.Equal(["2024-05"], (await s.T.StoredAsync(s.Robbery)).Select(o => o.Period));
        var list = await TestTenant.Expect(await s.T.Admin.GetAsync(s.T.Path($"/indicators/{s.Robbery}/observations")), HttpStatusCode.OK);
        Assert.Equal(["2024-05"], list["items"].Arr().Select(i => i!["period"]!.GetValue<string>()));

        // The old value is a revision, readable although the value is gone.
        var revisions = await TestTenant.Expect(await s.T.Admin.GetAsync(s.T.Path($"/indicators/{s.Robbery}/observations/2024-06/revisions")),
            HttpStatusCode.OK);
        var revision = Assert.Single(revisions["items"].Arr())!.AsObject();
        Assert.True(revision["retracted"]!.GetValue<bool>());
        Assert.Equal(187m, revision["oldValue"]!.GetValue<decimal>());
        Assert.Equal("CONNECT", revision.Str("oldNote"));
        Assert.Null(revision["newValue"]);
        Assert.Null(revision["newStatus"]);
        Assert.Equal("sent for the wrong month", revision.Str("newNote"));
        Assert.Equal(s.FeedId, revision["newClientId"]!.GetValue<Guid>());

        // The change feed: one delete naming the indicator, the period and the area.
        var feed = await TestTenant.Expect(await s.T.Admin.GetAsync(s.T.Path($"/changes?after={after}")), HttpStatusCode.OK);
        var tombstone = Assert.Single(feed["items"].Arr())!.AsObject();
        Assert.Equal(("observation", "delete", s.Robbery, "2024-06", "E09000028"),
            (tombstone.Str("entityType"), tombstone.Str("op"), tombstone["entityId"]!.GetValue<Guid>(), tombstone.Str("period"), tombstone.Str("area")));
        var audit = await TestTenant.Expect(await s.T.Admin.GetAsync(s.T.Path($"/audit?entityId={s.Robbery}")), HttpStatusCode.OK);
        var deleted = audit["items"].Arr().Last()!.AsObject();
        Assert.Equal("delete", deleted.Str("action"));
        Assert.Equal(187m, deleted["changes"]!["2024-06|E09000028"]!["before"]!["value"]!.GetValue<decimal>());

        // Sent again, it is a new value.
        var again = await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 186)]);
        Assert.Equal(1, again.Int("created"));
    }

    [Fact]
    public async Task Retracting_a_value_that_is_not_there_is_unchanged_and_writes_nothing()
    {
        var s = await SetupAsync();
        await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 170)]);
        var events = await s.T.CountAsync("audit_events");

        var result = await s.Feed.PushOkAsync(s.T, [Delete("ROB-PERSONAL", "2024-07"), Delete("ROB-PERSONAL", "2024-05", "E05011095")]);

        Assert.Equal(("ok", 0, 2), (result.Str("status"), result.Int("deleted"), result.Int("unchanged")));
        Assert.Equal(events, await s.T.CountAsync("audit_events"));
        Assert.Single(await s.T.StoredAsync(s.Robbery));
    }

    [Fact]
    public async Task A_final_value_is_retracted_only_by_an_admin_with_force()
    {
        var s = await SetupAsync();
        await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 170, status: "final")]);

        var refused = await s.Feed.PushOkAsync(s.T, [Delete("ROB-PERSONAL", "2024-05")]);
        Assert.Equal(("rejected", 0), (refused.Str("status"), refused.Int("deleted")));
        var conflict = Assert.Single(refused["conflicts"].Arr())!;
        Assert.Equal(("delete", "final_value_locked"), (conflict["field"]!.GetValue<string>(), conflict["code"]!.GetValue<string>()));
        Assert.Single(await s.T.StoredAsync(s.Robbery));

        var forbidden = await s.Feed.PushAsync(s.T, [Delete("ROB-PERSONAL", "2024-05")], "?force=true");
        await TestTenant.ExpectProblem(forbidden, HttpStatusCode.Forbidden);

        var forced = await s.T.Admin.PushOkAsync(s.T, [Delete("ROB-PERSONAL", "2024-05")], "?force=true");
        Assert.Equal(1, forced.Int("deleted"));
        Assert.Empty(await s.T.StoredAsync(s.Robbery));
    }

    [Fact]
    public async Task A_delete_row_with_a_value_or_status_is_a_conflict_and_an_atomic_batch_with_one_writes_nothing()
    {
        var s = await SetupAsync();
        await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 170), Row("ROB-PERSONAL", "2024-06", 187)]);
        var before = await s.T.StoredAsync(s.Robbery);

        var result = await s.Feed.PushOkAsync(s.T, [
            new { indicator = "ROB-PERSONAL", period = "2024-05", delete = true, value = 170 },
            new { indicator = "ROB-PERSONAL", period = "2024-06", delete = true, status = "final" },
            Row("ROB-PERSONAL", "2024-07", 160),
        ], "?atomic=true");

        Assert.Equal(("rejected", 0, 0, 3), (result.Str("status"), result.Int("created"), result.Int("deleted"), result.Int("rejected")));
        Assert.Equal([(0, "value", "invalid_value"), (1, "status", "invalid_value")],
            result["conflicts"].Arr().Select(c => (c!["index"]!.GetValue<int>(), c["field"]!.GetValue<string>(), c["code"]!.GetValue<string>())));
        Assert.Equal(before, await s.T.StoredAsync(s.Robbery));
        Assert.Equal(0, await s.T.CountAsync("observation_revisions"));
    }

    [Fact]
    public async Task A_batch_may_not_both_send_and_retract_one_value_and_dry_run_retracts_nothing()
    {
        var s = await SetupAsync();
        await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 170)]);

        var both = await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 171), Delete("ROB-PERSONAL", "2024-05")]);
        Assert.Equal("duplicate_in_batch", Assert.Single(both["conflicts"].Arr())!["code"]!.GetValue<string>());

        var dry = await s.Feed.PushOkAsync(s.T, [Delete("ROB-PERSONAL", "2024-05")], "?dryRun=true");
        Assert.Equal((1, true), (dry.Int("deleted"), dry["dryRun"]!.GetValue<bool>()));
        Assert.Equal("171", Assert.Single(await s.T.StoredAsync(s.Robbery)).Value);
    }

    [Fact]
    public async Task DELETE_retracts_one_value_for_its_source_agency_or_an_admin()
    {
        var s = await SetupAsync();
        var council = (await s.T.CreateAgencyAsync("SBC", "local_authority")).Id();
        await s.T.RegisterWardAsync("E05011095", "Borough & Bankside");
        var (councilFeed, _, _) = await s.T.KeyAsync(["observations:write"], council);
        await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 170), Row("ROB-PERSONAL", "2024-06", 187, status: "final"),
            Row("ROB-PERSONAL", "2024-06", 12, "E05011095")]);
        string Value(string period, string query = "") => s.T.Path($"/indicators/{s.Robbery}/observations/{period}{query}");

        await TestTenant.ExpectProblem(await councilFeed.DeleteAsync(Value("2024-05")), HttpStatusCode.Forbidden);
        await TestTenant.ExpectProblem(await s.Feed.DeleteAsync(Value("2024-13")), HttpStatusCode.BadRequest);
        await TestTenant.ExpectProblem(await s.Feed.DeleteAsync(Value("2024-05", "?area=not-a-code")), HttpStatusCode.BadRequest);
        await TestTenant.ExpectProblem(await s.Feed.DeleteAsync(Value("2024-06")), HttpStatusCode.Conflict);
        await TestTenant.ExpectProblem(await s.Feed.DeleteAsync(Value("2024-06", "?force=true")), HttpStatusCode.Forbidden);
        await TestTenant.ExpectProblem(await s.Feed.DeleteAsync(s.T.Path($"/indicators/{Guid.NewGuid()}/observations/2024-05")), HttpStatusCode.NotFound);
        Assert.Equal(3, (await s.T.StoredAsync(s.Robbery)).Count);

        await TestTenant.Expect(await s.Feed.DeleteAsync(Value("202405")), HttpStatusCode.NoContent);
        await TestTenant.Expect(await s.Feed.DeleteAsync(Value("2024-06", "?area=E05011095")), HttpStatusCode.NoContent);
        await TestTenant.Expect(await s.T.Admin.DeleteAsync(Value("2024-06", "?force=true")), HttpStatusCode.NoContent);
        Assert.Empty(await s.T.StoredAsync(s.Robbery));
        await TestTenant.ExpectProblem(await s.Feed.DeleteAsync(Value("2024-05")), HttpStatusCode.NotFound);
        Assert.Equal(3, await s.T.CountAsync("observation_revisions"));
    }

    [Fact]
    public async Task The_revisions_of_a_value_never_sent_are_still_not_found()
    {
        var s = await SetupAsync();
        await TestTenant.ExpectProblem(await s.T.Admin.GetAsync(s.T.Path($"/indicators/{s.Robbery}/observations/2024-06/revisions")),
            HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Force_deleting_the_indicator_takes_the_history_of_retracted_values_with_it()
    {
        var s = await SetupAsync();
        await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 170)]);
        await s.Feed.PushOkAsync(s.T, [Delete("ROB-PERSONAL", "2024-05")]);
        Assert.Equal(1, await s.T.CountAsync("observation_revisions"));

        // No observations are left, so the indicator goes without force, with its history.
        await TestTenant.Expect(await s.T.Admin.DeleteAsync(s.T.Path($"/indicators/{s.Robbery}")), HttpStatusCode.NoContent);
        Assert.Equal(0, await s.T.CountAsync("observation_revisions"));
    }
}
