using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Quality;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Jobs;

/// <summary>A push that runs as a job warns as a synchronous push does: the job counts its warnings and pages them, a dry-run job
/// gives the same ones, and <c>failOn=warnings</c> makes them conflicts.</summary>
[Collection(ApiCollection.Name)]
public sealed class JobWarningTests(CspApiFactory factory)
{
    private async Task<(TestTenant T, HttpClient Pusher)> SetupAsync(string slug)
    {
        var t = await TestTenant.CreateAsync(factory, slug, areaCheck: "off");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await PushWarningTests.IndicatorAsync(t, met, "ROB-PERSONAL", new { bounds = new { min = 0, max = 500 } });
        var (pusher, _, _) = await t.KeyAsync(["observations:write"]);
        return (t, pusher);
    }

    // Three wards out of bounds among 12,001 rows (a job even without Prefer: respond-async), spread over the job's chunks.
    private static IEnumerable<object> Rows() => Enumerable.Range(0, 12_001)
        .Select(i => Row("ROB-PERSONAL", "2024-06", i is 3 or 6_000 or 12_000 ? 1870 : i % 400, $"E05{i:D6}"));

    private static IEnumerable<(int, string)> Listed(IEnumerable<JsonNode> items) =>
        items.Select(w => (w["index"]!.GetValue<int>(), w["code"]!.GetValue<string>()));

    [Fact]
    public async Task A_job_counts_and_pages_its_warnings_and_keeps_the_rows()
    {
        var (t, pusher) = await SetupAsync("jobwarn");

        var (_, dryAccepted) = await JobKit.SubmitAsync(pusher, t, JobKit.Json(Rows()), "?dryRun=true", preferAsync: false);
        var dry = await JobKit.FinishedAsync(pusher, t, dryAccepted.Str("id"));
        var (_, accepted) = await JobKit.SubmitAsync(pusher, t, JobKit.Json(Rows()), preferAsync: false);
        var job = await JobKit.FinishedAsync(pusher, t, accepted.Str("id"));

        Assert.Equal(("succeeded", "ok", 12_001), (job.Str("state"), job["result"]!.AsObject().Str("status"), job["result"]!.AsObject().Int("created")));
        Assert.Equal(3, job.Int("warnings"));
        var warnings = await JobKit.WarningsAsync(pusher, t, accepted.Str("id"), limit: 2);
        Assert.Equal([(3, "outside_bounds"), (6_000, "outside_bounds"), (12_000, "outside_bounds")], Listed(warnings));
        Assert.All(warnings, w => Assert.Equal(500m, w!["expected"]!.GetValue<decimal>()));
        Assert.Equal(3, dry.Int("warnings"));
        Assert.Equal(Listed(warnings), Listed(await JobKit.WarningsAsync(pusher, t, dryAccepted.Str("id"))));
        Assert.Equal(12_001, await t.CountAsync("observations"));
    }

    [Fact]
    public async Task A_job_sent_with_fail_on_warnings_rejects_the_rows_that_warn()
    {
        var (t, pusher) = await SetupAsync("jobfailon");
        var csv = new StringContent("indicator,period,area,value\nROB-PERSONAL,2024-06,E05000001,11\nROB-PERSONAL,2024-06,E05000002,1870\n",
            Encoding.UTF8, "text/csv");

        var (_, accepted) = await JobKit.SubmitAsync(pusher, t, csv, "?failOn=warnings");
        var job = await JobKit.FinishedAsync(pusher, t, accepted.Str("id"));

        var result = job["result"]!.AsObject();
        Assert.Equal(("partial", 1, 1), (result.Str("status"), result.Int("created"), result.Int("rejected")));
        Assert.Equal([(1, "outside_bounds")], Listed(await JobKit.ConflictsAsync(pusher, t, accepted.Str("id"))));
        Assert.Equal(0, job.Int("warnings"));
        Assert.Equal(1, await t.CountAsync("observations"));
    }

    [Fact]
    public async Task Another_partnerships_job_warnings_are_not_found()
    {
        var (t, pusher) = await SetupAsync("jobwarn-own");
        var (other, _) = await SetupAsync("jobwarn-other");
        var (_, accepted) = await JobKit.SubmitAsync(pusher, t, JobKit.Json([Row("ROB-PERSONAL", "2024-06", 1870, "E05000001")]));
        await JobKit.FinishedAsync(pusher, t, accepted.Str("id"));

        var response = await other.Admin.GetAsync(other.Path($"/jobs/{accepted.Str("id")}/warnings"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
