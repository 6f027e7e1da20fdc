using System.Net;
using System.Net.Http.Headers;
using Csp.Api.Tests.Areas;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observations;

[Collection(ApiCollection.Name)]
public sealed class ObservationReadingTests(CspApiFactory factory)
{
    [Fact]
    public async Task Observations_are_listed_by_period_with_filters_and_cursor_paging()
    {
        var t = await TestTenant.CreateAsync(factory, "read");
        await t.RegisterWardAsync("E05011095", "Borough & Bankside");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var id = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        // Pushed out of order, in two areas.
        await t.Admin.PushOkAsync(t, [
            Row("ROB-PERSONAL", "2024-10", 10), Row("ROB-PERSONAL", "2024-02", 2), Row("ROB-PERSONAL", "2023-12", 12),
            Row("ROB-PERSONAL", "2024-01", 1), Row("ROB-PERSONAL", "2024-01", 100, "E05011095"), Row("ROB-PERSONAL", "2024-06", 6),
        ]);

        // The partnership's own area unless another is named; * for every area.
        var own = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{id}/observations")), HttpStatusCode.OK);
        Assert.Equal(["2023-12", "2024-01", "2024-02", "2024-06", "2024-10"], own["items"].Arr().Select(o => o!["period"]!.GetValue<string>()));
        var all = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{id}/observations?area=*")), HttpStatusCode.OK);
        Assert.Equal(["2023-12", "2024-01", "2024-01", "2024-02", "2024-06", "2024-10"], all["items"].Arr().Select(o => o!["period"]!.GetValue<string>()));
        Assert.Null(all["nextCursor"]);

        var filtered = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{id}/observations?from=2024-01&to=2024-06-30&area=E09000028")), HttpStatusCode.OK);
        Assert.Equal(["2024-01", "2024-02", "2024-06"], filtered["items"].Arr().Select(o => o!["period"]!.GetValue<string>()));

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{id}/observations?area=*&limit=4" + (cursor is null ? "" : $"&cursor={cursor}"))), HttpStatusCode.OK);
            seen.AddRange(page["items"].Arr().Select(o => $"{o!["period"]}/{o["area"]}"));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal(["2023-12/E09000028", "2024-01/E05011095", "2024-01/E09000028", "2024-02/E09000028", "2024-06/E09000028", "2024-10/E09000028"], seen);

        var bad = await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path($"/indicators/{id}/observations?from=June&cursor=nope&limit=0")), HttpStatusCode.BadRequest);
        Assert.Equal(["cursor", "from", "limit"], bad["errors"]!.AsObject().Select(e => e.Key).Order());
    }

    [Fact]
    public async Task Accept_text_csv_returns_RFC_4180_csv_with_a_header_row()
    {
        var t = await TestTenant.CreateAsync(factory, "csv");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var id = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        await t.Admin.PushOkAsync(t, [
            Row("ROB-PERSONAL", "2024-06", 187, note: "CONNECT extract, \"restated\"\nline two"),
            Row("ROB-PERSONAL", "2024-07", 0),
            Row("ROB-PERSONAL", "2024-08", 5),
        ]);
        var request = new HttpRequestMessage(HttpMethod.Get, t.Path($"/indicators/{id}/observations?limit=2"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var response = await t.Admin.SendAsync(request);
        var csv = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var updatedAt = (await factory.QueryTextAsync("SELECT updated_at FROM observations WHERE indicator_id = @id ORDER BY period", new { id })).Select(r => r[0]).ToList();
        Assert.Equal(
            "indicator,period,period_start,period_end,area,area_name,value,status,note,updated_at,suppressed,disclosure,revised,revised_at\r\n" +
            $"ROB-PERSONAL,2024-06,2024-06-01,2024-06-30,E09000028,Test {t.Slug},187,provisional,\"CONNECT extract, \"\"restated\"\"\nline two\",{updatedAt[0]},false,,false,\r\n" +
            $"ROB-PERSONAL,2024-07,2024-07-01,2024-07-31,E09000028,Test {t.Slug},0,provisional,,{updatedAt[1]},false,,false,\r\n", csv);
        var next = Assert.Single(response.Headers.GetValues("Link"));
        Assert.Contains("rel=\"next\"", next);
        Assert.Contains("cursor=", next);

        var json = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{id}/observations")), HttpStatusCode.OK);
        Assert.Equal(3, json["items"].Arr().Count);
    }

    [Fact]
    public async Task Performance_compares_latest_with_previous_last_year_and_target_by_direction()
    {
        var t = await TestTenant.CreateAsync(factory, "perf");
        await t.RegisterWardAsync("E05011095", "Borough & Bankside");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var robbery = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL", direction: "decrease", target: new { value = 100, period = "2024-12" })).Id();
        var confidence = (await t.CreateIndicatorAsync(met, "CONFIDENCE", unit: "percent", direction: "increase", frequency: "quarterly",
            target: new { value = 70, period = "2025-Q1" })).Id();
        var noTarget = (await t.CreateIndicatorAsync(met, "ASB-CALLS")).Id();
        await t.Admin.PushOkAsync(t, [
            Row("ROB-PERSONAL", "2023-06", 150), Row("ROB-PERSONAL", "2024-05", 120), Row("ROB-PERSONAL", "2024-06", 108, status: "final"),
            Row("ROB-PERSONAL", "2024-06", 90, "E05011095"),
            Row("CONFIDENCE", "2024-Q1", 66), Row("CONFIDENCE", "2024-Q2", 60),
            Row("ASB-CALLS", "2024-06", 40),
        ]);

        var p = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{robbery}/performance")), HttpStatusCode.OK);
        Assert.Equal(("E09000028", "2024-06", 108m, "final"), (p.Str("area"), p["latest"]!["period"]!.GetValue<string>(), p["latest"]!["value"]!.GetValue<decimal>(), p["latest"]!["status"]!.GetValue<string>()));
        Assert.Equal(("2024-05", 120m), (p["previous"]!["period"]!.GetValue<string>(), p["previous"]!["value"]!.GetValue<decimal>()));
        Assert.Equal(("2023-06", 150m), (p["samePeriodLastYear"]!["period"]!.GetValue<string>(), p["samePeriodLastYear"]!["value"]!.GetValue<decimal>()));
        Assert.Equal(100m, p["target"]!["value"]!.GetValue<decimal>());
        Assert.Equal(("near", "improving"), (p.Str("status"), p.Str("trend")));  // 108 is within 10% above a decrease target of 100; down from 120

        var ward = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{robbery}/performance?area=E05011095")), HttpStatusCode.OK);
        Assert.Equal("no_target", ward.Str("status"));  // the ward has no target of its own: the borough's is never applied to it
        Assert.Null(ward["previous"]);
        Assert.Null(ward["trend"]);

        var c = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{confidence}/performance")), HttpStatusCode.OK);
        Assert.Equal(("off_target", "worsening", "2024-Q1"), (c.Str("status"), c.Str("trend"), c["previous"]!["period"]!.GetValue<string>()));

        var n = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{noTarget}/performance")), HttpStatusCode.OK);
        Assert.Equal(40m, n["latest"]!["value"]!.GetValue<decimal>());
        Assert.Equal("no_target", n.Str("status"));
        Assert.Null(n["target"]);
    }

    [Fact]
    public async Task Revisions_list_every_change_with_who_sent_the_old_and_new_value()
    {
        var t = await TestTenant.CreateAsync(factory, "rev");
        await t.RegisterWardAsync("E05011095", "Borough & Bankside");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var id = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        var (first, _, firstId) = await t.KeyAsync(["observations:write"]);
        var (second, _, secondId) = await t.KeyAsync(["observations:write"], met);
        await first.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 187, note: "June extract")]);
        await second.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 191, note: "July restatement")]);
        await second.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 191, note: "July restatement")]); // unchanged: no revision
        await first.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 190, status: "final")]);
        await first.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 5, "E05011095")]);

        var page = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{id}/observations/202406/revisions")), HttpStatusCode.OK);

        var items = page["items"].Arr();
        Assert.Equal(2, items.Count);
        Assert.Equal((187m, "June extract", firstId, 191m, "July restatement", secondId),
            (items[0]!["oldValue"]!.GetValue<decimal>(), items[0]!["oldNote"]!.GetValue<string>(), items[0]!["oldClientId"]!.GetValue<Guid>(),
             items[0]!["newValue"]!.GetValue<decimal>(), items[0]!["newNote"]!.GetValue<string>(), items[0]!["newClientId"]!.GetValue<Guid>()));
        Assert.Equal((191m, "provisional", 190m, "final", secondId, firstId),
            (items[1]!["oldValue"]!.GetValue<decimal>(), items[1]!["oldStatus"]!.GetValue<string>(), items[1]!["newValue"]!.GetValue<decimal>(),
             items[1]!["newStatus"]!.GetValue<string>(), items[1]!["oldClientId"]!.GetValue<Guid>(), items[1]!["newClientId"]!.GetValue<Guid>()));

        var ward = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{id}/observations/2024-06/revisions?area=E05011095")), HttpStatusCode.OK);
        Assert.Empty(ward["items"].Arr());
        await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path($"/indicators/{id}/observations/2024-07/revisions")), HttpStatusCode.NotFound);
        await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path($"/indicators/{id}/observations/2024-Q2/revisions")), HttpStatusCode.BadRequest);
    }
}
