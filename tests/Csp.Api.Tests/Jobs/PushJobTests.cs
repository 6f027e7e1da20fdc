using System.Net;
using System.Text;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Jobs;

/// <summary>Pushes too large to answer at once, or sent with Prefer: respond-async, run as jobs.</summary>
[Collection(ApiCollection.Name)]
public sealed class PushJobTests(CspApiFactory factory)
{
    private async Task<(TestTenant T, Guid Robbery, HttpClient Pusher)> SetupAsync()
    {
        var t = await TestTenant.CreateAsync(factory, "job", areaCheck: "off");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var robbery = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        var (pusher, _, _) = await t.KeyAsync(["observations:write"]);
        return (t, robbery, pusher);
    }

    private static object Ward(int i, decimal value) => Row("ROB-PERSONAL", "2024-06", value, $"E05{i:D6}");

    [Fact]
    public async Task A_push_over_ten_thousand_rows_is_a_job_that_applies_every_row_once_and_pages_its_conflicts()
    {
        var (t, robbery, pusher) = await SetupAsync();
        var rows = Enumerable.Range(0, 12_001).Select(i => i switch
        {
            5 => Row("NOPE", "2024-06", 1),
            11_000 => Ward(0, 7),
            _ => Ward(i, i),
        });

        var (response, accepted) = await JobKit.SubmitAsync(pusher, t, JobKit.Json(rows), preferAsync: false);
        Assert.Equal(("observations", 12_001), (accepted.Str("kind"), accepted["progress"]!["rowsTotal"]!.GetValue<int>()));
        Assert.Contains(accepted.Str("state"), new[] { "queued", "running", "succeeded" });
        Assert.False(response.Headers.Contains("Preference-Applied"));
        var job = await JobKit.FinishedAsync(pusher, t, accepted.Str("id"));

        Assert.Equal("succeeded", job.Str("state"));
        Assert.Equal(12_001, job["progress"]!["rowsDone"]!.GetValue<int>());
        var result = job["result"]!.AsObject();
        Assert.Equal(("partial", 11_999, 2), (result.Str("status"), result.Int("created"), result.Int("rejected")));
        Assert.Equal(2, job.Int("conflicts"));
        Assert.NotNull(job["expiresAt"]);
        var conflicts = await JobKit.ConflictsAsync(pusher, t, accepted.Str("id"), limit: 1);
        Assert.Equal([(5, "unknown_indicator"), (11_000, "duplicate_in_batch")],
            conflicts.Select(c => (c["index"]!.GetValue<int>(), c["code"]!.GetValue<string>())));
        Assert.Equal(11_999, await t.CountAsync("observations"));
        Assert.Equal(0, await t.CountAsync("job_chunks"));
        Assert.Equal(0m, await factory.ScalarAsync<decimal>(
            "SELECT value FROM observations WHERE partnership_id = @p AND indicator_id = @i AND area = 'E05000000'", new { p = t.Id, i = robbery }));
    }

    [Fact]
    public async Task Prefer_respond_async_makes_a_small_csv_push_a_job_with_the_synchronous_summary()
    {
        var (t, robbery, pusher) = await SetupAsync();
        await pusher.PushOkAsync(t, [Ward(1, 10)]);
        var csv = new StringContent("indicator,period,area,value\nROB-PERSONAL,2024-06,E05000001,11\nROB-PERSONAL,2024-06,E05000002,0\n",
            Encoding.UTF8, "text/csv");

        var (response, accepted) = await JobKit.SubmitAsync(pusher, t, csv);
        var job = await JobKit.FinishedAsync(pusher, t, accepted.Str("id"));

        Assert.Equal("respond-async", string.Join(",", response.Headers.GetValues("Preference-Applied")));
        var result = job["result"]!.AsObject();
        Assert.Equal(("ok", 1, 1, 0), (result.Str("status"), result.Int("created"), result.Int("updated"), result.Int("rejected")));
        Assert.Equal(["11", "0"], (await t.StoredAsync(robbery)).OrderBy(o => o.Area).Select(o => o.Value));
        Assert.Equal(1, await t.CountAsync("observation_revisions"));
    }

    [Fact]
    public async Task An_atomic_job_with_one_conflict_keeps_nothing_and_reports_it()
    {
        var (t, robbery, pusher) = await SetupAsync();
        var rows = Enumerable.Range(0, 4_500).Select(i => i == 4_400 ? Row("ROB-PERSONAL", "2024-13", 1) : Ward(i, i));

        var (_, accepted) = await JobKit.SubmitAsync(pusher, t, JobKit.Json(rows), "?atomic=true");
        var job = await JobKit.FinishedAsync(pusher, t, accepted.Str("id"));

        Assert.True(job["atomic"]!.GetValue<bool>());
        var result = job["result"]!.AsObject();
        Assert.Equal(("rejected", 0, 4_500), (result.Str("status"), result.Int("created"), result.Int("rejected")));
        var conflict = Assert.Single(await JobKit.ConflictsAsync(pusher, t, accepted.Str("id")));
        Assert.Equal((4_400, "invalid_period"), (conflict["index"]!.GetValue<int>(), conflict["code"]!.GetValue<string>()));
        Assert.Empty(await t.StoredAsync(robbery));
        Assert.Equal(0, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM audit_events WHERE partnership_id = @p AND entity_type = 'observation'",
            new { p = t.Id }));

        var (_, fixedJob) = await JobKit.SubmitAsync(pusher, t, JobKit.Json(Enumerable.Range(0, 4_500).Select(i => Ward(i, i))), "?atomic=true");
        Assert.Equal(("succeeded", "ok"), ((await JobKit.FinishedAsync(pusher, t, fixedJob.Str("id"))).Str("state"), "ok"));
        Assert.Equal(4_500, await t.CountAsync("observations"));
    }

    [Fact]
    public async Task A_dry_run_job_reports_what_it_would_do_and_writes_nothing()
    {
        var (t, robbery, pusher) = await SetupAsync();
        await pusher.PushOkAsync(t, [Ward(1, 10)]);

        var (_, accepted) = await JobKit.SubmitAsync(pusher, t, JobKit.Json([Ward(1, 11), Ward(2, 5), Row("NOPE", "2024-06", 1)]), "?dryRun=true");
        var job = await JobKit.FinishedAsync(pusher, t, accepted.Str("id"));

        var result = job["result"]!.AsObject();
        Assert.Equal(("partial", 1, 1, 1, true), (result.Str("status"), result.Int("created"), result.Int("updated"), result.Int("rejected"),
            result["dryRun"]!.GetValue<bool>()));
        Assert.Equal(["10"], (await t.StoredAsync(robbery)).Select(o => o.Value));
        Assert.Single(await JobKit.ConflictsAsync(pusher, t, accepted.Str("id")));
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_job_and_the_rows_are_applied_once()
    {
        var (t, robbery, pusher) = await SetupAsync();
        var rows = new[] { Ward(1, 10), Ward(2, 20) };

        var (_, first) = await JobKit.SubmitAsync(pusher, t, JobKit.Json(rows), idempotencyKey: "job-1");
        var (retry, again) = await JobKit.SubmitAsync(pusher, t, JobKit.Json(rows), idempotencyKey: "job-1");
        await JobKit.FinishedAsync(pusher, t, first.Str("id"));

        Assert.Equal(first.Str("id"), again.Str("id"));
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await t.CountAsync("jobs"));
        Assert.Equal(2, (await t.StoredAsync(robbery)).Count);
    }

    [Fact]
    public async Task Another_partnerships_job_is_not_found()
    {
        var (t, _, pusher) = await SetupAsync();
        var other = await TestTenant.CreateAsync(factory, "job2");
        var (_, job) = await JobKit.SubmitAsync(pusher, t, JobKit.Json([Ward(1, 1)]));
        await JobKit.FinishedAsync(pusher, t, job.Str("id"));

        await TestTenant.ExpectProblem(await other.Admin.GetAsync(other.Path($"/jobs/{job.Str("id")}")), HttpStatusCode.NotFound);
        await TestTenant.ExpectProblem(await other.Admin.GetAsync(other.Path($"/jobs/{job.Str("id")}/conflicts")), HttpStatusCode.NotFound);
        await TestTenant.ExpectProblem(await pusher.GetAsync(t.Path($"/jobs/{Guid.NewGuid()}")), HttpStatusCode.NotFound);
    }
}
