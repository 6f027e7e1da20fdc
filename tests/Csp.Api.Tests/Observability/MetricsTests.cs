using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observability;

/// <summary>
/// /metrics as Prometheus scrapes it: refused without the platform key from outside the allowed networks (the in-memory
/// test server has no remote address, so it is in none), and the service's own counters moving with each partnership's
/// pushes and plan reads. Every test reads only the series of its own partnership, so tests running alongside do not
/// disturb the figures.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class MetricsTests(CspApiFactory factory)
{
    [Fact]
    public async Task Metrics_are_refused_without_the_platform_key_from_an_address_outside_the_allowed_networks()
    {
        var t = await TestTenant.CreateAsync(factory, "met");

        var anonymous = await factory.OffContractClient(null).GetAsync("/metrics");
        var problem = await TestTenant.ExpectProblem(anonymous, HttpStatusCode.Unauthorized);
        Assert.Contains("X-Api-Key", problem.Str("detail"), StringComparison.Ordinal);
        Assert.DoesNotContain("csp_", problem.ToJsonString(), StringComparison.Ordinal);

        // A partnership's admin key is not the operator's.
        await TestTenant.ExpectProblem(await factory.OffContractClient(t.AdminKey).GetAsync("/metrics"), HttpStatusCode.Unauthorized);
        await TestTenant.ExpectProblem(await factory.OffContractClient(CspApiFactory.PlatformKey + "x").GetAsync("/metrics"),
            HttpStatusCode.Unauthorized);

        var platform = await factory.OffContractClient(CspApiFactory.PlatformKey).GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, platform.StatusCode);
        Assert.Equal("text/plain", platform.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE csp_", await platform.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await factory.OffContractClient(CspApiFactory.PlatformKey).PostAsync("/metrics", null)).StatusCode);
    }

    [Fact]
    public async Task A_push_counts_its_rows_by_outcome_and_its_batch_by_status_under_the_partnership()
    {
        var t = await TestTenant.CreateAsync(factory, "met");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await t.CreateIndicatorAsync(met, "ROB-PERSONAL");
        var (pusher, _, _) = await t.KeyAsync(["observations:write"]);

        await pusher.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-05", 170), Row("ROB-PERSONAL", "2024-06", 187), Row("NO-SUCH", "2024-06", 1)]);
        await pusher.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-05", 170), Row("ROB-PERSONAL", "2024-06", 190), Row("ROB-PERSONAL", "2024-07", 150)]);
        // Neither a dry run nor a batch rejected whole writes anything; only the second is a push that ran.
        await pusher.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-08", 1)], "?dryRun=true");
        await pusher.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-09", 1), Row("NO-SUCH", "2024-09", 1)], "?atomic=true");

        var p = ("csp_partnership", t.Slug);
        double? Rows(string text, string outcome) => PrometheusText.Value(text, "csp_observations_pushed_total", p, ("csp_outcome", outcome));
        var text = await PrometheusText.ScrapeUntilAsync(factory, s => Rows(s, "rejected") == 3);

        Assert.Equal((3, 1, 1, 3), (Rows(text, "created"), Rows(text, "updated"), Rows(text, "unchanged"), Rows(text, "rejected")));
        double? Batches(string status) => PrometheusText.Value(text, "csp_observations_batches_total", p, ("csp_batch_status", status));
        Assert.Equal((1, 1, 1), (Batches("ok"), Batches("partial"), Batches("rejected")));
        // Each batch that ran waited for a write turn of its partnership.
        Assert.True(PrometheusText.Value(text, "csp_db_write_turn_wait_seconds_count", ("csp_write_scope", "partnership")) >= 3);
    }

    [Fact]
    public async Task Whole_plan_reads_count_a_rebuild_then_cache_hits_until_a_write_in_the_partnership()
    {
        var t = await TestTenant.CreateAsync(factory, "met");
        var plan = (await t.CreatePlanAsync()).Id();
        var p = ("csp_partnership", t.Slug);

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await t.Admin.GetAsync(t.Path($"/plans/{plan}"))).StatusCode);
        var text = await PrometheusText.ScrapeUntilAsync(factory, s => PrometheusText.Value(s, "csp_plan_documents_cache_hits_total", p) == 2);
        Assert.Equal(1, PrometheusText.Value(text, "csp_plan_documents_rebuilt_total", p));
        Assert.Equal(2, PrometheusText.Value(text, "csp_plan_documents_cache_hits_total", p));

        await t.CreatePriorityAsync(plan);
        Assert.Equal(HttpStatusCode.OK, (await t.Admin.GetAsync(t.Path($"/plans/{plan}"))).StatusCode);
        text = await PrometheusText.ScrapeUntilAsync(factory, s => PrometheusText.Value(s, "csp_plan_documents_rebuilt_total", p) == 2);
        Assert.Equal(2, PrometheusText.Value(text, "csp_plan_documents_rebuilt_total", p));
        Assert.Equal(2, PrometheusText.Value(text, "csp_plan_documents_cache_hits_total", p));
        Assert.True(PrometheusText.Value(text, "csp_plan_documents_rebuild_duration_seconds_count") >= 2);
    }

    /// <summary>The dashboard's queries and the docs' table name the service's metrics as /metrics spells them: a renamed
    /// instrument fails here, not on an operator's empty panel.</summary>
    [Fact]
    public async Task The_dashboard_and_the_docs_name_the_metrics_the_service_exports()
    {
        var t = await TestTenant.CreateAsync(factory, "met");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await t.CreateIndicatorAsync(met, "ROB-PERSONAL");
        await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 187)]);
        var plan = (await t.CreatePlanAsync()).Id();
        for (var i = 0; i < 2; i++) await t.Admin.GetAsync(t.Path($"/plans/{plan}"));
        var scraped = await PrometheusText.ScrapeUntilAsync(factory,
            s => PrometheusText.Value(s, "csp_plan_documents_cache_hits_total", ("csp_partnership", t.Slug)) == 1);

        var dashboard = JsonNode.Parse(File.ReadAllText(Repo.PathOf("docs", "grafana-dashboard.json")))!;
        var queries = string.Join("\n", dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]?.AsArray() ?? [])
            .Select(target => target!["expr"]!.GetValue<string>()));
        var docs = File.ReadAllText(Repo.PathOf("docs", "observability.md"));
        var labels = Regex.Matches(queries, @"\bby \(([^)]*)\)").SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries))
            .Concat(Regex.Matches(queries, @"\b(csp_[a-z_]+)\s*(=~|!~|!=|=)").Select(m => m.Groups[1].Value)).ToHashSet();
        var inDashboard = Regex.Matches(queries, @"\bcsp_[a-z_]+").Select(m => m.Value).Where(token => !labels.Contains(token))
            .Select(name => Regex.Replace(name, "_(bucket|count|sum)$", "")).ToHashSet();
        var exported = Regex.Matches(scraped, @"(?m)^# TYPE (csp_[a-z_]+) ").Select(m => m.Groups[1].Value).ToHashSet();

        Assert.Contains("csp_observations_pushed_total", inDashboard);
        // Every metric of the service is documented, and the dashboard uses only documented ones that /metrics has (the
        // jobs gauge has no series until a job queue exists).
        Assert.All(exported, name => Assert.Contains($"`{name}`", docs, StringComparison.Ordinal));
        Assert.All(inDashboard, name => Assert.Contains($"`{name}`", docs, StringComparison.Ordinal));
        Assert.Empty(inDashboard.Except(exported).Except(["csp_jobs_queued"]));
    }

    [Fact]
    public async Task The_metrics_endpoint_is_not_part_of_the_contract()
    {
        var document = await factory.OffContractClient(null).GetStringAsync("/openapi/v1.json");
        Assert.DoesNotContain("\"/metrics\"", document, StringComparison.Ordinal);
    }
}
