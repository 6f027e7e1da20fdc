using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Areas;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observations;

[Collection(ApiCollection.Name)]
public sealed class BatchPushTests(CspApiFactory factory)
{
    private sealed record Setup(TestTenant T, Guid Met, Guid Nhs, Guid Robbery, Guid Confidence, Guid Completions, HttpClient Pusher, Guid PusherId);

    /// <summary>A partnership with a police and a health agency, a monthly count, a quarterly percent and a financial-year indicator.</summary>
    private async Task<Setup> SetupAsync(string? areaCheck = null)
    {
        var t = await TestTenant.CreateAsync(factory, "obs", areaCheck: areaCheck);
        if (areaCheck is null) await t.RegisterWardAsync("E05011095", "Borough & Bankside");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var nhs = (await t.CreateAgencyAsync("NHS", "health")).Id();
        var robbery = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        var confidence = (await t.CreateIndicatorAsync(met, "CONFIDENCE", unit: "percent", direction: "increase", frequency: "quarterly")).Id();
        var completions = (await t.CreateIndicatorAsync(nhs, "DRUG-COMPLETIONS", unit: "rate_per_1000", direction: "increase", frequency: "financial_year")).Id();
        var (pusher, _, pusherId) = await t.KeyAsync(["observations:write"]);
        return new Setup(t, met, nhs, robbery, confidence, completions, pusher, pusherId);
    }

    [Fact]
    public async Task A_new_batch_creates_every_row_with_canonical_periods_dates_and_the_sender()
    {
        var s = await SetupAsync();

        var result = await s.Pusher.PushOkAsync(s.T, [
            Row("ROB-PERSONAL", "2024-06", 187, "E09000028", note: "CONNECT extract 2024-07-06"),
            Row("ROB-PERSONAL", "202407", 0),
            Row("CONFIDENCE", "2024Q2", 61.25m, status: "final"),
            Row("DRUG-COMPLETIONS", "2024April", 4.123456m, "E05011095"),
        ]);

        Assert.Equal("ok", result.Str("status"));
        Assert.Equal((4, 0, 0, 0), (result.Int("created"), result.Int("updated"), result.Int("unchanged"), result.Int("rejected")));
        Assert.Empty(result["conflicts"].Arr());
        Assert.False(result["dryRun"]!.GetValue<bool>());

        var robbery = await s.T.StoredAsync(s.Robbery);
        Assert.Equal(2, robbery.Count);
        Assert.Equal(new StoredObservation("2024-06", "E09000028", "187", "provisional", "CONNECT extract 2024-07-06", s.PusherId.ToString(),
            "2024-06-01", "2024-06-30", 1), robbery[0]);
        Assert.Equal(("2024-07", "E09000028", "0", "2024-07-31"), (robbery[1].Period, robbery[1].Area, robbery[1].Value, robbery[1].PeriodEnd));
        var confidence = Assert.Single(await s.T.StoredAsync(s.Confidence));
        Assert.Equal(("2024-Q2", "61.25", "final", "2024-04-01", "2024-06-30"),
            (confidence.Period, confidence.Value, confidence.Status, confidence.PeriodStart, confidence.PeriodEnd));
        var completions = Assert.Single(await s.T.StoredAsync(s.Completions));
        Assert.Equal(("2024-25", "E05011095", "4.123456", "2024-04-01", "2025-03-31"),
            (completions.Period, completions.Area, completions.Value, completions.PeriodStart, completions.PeriodEnd));
        Assert.Equal(0, await s.T.CountAsync("observation_revisions"));
    }

    [Fact]
    public async Task Pushing_again_updates_changed_rows_with_a_revision_and_leaves_unchanged_rows_alone()
    {
        var s = await SetupAsync();
        var (other, _, otherId) = await s.T.KeyAsync(["observations:write"]);
        await s.Pusher.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 170), Row("ROB-PERSONAL", "2024-06", 187, note: "first")]);
        var before = await s.T.StoredAsync(s.Robbery);

        var result = await other.PushOkAsync(s.T, [
            Row("ROB-PERSONAL", "2024-05", 170.000m),          // same value, written differently: unchanged
            Row("ROB-PERSONAL", "2024-06", 191, note: "restated"),
            Row("ROB-PERSONAL", "2024-07", 160),
        ]);

        Assert.Equal(("ok", 1, 1, 1, 0), (result.Str("status"), result.Int("created"), result.Int("updated"), result.Int("unchanged"), result.Int("rejected")));
        var after = await s.T.StoredAsync(s.Robbery);
        Assert.Equal(before[0], after[0]); // not touched: same version and sender
        Assert.Equal(("191", "restated", otherId.ToString(), 2L), (after[1].Value, after[1].Note, after[1].ClientId, after[1].Version));
        var revision = Assert.Single(await factory.QueryTextAsync("""
            SELECT old_value, old_note, old_client_id, new_value, new_note, new_client_id FROM observation_revisions
            WHERE partnership_id = @p AND period = '2024-06'
            """, new { p = s.T.Id }));
        Assert.Equal(new[] { "187", "first", s.PusherId.ToString(), "191", "restated", otherId.ToString() }, revision);
        Assert.Equal(1, await s.T.CountAsync("observation_revisions"));

        var again = await other.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 191, note: "restated")]);
        Assert.Equal((0, 0, 1), (again.Int("created"), again.Int("updated"), again.Int("unchanged")));
        Assert.Equal(1, await s.T.CountAsync("observation_revisions"));
    }

    [Fact]
    public async Task Invalid_rows_are_rejected_with_stable_codes_and_the_valid_rows_kept()
    {
        var s = await SetupAsync();

        var result = await s.Pusher.PushOkAsync(s.T, [
            Row("ROB-PERSONAL", "2024-06", 187),                 // 0 ok
            Row("NO-SUCH", "2024-06", 1),                        // 1 unknown_indicator
            Row("ROB-PERSONAL", "2024-13", 1),                   // 2 invalid_period
            Row("ROB-PERSONAL", "2024-Q2", 1),                   // 3 period_frequency_mismatch
            Row("ROB-PERSONAL", "2024-08", 1, area: "X09000028"),// 4 invalid_area
            Row("ROB-PERSONAL", "2024-09", -1),                  // 5 invalid_value: negative count
            Row("ROB-PERSONAL", "2024-10", 1.5m),                // 6 invalid_value: fractional count
            Row("CONFIDENCE", "2024-Q3", 100.5m),                // 7 invalid_value: percent over 100
            Row("CONFIDENCE", "2024-Q4", 1.0000001m),            // 8 invalid_value: 7 decimal places
            Row("ROB-PERSONAL", "202406", 190),                  // 9 duplicate_in_batch (same key as row 0)
            new { indicator = "ROB-PERSONAL", period = "2024-11" }, // 10 invalid_value: no value
            Row("CONFIDENCE", "2024-Q1", 0),                     // 11 ok: zero is a value
        ]);

        Assert.Equal("partial", result.Str("status"));
        Assert.Equal((2, 0, 0, 10), (result.Int("created"), result.Int("updated"), result.Int("unchanged"), result.Int("rejected")));
        var conflicts = result["conflicts"].Arr().Select(c => (c!["index"]!.GetValue<int>(), c["field"]!.GetValue<string>(), c["code"]!.GetValue<string>())).ToList();
        Assert.Equal([
            (1, "indicator", "unknown_indicator"), (2, "period", "invalid_period"), (3, "period", "period_frequency_mismatch"),
            (4, "area", "invalid_area"), (5, "value", "invalid_value"), (6, "value", "invalid_value"), (7, "value", "invalid_value"),
            (8, "value", "invalid_value"), (9, "period", "duplicate_in_batch"), (10, "value", "invalid_value"),
        ], conflicts);
        Assert.All(result["conflicts"].Arr(), c => Assert.False(string.IsNullOrWhiteSpace(c!["message"]!.GetValue<string>())));
        Assert.Equal("187", Assert.Single(await s.T.StoredAsync(s.Robbery)).Value);
        Assert.Equal("0", Assert.Single(await s.T.StoredAsync(s.Confidence)).Value);
    }

    [Fact]
    public async Task Atomic_rejects_the_whole_batch_on_any_conflict()
    {
        var s = await SetupAsync();
        await s.Pusher.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 170)]);

        var result = await s.Pusher.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 171), Row("ROB-PERSONAL", "2024-06", 187), Row("NO-SUCH", "2024-06", 1)],
            "?atomic=true");

        Assert.Equal(("rejected", 0, 0, 0, 3), (result.Str("status"), result.Int("created"), result.Int("updated"), result.Int("unchanged"), result.Int("rejected")));
        Assert.Equal("unknown_indicator", Assert.Single(result["conflicts"].Arr())!["code"]!.GetValue<string>());
        var stored = Assert.Single(await s.T.StoredAsync(s.Robbery));
        Assert.Equal(("2024-05", "170"), (stored.Period, stored.Value));
        Assert.Equal(0, await s.T.CountAsync("observation_revisions"));

        var clean = await s.Pusher.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 171), Row("ROB-PERSONAL", "2024-06", 187)], "?atomic=true");
        Assert.Equal(("ok", 1, 1), (clean.Str("status"), clean.Int("created"), clean.Int("updated")));
    }

    [Fact]
    public async Task Dry_run_reports_the_same_summary_and_writes_nothing()
    {
        var s = await SetupAsync();
        await s.Pusher.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 170), Row("ROB-PERSONAL", "2024-06", 180)]);
        var before = await s.T.StoredAsync(s.Robbery);
        var batch = new[] { Row("ROB-PERSONAL", "2024-05", 170), Row("ROB-PERSONAL", "2024-06", 181), Row("ROB-PERSONAL", "2024-07", 1), Row("ROB-PERSONAL", "bad", 1) };

        var dry = await s.Pusher.PushOkAsync(s.T, batch, "?dryRun=true");

        Assert.True(dry["dryRun"]!.GetValue<bool>());
        Assert.Equal(("partial", 1, 1, 1, 1), (dry.Str("status"), dry.Int("created"), dry.Int("updated"), dry.Int("unchanged"), dry.Int("rejected")));
        Assert.Equal(before, await s.T.StoredAsync(s.Robbery));
        Assert.Equal(0, await s.T.CountAsync("observation_revisions"));

        var real = await s.Pusher.PushOkAsync(s.T, batch);
        dry.Remove("dryRun");
        real.Remove("dryRun");
        Assert.Equal(dry.ToJsonString(), real.ToJsonString());
        Assert.Equal(3, (await s.T.StoredAsync(s.Robbery)).Count);
    }

    [Fact]
    public async Task A_final_value_is_not_overwritten_by_a_provisional_one_unless_an_admin_forces_it()
    {
        var s = await SetupAsync();
        await s.Pusher.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 187, status: "final")]);

        var refused = await s.Pusher.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 190, status: "provisional"), Row("ROB-PERSONAL", "2024-07", 5)]);
        Assert.Equal(("partial", 1, 0, 1), (refused.Str("status"), refused.Int("created"), refused.Int("updated"), refused.Int("rejected")));
        var conflict = Assert.Single(refused["conflicts"].Arr())!.AsObject();
        Assert.Equal((0, "final_value_locked"), (conflict.Int("index"), conflict.Str("code")));
        Assert.Equal(("187", "final"), ((await s.T.StoredAsync(s.Robbery))[0].Value, (await s.T.StoredAsync(s.Robbery))[0].Status));

        // A final value may replace a final one; the provisional default may not.
        var finalAgain = await s.Pusher.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 188, status: "final")]);
        Assert.Equal(1, finalAgain.Int("updated"));
        var noStatus = await s.Pusher.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 189)]);
        Assert.Equal("final_value_locked", noStatus["conflicts"]![0]!["code"]!.GetValue<string>());

        var notAdmin = await s.Pusher.PushAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 190)], "?force=true");
        await TestTenant.ExpectProblem(notAdmin, HttpStatusCode.Forbidden);

        var forced = await s.T.Admin.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 190)], "?force=true");
        Assert.Equal(("ok", 1), (forced.Str("status"), forced.Int("updated")));
        var stored = (await s.T.StoredAsync(s.Robbery))[0];
        Assert.Equal(("190", "provisional"), (stored.Value, stored.Status));
        Assert.Equal(2, await s.T.CountAsync("observation_revisions"));
    }

    [Fact]
    public async Task A_key_bound_to_an_agency_may_push_only_its_agencys_indicators()
    {
        var s = await SetupAsync();
        var (police, _, _) = await s.T.KeyAsync(["observations:write"], s.Met);

        var result = await police.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 187), Row("DRUG-COMPLETIONS", "2024-25", 3)]);

        Assert.Equal(("partial", 1, 1), (result.Str("status"), result.Int("created"), result.Int("rejected")));
        var conflict = Assert.Single(result["conflicts"].Arr())!.AsObject();
        Assert.Equal((1, "indicator", "forbidden_indicator"), (conflict.Int("index"), conflict.Str("field"), conflict.Str("code")));
        Assert.Empty(await s.T.StoredAsync(s.Completions));
        Assert.Single(await s.T.StoredAsync(s.Robbery));
    }

    [Fact]
    public async Task The_area_defaults_to_the_partnerships_area()
    {
        var s = await SetupAsync();
        await s.Pusher.PushOkAsync(s.T, [new { indicator = "ROB-PERSONAL", period = "2024-06", value = 3 }]);
        Assert.Equal("E09000028", Assert.Single(await s.T.StoredAsync(s.Robbery)).Area);
    }

    [Fact]
    public async Task Decimal_values_round_trip_exactly()
    {
        var s = await SetupAsync();
        await s.Pusher.PushOkAsync(s.T, [Row("DRUG-COMPLETIONS", "2023-24", 1234567.123456m), Row("DRUG-COMPLETIONS", "2024-25", 0.000001m)]);

        Assert.Equal(["1234567.123456", "0.000001"], (await s.T.StoredAsync(s.Completions)).Select(o => o.Value));
        var page = await TestTenant.Expect(await s.T.Admin.GetAsync(s.T.Path($"/indicators/{s.Completions}/observations")), HttpStatusCode.OK);
        Assert.Equal([1234567.123456m, 0.000001m], page["items"].Arr().Select(o => o!["value"]!.GetValue<decimal>()));
    }

    [Fact]
    public async Task More_than_ten_thousand_rows_is_not_answered_at_once_but_accepted_as_a_job()
    {
        var s = await SetupAsync(areaCheck: "off");
        var rows = Enumerable.Range(0, 10_001).Select(i => Row("ROB-PERSONAL", "2024-06", i, $"E05{i:D6}"));

        var response = await s.Pusher.PushAsync(s.T, rows);

        var job = await TestTenant.Expect(response, HttpStatusCode.Accepted);
        Assert.Equal(10_001, job["progress"]!["rowsTotal"]!.GetValue<int>());
        Assert.Equal(s.T.Path($"/jobs/{job.Str("id")}"), response.Headers.Location?.OriginalString);
        Assert.Equal("succeeded", (await Jobs.JobKit.FinishedAsync(s.Pusher, s.T, job.Str("id"))).Str("state"));
        Assert.Equal(10_001, (await s.T.StoredAsync(s.Robbery)).Count);
    }

    [Fact]
    public async Task Ten_thousand_rows_are_accepted_in_one_batch()
    {
        var s = await SetupAsync(areaCheck: "off");
        var rows = Enumerable.Range(0, 10_000).Select(i => Row("ROB-PERSONAL", "2024-06", i, $"E05{i:D6}"));

        var result = await s.Pusher.PushOkAsync(s.T, rows);

        Assert.Equal(("ok", 10_000), (result.Str("status"), result.Int("created")));
        Assert.Equal(10_000, await s.T.CountAsync("observations"));
        Assert.Equal(49_995_000m, await factory.ScalarAsync<decimal>(
            "SELECT SUM(CAST(value AS BIGINT)) FROM observations WHERE partnership_id = @p", new { p = s.T.Id }));
    }

    [Fact]
    public async Task The_push_needs_the_observations_write_scope_and_a_body()
    {
        var s = await SetupAsync();
        var (reader, _, _) = await s.T.KeyAsync(["read", "plans:write"]);

        await TestTenant.ExpectProblem(await reader.PushAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 1)]), HttpStatusCode.Forbidden);
        var missing = await TestTenant.ExpectProblem(await s.Pusher.PostAsJsonAsync(s.T.Path("/observations"), new { }), HttpStatusCode.BadRequest);
        Assert.NotNull(missing["errors"]!["observations"]);
        Assert.Empty(await s.T.StoredAsync(s.Robbery));

        var empty = await s.Pusher.PushOkAsync(s.T, []);
        Assert.Equal(("ok", 0), (empty.Str("status"), empty.Int("created")));
    }

    [Fact]
    public async Task Another_partnerships_codes_are_unknown_here()
    {
        var s = await SetupAsync();
        var other = await TestTenant.CreateAsync(factory, "oth");
        var otherAgency = (await other.CreateAgencyAsync("MET")).Id();
        await other.CreateIndicatorAsync(otherAgency, "OTHER-ONLY");

        var result = await s.Pusher.PushOkAsync(s.T, [Row("OTHER-ONLY", "2024-06", 1)]);

        Assert.Equal(("rejected", "unknown_indicator"), (result.Str("status"), result["conflicts"]![0]!["code"]!.GetValue<string>()));
        var foreignKey = await other.Admin.PushAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 1)]);
        await TestTenant.ExpectProblem(foreignKey, HttpStatusCode.NotFound);
        Assert.Equal(0, await s.T.CountAsync("observations"));
    }
}
