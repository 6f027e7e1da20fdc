using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Areas;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Quality;

/// <summary>Every push and dry run warns about doubtful values beside its conflicts, and keeps the rows (unless failOn=warnings).</summary>
[Collection(ApiCollection.Name)]
public sealed class PushWarningTests(CspApiFactory factory)
{
    internal static IEnumerable<(int Index, string Code)> Warnings(JsonObject result) =>
        result["warnings"].Arr().Select(w => (w!["index"]!.GetValue<int>(), w["code"]!.GetValue<string>()));

    internal static async Task<Guid> IndicatorAsync(TestTenant t, Guid agency, string code, object settings)
    {
        var body = JsonSerializer(new
        {
            code, name = $"Indicator {code}", unit = "count", direction = "decrease", frequency = "monthly", sourceAgencyId = agency,
        });
        foreach (var (name, value) in JsonSerializer(settings)) body[name] = value?.DeepClone();
        return (await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), body), HttpStatusCode.Created)).Id();
    }

    private static JsonObject JsonSerializer(object o) => System.Text.Json.JsonSerializer.SerializeToNode(o, Json.Options)!.AsObject();

    private static IEnumerable<object> Months(string code, int year, params decimal[] values) =>
        values.Select((v, i) => Row(code, $"{year}-{i + 1:D2}", v));

    [Fact]
    public async Task A_value_outside_the_bounds_is_kept_with_a_warning_and_the_dry_run_says_the_same()
    {
        var t = await TestTenant.CreateAsync(factory, "qbounds");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var id = await IndicatorAsync(t, met, "ROB-PERSONAL", new { bounds = new { min = 50, max = 500 } });

        var dry = await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 1870), Row("ROB-PERSONAL", "2024-07", 187)], "?dryRun=true");
        var pushed = await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 1870), Row("ROB-PERSONAL", "2024-07", 187)]);

        Assert.Equal([(0, "outside_bounds")], Warnings(pushed));
        var warning = pushed["warnings"].Arr()[0]!;
        Assert.Equal(500m, warning["expected"]!.GetValue<decimal>());
        Assert.Contains("1870", warning["message"]!.GetValue<string>());
        Assert.Equal(("ok", 2), (pushed.Str("status"), pushed.Int("created")));
        Assert.Equal(pushed["warnings"]!.ToJsonString(), dry["warnings"]!.ToJsonString());
        Assert.Equal([1870m, 187m], (await t.StoredAsync(id)).Select(s => decimal.Parse(s.Value, System.Globalization.CultureInfo.InvariantCulture)));

        // Below the lower bound: the lower bound is what was expected.
        var low = await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-08", 3)]);
        Assert.Equal(50m, low["warnings"].Arr()[0]!["expected"]!.GetValue<decimal>());
        // No bounds, no warning.
        var clean = await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-09", 190)]);
        Assert.Empty(clean["warnings"].Arr());
    }

    [Fact]
    public async Task A_tenfold_value_is_an_outlier_against_the_areas_earlier_periods_once_there_are_six()
    {
        var t = await TestTenant.CreateAsync(factory, "qoutlier");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await IndicatorAsync(t, met, "ROB-PERSONAL", new { });
        await t.Admin.PushOkAsync(t, Months("ROB-PERSONAL", 2023, 182, 190, 178, 201, 187));

        // Five earlier values are too few to judge.
        var early = await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2023-06", 1870)]);
        Assert.DoesNotContain(Warnings(early), w => w.Code == "outlier");
        await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2023-06", 187)]);

        // Six and more: 1870 (a slipped digit) stands out, 195 does not; the median is what was expected.
        var pushed = await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2023-07", 1870), Row("ROB-PERSONAL", "2023-08", 195)]);
        Assert.Equal([(0, "outlier")], Warnings(pushed));
        Assert.Equal(187m, pushed["warnings"].Arr()[0]!["expected"]!.GetValue<decimal>());
        Assert.Equal(2, pushed.Int("created"));

        // Another area has its own history: the same value there is not compared with the borough's.
        await t.RegisterWardAsync("E05011095", "Borough & Bankside");
        var ward = await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2023-07", 1870, area: "E05011095")]);
        Assert.Empty(ward["warnings"].Arr());
    }

    [Fact]
    public async Task A_resent_value_is_judged_again_against_the_window_as_the_push_leaves_it()
    {
        var t = await TestTenant.CreateAsync(factory, "qresend");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await IndicatorAsync(t, met, "ROB-PERSONAL", new { });
        await t.Admin.PushOkAsync(t, Months("ROB-PERSONAL", 2023, 182, 190, 178, 201, 187, 193, 1870));

        // The stored 1870 re-sent alone, three times (the outcome of a stored value is worked out once per cached series):
        // the same warning each time, dry run or not.
        object[] resend = [Row("ROB-PERSONAL", "2023-07", 1870)];
        var first = await t.Admin.PushOkAsync(t, resend);
        var again = await t.Admin.PushOkAsync(t, resend, "?dryRun=true");
        var third = await t.Admin.PushOkAsync(t, resend);
        Assert.Equal([(0, "outlier")], Warnings(first));
        Assert.Equal(1, first.Int("unchanged"));
        Assert.Equal(first["warnings"]!.ToJsonString(), again["warnings"]!.ToJsonString());
        Assert.Equal(first["warnings"]!.ToJsonString(), third["warnings"]!.ToJsonString());
        // The month corrected (a dry run) is judged as the new value.
        Assert.Empty((await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2023-07", 187)], "?dryRun=true"))["warnings"].Arr());

        // Re-sent with the earlier months restated tenfold in the same push, it is no outlier against them...
        var restated = await t.Admin.PushOkAsync(t, [.. Months("ROB-PERSONAL", 2023, 1820, 1900, 1780, 2010, 1870, 1930), .. resend]);
        Assert.DoesNotContain(Warnings(restated), w => w.Index == 6);
        // ...nor, alone, against what is now stored.
        Assert.Empty((await t.Admin.PushOkAsync(t, resend))["warnings"].Arr());
    }

    [Fact]
    public async Task The_outlier_threshold_is_the_indicators_and_zero_turns_it_off()
    {
        var t = await TestTenant.CreateAsync(factory, "qthreshold");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await IndicatorAsync(t, met, "STRICT", new { outlierThreshold = 1 });
        await IndicatorAsync(t, met, "OFF", new { outlierThreshold = 0 });
        await t.Admin.PushOkAsync(t, [.. Months("STRICT", 2023, 100, 104, 98, 102, 100, 96), .. Months("OFF", 2023, 100, 104, 98, 102, 100, 96)]);

        var pushed = await t.Admin.PushOkAsync(t, [Row("STRICT", "2023-07", 110), Row("OFF", "2023-07", 10000)]);

        Assert.Equal([(0, "outlier")], Warnings(pushed));
    }

    [Fact]
    public async Task A_change_of_more_than_the_indicators_percentage_from_the_previous_period_is_warned_about()
    {
        var t = await TestTenant.CreateAsync(factory, "qchange");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await IndicatorAsync(t, met, "KNIFE-INJURY", new { largeChangePercent = 50 });
        await IndicatorAsync(t, met, "ROB-PERSONAL", new { });
        await t.Admin.PushOkAsync(t, [Row("KNIFE-INJURY", "2024-01", 20), Row("ROB-PERSONAL", "2024-01", 20)]);

        var pushed = await t.Admin.PushOkAsync(t, [
            Row("KNIFE-INJURY", "2024-02", 31), Row("KNIFE-INJURY", "2024-03", 40), Row("ROB-PERSONAL", "2024-02", 90),
        ]);

        // 20 -> 31 is +55%; 31 -> 40 (the previous period sent in the same batch) is +29%; ROB-PERSONAL has no such check.
        Assert.Equal([(0, "large_change")], Warnings(pushed));
        Assert.Equal(20m, pushed["warnings"].Arr()[0]!["expected"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task FailOn_warnings_rejects_the_warned_rows_as_conflicts_and_keeps_the_rest()
    {
        var t = await TestTenant.CreateAsync(factory, "qfailon");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var id = await IndicatorAsync(t, met, "ROB-PERSONAL", new { bounds = new { max = 500 } });

        var result = await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 1870), Row("ROB-PERSONAL", "2024-07", 187)], "?failOn=warnings");

        Assert.Equal(("partial", 1, 1), (result.Str("status"), result.Int("created"), result.Int("rejected")));
        var conflict = result["conflicts"].Arr().Single()!;
        Assert.Equal((0, "value", "outside_bounds"), (conflict["index"]!.GetValue<int>(), conflict["field"]!.GetValue<string>(), conflict["code"]!.GetValue<string>()));
        Assert.Empty(result["warnings"].Arr());
        Assert.Equal(["2024-07"], (await t.StoredAsync(id)).Select(s => s.Period));

        var bad = await TestTenant.ExpectProblem(await t.Admin.PushAsync(t, [Row("ROB-PERSONAL", "2024-08", 1)], "?failOn=everything"),
            HttpStatusCode.BadRequest);
        Assert.Contains("FailOn", bad.Str("detail"));
    }

    [Fact]
    public async Task An_indicators_quality_settings_are_created_read_kept_when_left_out_and_removed()
    {
        var t = await TestTenant.CreateAsync(factory, "qsettings");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var id = await IndicatorAsync(t, met, "ROB-PERSONAL",
            new { bounds = new { min = 0, max = 900 }, outlierThreshold = 4.5, largeChangePercent = 80, dueDays = 10, dueForWards = true });

        var read = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{id}")), HttpStatusCode.OK);
        Assert.Equal((0m, 900m, 4.5m, 80m, 10, true), (read["bounds"]!["min"]!.GetValue<decimal>(), read["bounds"]!["max"]!.GetValue<decimal>(),
            read["outlierThreshold"]!.GetValue<decimal>(), read["largeChangePercent"]!.GetValue<decimal>(), read["dueDays"]!.GetValue<int>(),
            read["dueForWards"]!.GetValue<bool>()));

        // A PUT that does not know the fields keeps them.
        var body = new { code = "ROB-PERSONAL", name = "Renamed", unit = "count", direction = "decrease", frequency = "monthly", sourceAgencyId = met };
        var kept = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{id}"), body), HttpStatusCode.OK);
        Assert.Equal((900m, 10), (kept["bounds"]!["max"]!.GetValue<decimal>(), kept["dueDays"]!.GetValue<int>()));

        // {} removes the bounds; 0 turns the large-change check off.
        var removed = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{id}"),
            new { body.code, body.name, body.unit, body.direction, body.frequency, body.sourceAgencyId, bounds = new { }, largeChangePercent = 0 }),
            HttpStatusCode.OK);
        Assert.Null(removed["bounds"]);
        Assert.Null(removed["largeChangePercent"]);
        Assert.Equal(4.5m, removed["outlierThreshold"]!.GetValue<decimal>());

        // A new indicator: the default threshold, nothing else.
        var plain = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{await IndicatorAsync(t, met, "PLAIN", new { })}")), HttpStatusCode.OK);
        Assert.Equal((3.5m, false), (plain["outlierThreshold"]!.GetValue<decimal>(), plain["dueForWards"]!.GetValue<bool>()));
        Assert.Null(plain["dueDays"]);

        var problem = await TestTenant.ExpectProblem(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), new
        {
            code = "BAD", name = "Bad", unit = "count", direction = "decrease", frequency = "monthly", sourceAgencyId = met,
            bounds = new { min = 10, max = 5 }, outlierThreshold = -1, dueDays = 400,
        }), HttpStatusCode.BadRequest);
        Assert.Equal(["bounds", "dueDays", "outlierThreshold"], problem.Errors().Select(e => e.Key).Order());
    }
}
