using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Areas;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Plans;

namespace Csp.Api.Tests.Portal;

/// <summary>
/// Issue 16, point 2, applied: every public output shows an indicator's values as its disclosure policy publishes them (a withheld
/// value is <c>value: null, suppressed: true</c>, a true zero stays 0, secondary suppression across the wards of a published
/// borough total, the rule and its version named), derived figures come from published values or are withheld, and keyed
/// readers see every value as stored.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DisclosureOutputTests(CspApiFactory factory)
{
    private const string Borough = "E09000028";
    private static readonly string[] Wards = ["E05011095", "E05011096", "E05011097", "E05011098"];

    private HttpClient Anonymous => factory.ClientWithKey(null);

    private sealed record World(TestTenant T, Guid PlanId, Guid Ward, Guid Whole, HttpClient Reader);

    /// <summary>A public partnership with four wards and an approved plan measured by two health indicators: HOSP-ASSAULT
    /// (nhs_small_numbers, below the partnership's area) with a borough total and ward values in April and May 2025, and
    /// HOSP-SELF-HARM (suppress_below 5 in every area) whose borough value for May is 4.</summary>
    private async Task<World> BuildAsync()
    {
        var t = await TestTenant.CreateAsync(factory, "dis", publicRead: true);
        var icb = await t.CreateAgencyAsync("ICB", "health");
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], icb.Id());
        var (reader, _, _) = await t.KeyAsync(["read"]);
        for (var i = 0; i < Wards.Length; i++) await t.RegisterWardAsync(Wards[i], $"Ward {i + 1}");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        async Task<Guid> Indicator(string code, object disclosure, object[]? targets = null) =>
            (await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), new
            {
                code, name = code, unit = "count", direction = "decrease", frequency = "monthly", sourceAgencyId = icb.Id(),
                priorityIds = new[] { priority.Id() }, disclosure, targets,
            }), HttpStatusCode.Created)).Id();
        var ward = await Indicator("HOSP-ASSAULT", new { rule = "nhs_small_numbers" },
            [new { area = Wards[1], period = "2025-05", value = 5 }]);
        var whole = await Indicator("HOSP-SELF-HARM", new { rule = "suppress_below", threshold = 5, appliesTo = "all_areas" },
            [new { period = "2025-05", value = 3 }]);
        await pusher.PushOkAsync(t, [
            // April: one ward (3) is withheld by the rule; the borough total is published, so the smallest other (12) goes too.
            IndicatorTestData.Row("HOSP-ASSAULT", "2025-04", 40, Borough), IndicatorTestData.Row("HOSP-ASSAULT", "2025-04", 0, Wards[0]),
            IndicatorTestData.Row("HOSP-ASSAULT", "2025-04", 3, Wards[1]), IndicatorTestData.Row("HOSP-ASSAULT", "2025-04", 12, Wards[2]),
            IndicatorTestData.Row("HOSP-ASSAULT", "2025-04", 25, Wards[3]),
            // May: nothing withheld, every ward rounded to the nearest 5.
            IndicatorTestData.Row("HOSP-ASSAULT", "2025-05", 41, Borough), IndicatorTestData.Row("HOSP-ASSAULT", "2025-05", 9, Wards[0]),
            IndicatorTestData.Row("HOSP-ASSAULT", "2025-05", 9, Wards[1]), IndicatorTestData.Row("HOSP-ASSAULT", "2025-05", 11, Wards[2]),
            IndicatorTestData.Row("HOSP-ASSAULT", "2025-05", 12, Wards[3]),
            IndicatorTestData.Row("HOSP-SELF-HARM", "2025-04", 9), IndicatorTestData.Row("HOSP-SELF-HARM", "2025-05", 4),
        ]);
        await t.ApprovePlanAsync(plan.Id());
        return new World(t, plan.Id(), ward, whole, reader);
    }

    private static JsonObject At(JsonObject page, string period, string area) =>
        page["items"]!.AsArray().Single(o => o!["period"]!.GetValue<string>() == period && o["area"]!.GetValue<string>() == area)!.AsObject();

    private static decimal? Value(JsonObject o) => o["value"]?.GetValue<decimal>();

    [Fact]
    public async Task The_public_observations_are_disclosure_controlled_with_secondary_suppression_and_keyed_readers_see_every_value()
    {
        var w = await BuildAsync();
        var path = w.T.Path($"/indicators/{w.Ward}/observations?area=*&limit=200");

        var published = await Anonymous.GetAsync(path).OkAsync();
        // The borough's own figure is outside the rule (below_partnership): as stored, naming no rule.
        Assert.Equal(40m, Value(At(published, "2025-04", Borough)));
        Assert.Null(At(published, "2025-04", Borough)["disclosure"]);
        Assert.False(At(published, "2025-04", Borough)["suppressed"]!.GetValue<bool>());
        // A true zero stays 0; 3 is withheld; 12 is withheld so that 3 cannot be found as 40 - 0 - 12 - 25; 25 is rounded (to itself).
        Assert.Equal((0m, false), (Value(At(published, "2025-04", Wards[0]))!.Value, At(published, "2025-04", Wards[0])["suppressed"]!.GetValue<bool>()));
        foreach (var withheld in new[] { Wards[1], Wards[2] })
        {
            var o = At(published, "2025-04", withheld);
            Assert.True(o.ContainsKey("value"));
            Assert.Null(o["value"]);
            Assert.True(o["suppressed"]!.GetValue<bool>());
        }
        Assert.Equal(25m, Value(At(published, "2025-04", Wards[3])));
        Assert.Equal([10m, 10m, 10m, 10m], Wards.Select(a => Value(At(published, "2025-05", a))!.Value));
        var named = At(published, "2025-05", Wards[0])["disclosure"]!;
        Assert.Equal(("nhs_small_numbers", "1"), (named["rule"]!.GetValue<string>(), named["version"]!.GetValue<string>()));

        var keyed = await w.Reader.GetAsync(path).OkAsync();
        Assert.Equal([0m, 3m, 12m, 25m], Wards.Select(a => Value(At(keyed, "2025-04", a))!.Value));
        Assert.All(keyed["items"]!.AsArray(), o => Assert.False(o!["suppressed"]!.GetValue<bool>()));
        Assert.All(keyed["items"]!.AsArray(), o => Assert.Null(o!["disclosure"]));

        // One ward asked for on its own is withheld the same way (secondary suppression does not depend on what was asked).
        var alone = await Anonymous.GetAsync(w.T.Path($"/indicators/{w.Ward}/observations?area={Wards[2]}")).OkAsync();
        Assert.True(At(alone, "2025-04", Wards[2])["suppressed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_public_csv_has_empty_values_where_they_are_withheld()
    {
        var w = await BuildAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, w.T.Path($"/indicators/{w.Ward}/observations?area=*&limit=200"));
        request.Headers.Accept.ParseAdd("text/csv");
        using var response = await Anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        string Cell(string period, string area, string column) =>
            rows.Single(r => r[Array.IndexOf(header, "period")] == period && r[Array.IndexOf(header, "area")] == area)[Array.IndexOf(header, column)];
        Assert.Equal(("", "true", "nhs_small_numbers v1"), (Cell("2025-04", Wards[1], "value"), Cell("2025-04", Wards[1], "suppressed"),
            Cell("2025-04", Wards[1], "disclosure")));
        Assert.Equal(("0", "false"), (Cell("2025-04", Wards[0], "value"), Cell("2025-04", Wards[0], "suppressed")));
        Assert.Equal("10", Cell("2025-05", Wards[2], "value"));
        Assert.Equal(("40", ""), (Cell("2025-04", Borough, "value"), Cell("2025-04", Borough, "disclosure")));
    }

    [Fact]
    public async Task Performance_is_computed_from_published_values_and_withheld_where_it_would_need_a_withheld_one()
    {
        var w = await BuildAsync();

        // Ward 2: May is published (rounded 10); April was withheld, so there is no trend, and the previous point says so.
        var ward = await Anonymous.GetAsync(w.T.Path($"/indicators/{w.Ward}/performance?area={Wards[1]}")).OkAsync();
        Assert.Equal(10m, ward["latest"]!["value"]!.GetValue<decimal>());
        Assert.Null(ward["previous"]!["value"]);
        Assert.True(ward["previous"]!["suppressed"]!.GetValue<bool>());
        Assert.Null(ward["trend"]);
        Assert.Equal("off_target", ward["status"]!.GetValue<string>()); // 10 against 5, decreasing is better: from the published 10
        Assert.Equal("nhs_small_numbers", ward["disclosure"]!["rule"]!.GetValue<string>());
        var keyedWard = await w.Reader.GetAsync(w.T.Path($"/indicators/{w.Ward}/performance?area={Wards[1]}")).OkAsync();
        Assert.Equal((9m, 3m, "worsening"), (keyedWard["latest"]!["value"]!.GetValue<decimal>(), keyedWard["previous"]!["value"]!.GetValue<decimal>(),
            keyedWard["trend"]!.GetValue<string>()));
        Assert.Null(keyedWard["disclosure"]);

        // all_areas: the borough's own May (4) is withheld, so status and trend are too; the plan document and its list agree.
        var whole = await Anonymous.GetAsync(w.T.Path($"/indicators/{w.Whole}/performance")).OkAsync();
        Assert.True(whole["latest"]!["suppressed"]!.GetValue<bool>());
        Assert.Null(whole["status"]);
        Assert.Null(whole["trend"]);
        var document = await Anonymous.GetAsync(w.T.Path($"/plans/{w.PlanId}")).OkAsync();
        var line = document["indicators"]!.AsArray().Single(i => i!["indicator"]!["id"]!.GetValue<Guid>() == w.Whole)!;
        Assert.Null(line["latestObservation"]!["value"]);
        Assert.True(line["latestObservation"]!["suppressed"]!.GetValue<bool>());
        Assert.Null(line["performance"]!["status"]);
        var keyedDocument = await w.Reader.GetAsync(w.T.Path($"/plans/{w.PlanId}")).OkAsync();
        var keyedLine = keyedDocument["indicators"]!.AsArray().Single(i => i!["indicator"]!["id"]!.GetValue<Guid>() == w.Whole)!;
        Assert.Equal((4m, "off_target"), (keyedLine["latestObservation"]!["value"]!.GetValue<decimal>(), keyedLine["performance"]!["status"]!.GetValue<string>()));

        // A status filter cannot find what the public may not know.
        var offTarget = await Anonymous.GetAsync(w.T.Path("/indicators?status=off_target")).OkAsync();
        Assert.DoesNotContain(w.Whole, offTarget.ItemIds());
        Assert.Contains(w.Whole, (await w.Reader.GetAsync(w.T.Path("/indicators?status=off_target")).OkAsync()).ItemIds());
    }

    [Fact]
    public async Task The_public_chart_and_report_leave_withheld_values_out()
    {
        var w = await BuildAsync();
        var chart = await (await Anonymous.GetAsync(w.T.Path($"/indicators/{w.Ward}/chart.svg?area={Wards[1]}"))).Content.ReadAsStringAsync();
        Assert.Contains("1 value is withheld to protect small numbers and not plotted.", chart, StringComparison.Ordinal);
        var keyedChart = await (await w.Reader.GetAsync(w.T.Path($"/indicators/{w.Ward}/chart.svg?area={Wards[1]}"))).Content.ReadAsStringAsync();
        Assert.DoesNotContain("withheld", keyedChart, StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, w.T.Path($"/plans/{w.PlanId}/report"));
        request.Headers.Accept.ParseAdd("text/markdown");
        var report = await (await Anonymous.SendAsync(request)).Content.ReadAsStringAsync();
        var selfHarm = report.Split('\n').First(l => l.Contains("HOSP-SELF-HARM", StringComparison.Ordinal) && l.StartsWith('|'));
        Assert.Contains("suppressed", selfHarm, StringComparison.Ordinal);
        Assert.DoesNotContain("| 4 (", selfHarm, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_indicator_without_a_rule_publishes_every_value_and_names_none()
    {
        var t = await TestTenant.CreateAsync(factory, "dis", publicRead: true);
        var met = await t.CreateAgencyAsync("MET");
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], met.Id());
        await t.RegisterWardAsync(Wards[0], "Ward 1");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var robbery = await t.CreateIndicatorAsync(met.Id(), "ROB-PERSONAL", priorityIds: [priority.Id()]);
        await pusher.PushOkAsync(t, [IndicatorTestData.Row("ROB-PERSONAL", "2025-04", 1, Wards[0]), IndicatorTestData.Row("ROB-PERSONAL", "2025-04", 2)]);
        await t.ApprovePlanAsync(plan.Id());

        var page = await Anonymous.GetAsync(t.Path($"/indicators/{robbery.Id()}/observations?area=*")).OkAsync();
        Assert.Equal(1m, Value(At(page, "2025-04", Wards[0])));
        Assert.All(page["items"]!.AsArray(), o => Assert.Null(o!["disclosure"]));
        Assert.All(page["items"]!.AsArray(), o => Assert.False(o!["suppressed"]!.GetValue<bool>()));
    }
}
