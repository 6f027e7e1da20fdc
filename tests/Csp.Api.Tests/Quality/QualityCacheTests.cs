using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Plans;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Quality;

/// <summary>
/// The push's checks keep each area's recent history in the process between pushes. What they warn about is the same whether
/// that history is cached (this factory, after earlier pushes) or read afresh (a second process on the same database), and
/// only committed values ever reach it: a write by another process, a retraction, a rejected push and a dry run are each
/// followed by a push whose outlier warning depends on it.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class QualityCacheTests(CspApiFactory factory)
{
    private static IEnumerable<object> Months(string code, int year, int first, params decimal[] values) =>
        values.Select((v, i) => Row(code, $"{year}-{first + i:D2}", v));

    private async Task<TestTenant> SetupAsync(string slug)
    {
        var t = await TestTenant.CreateAsync(factory, slug);
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await PushWarningTests.IndicatorAsync(t, met, "ROB-PERSONAL", new { largeChangePercent = 50 });
        return t;
    }

    private static string WarningsOf(JsonObject result) => result["warnings"]!.ToJsonString();

    [Fact]
    public async Task Warnings_are_the_same_from_the_cached_history_as_from_the_database()
    {
        var t = await SetupAsync("qcache-same");
        // Pushed in pieces, restated and partly retracted, so the cached series has been changed by each kind of write.
        await t.Admin.PushOkAsync(t, Months("ROB-PERSONAL", 2023, 1, 100, 104, 98, 102, 100, 96));
        await t.Admin.PushOkAsync(t, Months("ROB-PERSONAL", 2023, 7, 101, 99, 103, 100));
        await t.Admin.PushOkAsync(t, Months("ROB-PERSONAL", 2023, 3, 300, 310, 305, 290, 300, 310, 295, 305));
        await t.Admin.PushOkAsync(t, [new { indicator = "ROB-PERSONAL", period = "2023-10", delete = true }, Row("ROB-PERSONAL", "2023-09", 295)]);
        object[] batch = [Row("ROB-PERSONAL", "2023-10", 100), Row("ROB-PERSONAL", "2023-11", 1870), Row("ROB-PERSONAL", "2023-12", 301)];

        var warm = await t.Admin.PushOkAsync(t, batch, "?dryRun=true");
        JsonObject cold;
        await using (var other = new SecondProcessFactory(factory.Database))
            cold = await other.ClientWithKey(t.AdminKey).PushOkAsync(t, batch, "?dryRun=true");
        var pushed = await t.Admin.PushOkAsync(t, batch);

        // 2023-10 against 100, 104 and seven values near 300 (2023-09 is 295: a large change, and 2023-10's 305 is gone);
        // 2023-11 against those and 100; 2023-12 only far from 1870.
        Assert.Equal([(0, "large_change"), (0, "outlier"), (1, "large_change"), (1, "outlier"), (2, "large_change")],
            PushWarningTests.Warnings(pushed).Order());
        Assert.Equal([295m, 300m], pushed["warnings"].Arr().Where(w => w!["index"]!.GetValue<int>() == 0)
            .Select(w => w!["expected"]!.GetValue<decimal>()).Order());
        Assert.Equal(WarningsOf(cold), WarningsOf(warm));
        Assert.Equal(WarningsOf(cold), WarningsOf(pushed));
    }

    [Fact]
    public async Task A_value_written_by_another_process_is_seen_by_the_next_push()
    {
        var t = await SetupAsync("qcache-other");
        await t.Admin.PushOkAsync(t, Months("ROB-PERSONAL", 2023, 1, 100, 104, 98, 102, 100, 96));
        Assert.Empty((await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2023-07", 101)]))["warnings"].Arr());

        // Another replica restates the history tenfold: 101 is now the odd one out, against what is stored, not what was cached.
        await using (var other = new SecondProcessFactory(factory.Database))
            await other.ClientWithKey(t.AdminKey).PushOkAsync(t, Months("ROB-PERSONAL", 2023, 1, 1000, 1040, 980, 1020, 1000, 960));

        var pushed = await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2023-08", 100)]);
        Assert.Equal([(0, "outlier")], PushWarningTests.Warnings(pushed));
        Assert.Equal(1000m, pushed["warnings"].Arr()[0]!["expected"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task A_rejected_push_and_a_dry_run_leave_the_history_as_committed()
    {
        var t = await SetupAsync("qcache-rollback");
        await t.Admin.PushOkAsync(t, Months("ROB-PERSONAL", 2023, 1, 100, 104, 98, 102, 100, 96));
        Assert.Empty((await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2023-07", 101)]))["warnings"].Arr());
        object[] tenfold = [.. Months("ROB-PERSONAL", 2023, 1, 1000, 1040, 980, 1020, 1000, 960, 1010)];

        var dry = await t.Admin.PushOkAsync(t, tenfold, "?dryRun=true");
        var rejected = await t.Admin.PushOkAsync(t, [.. tenfold, Row("NO-SUCH", "2023-01", 1)], "?atomic=true");

        Assert.Equal("rejected", rejected.Str("status"));
        Assert.Equal(dry["warnings"]!.ToJsonString(), rejected["warnings"]!.ToJsonString());
        // Neither wrote anything, so 100 is in line with what is stored (and 1870 is not).
        var next = await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2023-08", 100), Row("ROB-PERSONAL", "2023-09", 1870)], "?dryRun=true");
        Assert.Equal([(1, "large_change"), (1, "outlier")], PushWarningTests.Warnings(next).Order());
        var pushed = await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2023-08", 100), Row("ROB-PERSONAL", "2023-09", 1870)]);
        Assert.Equal(WarningsOf(next), WarningsOf(pushed));
        Assert.All(pushed["warnings"].Arr(), w => Assert.Equal(100m, w!["expected"]!.GetValue<decimal>()));
    }

    [Fact]
    public async Task A_change_to_an_indicators_bounds_or_to_the_rules_is_seen_by_the_next_push()
    {
        // The checks keep each partnership's settings (bounds, thresholds, rules) with the history, as at the audit seq.
        var t = await TestTenant.CreateAsync(factory, "qcache-settings");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var knife = await PushWarningTests.IndicatorAsync(t, met, "KNIFE-CRIME", new { bounds = new { min = 0, max = 500 } });
        await PushWarningTests.IndicatorAsync(t, met, "KNIFE-INJURY", new { });
        object[] batch = [Row("KNIFE-CRIME", "2024-06", 40), Row("KNIFE-INJURY", "2024-06", 60)];
        Assert.Empty((await t.Admin.PushOkAsync(t, batch, "?dryRun=true"))["warnings"].Arr());

        var body = new
        {
            code = "KNIFE-CRIME", name = "Knife crime", unit = "count", direction = "decrease", frequency = "monthly", sourceAgencyId = met,
            bounds = new { min = 50, max = 500 }
        };
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{knife}"), body), System.Net.HttpStatusCode.OK);
        Assert.Equal([(0, "outside_bounds")], PushWarningTests.Warnings(await t.Admin.PushOkAsync(t, batch, "?dryRun=true")));

        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/validation-rules"), new
        {
            code = "INJURY-LE-KNIFE", left = "KNIFE-INJURY", @operator = "less_than_or_equal_to", right = "KNIFE-CRIME",
        }), System.Net.HttpStatusCode.Created);
        var pushed = await t.Admin.PushOkAsync(t, batch);
        Assert.Equal([(0, "outside_bounds"), (0, "rule_violation"), (1, "rule_violation")], PushWarningTests.Warnings(pushed).Order());
    }
}
