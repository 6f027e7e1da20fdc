using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Plans;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Portal;

/// <summary>Issue 5, points 6 and 7: the filters portals ask for, and CSV for the commitment lists and the plan's indicators.</summary>
[Collection(ApiCollection.Name)]
public sealed class FilterAndCsvTests(CspApiFactory factory)
{
    private sealed record Fixture(TestTenant T, Guid PlanId, Guid P1, Guid P2, Guid Met, Guid Council,
        Guid Overdue, Guid DoneLate, Guid OnTrack, Guid Future);

    private async Task<Fixture> ArrangeAsync()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var council = await t.CreateAgencyAsync("LBS", "local_authority");
        var plan = await t.CreatePlanAsync();
        var p1 = await t.CreatePriorityAsync(plan.Id(), "P1");
        var p2 = await t.CreatePriorityAsync(plan.Id(), "P2", "Drugs");
        var today = TodayUtc;
        var overdue = await t.CreateCommitmentAsync(p1.Id(), "C1", "Overdue, on \"track\", really", met.Id(), null, Day(today.AddMonths(-6)), Day(today.AddDays(-10)));
        var doneLate = await t.CreateCommitmentAsync(p1.Id(), "C2", "Done", met.Id(), null, Day(today.AddMonths(-6)), Day(today.AddDays(-5)));
        var onTrack = await t.CreateCommitmentAsync(p2.Id(), "C1", "Wardens, with body cameras", council.Id(), null, Day(today), Day(today.AddDays(30)));
        var future = await t.CreateCommitmentAsync(p2.Id(), "C2", "CCTV", council.Id(), null, Day(today), Day(today.AddDays(200)));
        await t.AddUpdateAsync(overdue.Id(), "on_track", "Line one\nline two");
        await t.AddUpdateAsync(doneLate.Id(), "completed", "Done");
        await t.AddUpdateAsync(onTrack.Id(), "on_track", "Fine");
        return new Fixture(t, plan.Id(), p1.Id(), p2.Id(), met.Id(), council.Id(), overdue.Id(), doneLate.Id(), onTrack.Id(), future.Id());
    }

    [Fact]
    public async Task Plan_commitments_filter_by_status_lead_agency_due_dates_and_overdue()
    {
        var f = await ArrangeAsync();
        var today = TodayUtc;
        async Task<Guid[]> Ids(string query) => (await f.T.Admin.GetAsync(f.T.Path($"/plans/{f.PlanId}/commitments{query}")).OkAsync()).ItemIds();

        Assert.Equal(new[] { f.Overdue, f.DoneLate, f.OnTrack, f.Future }, await Ids(""));
        Assert.Equal(new[] { f.Overdue, f.OnTrack }, await Ids("?status=on_track"));
        Assert.Equal(new[] { f.OnTrack, f.Future }, await Ids($"?leadAgencyId={f.Council}"));
        Assert.Equal(new[] { f.Overdue, f.DoneLate }, await Ids($"?dueBefore={Day(today)}"));
        Assert.Equal(new[] { f.OnTrack, f.Future }, await Ids($"?dueAfter={Day(today)}"));
        Assert.Equal(new[] { f.OnTrack }, await Ids($"?dueAfter={Day(today)}&dueBefore={Day(today.AddDays(30))}"));
        Assert.Equal(new[] { f.Overdue }, await Ids("?overdue=true"));
        Assert.Equal(new[] { f.Overdue }, await Ids($"?overdue=true&leadAgencyId={f.Met}"));
        Assert.Empty(await Ids($"?overdue=true&leadAgencyId={f.Council}"));
        // The priority's own list takes the same filters.
        Assert.Equal(new[] { f.Overdue }, (await f.T.Admin.GetAsync(f.T.Path($"/priorities/{f.P1}/commitments?overdue=true")).OkAsync()).ItemIds());
        Assert.Equal(new[] { f.Future }, (await f.T.Admin.GetAsync(f.T.Path($"/priorities/{f.P2}/commitments?status=not_started")).OkAsync()).ItemIds());
        // Paging across priorities.
        var page = await f.T.Admin.GetAsync(f.T.Path($"/plans/{f.PlanId}/commitments?limit=3")).OkAsync();
        Assert.Equal(3, page.ItemIds().Length);
        Assert.Equal(new[] { f.Future }, await Ids($"?limit=3&cursor={page.Str("nextCursor")}"));
    }

    [Fact]
    public async Task Bad_filters_are_400_and_an_unknown_plan_404()
    {
        var f = await ArrangeAsync();

        await ExpectInvalid(await f.T.Admin.GetAsync(f.T.Path($"/plans/{f.PlanId}/commitments?status=late")), "status");
        await ExpectInvalid(await f.T.Admin.GetAsync(f.T.Path($"/plans/{f.PlanId}/commitments?dueAfter=2026-01-02&dueBefore=2026-01-01")), "dueAfter");
        await ExpectInvalid(await f.T.Admin.GetAsync(f.T.Path($"/plans/{f.PlanId}/indicators?status=great")), "status");
        await ExpectInvalid(await f.T.Admin.GetAsync(f.T.Path("/indicators?status=great")), "status");
        await ExpectNotFound(await f.T.Admin.GetAsync(f.T.Path($"/plans/{Guid.NewGuid()}/commitments")));
        await ExpectNotFound(await f.T.Admin.GetAsync(f.T.Path($"/plans/{Guid.NewGuid()}/indicators")));
    }

    [Fact]
    public async Task Commitments_come_as_RFC_4180_CSV_with_a_header_row()
    {
        var f = await ArrangeAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, f.T.Path($"/plans/{f.PlanId}/commitments?limit=2"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var response = await f.T.Admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var csv = await response.Content.ReadAsStringAsync();
        var lines = csv.Split("\r\n");
        Assert.Equal("id,priority_id,code,title,lead_agency_id,partner_agency_ids,start_date,due_date,status,latest_update_at,latest_update_commentary", lines[0]);
        Assert.StartsWith($"{f.Overdue},{f.P1},C1,\"Overdue, on \"\"track\"\", really\",{f.Met},,", lines[1]);
        Assert.EndsWith(",on_track," + lines[1].Split(",on_track,")[1], lines[1]);
        Assert.Contains("\"Line one\nline two\"", csv);
        Assert.EndsWith("\r\n", csv);
        Assert.Contains("rel=\"next\"", response.Headers.GetValues("Link").Single());
        Assert.Contains("cursor=", response.Headers.GetValues("Link").Single());

        using var ofPriority = new HttpRequestMessage(HttpMethod.Get, f.T.Path($"/priorities/{f.P2}/commitments"));
        ofPriority.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var priorityCsv = await (await f.T.Admin.SendAsync(ofPriority)).Content.ReadAsStringAsync();
        Assert.Equal(3, priorityCsv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("\"Wardens, with body cameras\"", priorityCsv);
    }

    [Fact]
    public async Task Indicators_filter_by_priority_and_performance_status_and_the_plans_indicators_come_as_CSV()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], met.Id());
        var plan = await t.CreatePlanAsync();
        var p1 = await t.CreatePriorityAsync(plan.Id(), "P1");
        var p2 = await t.CreatePriorityAsync(plan.Id(), "P2");
        var target = new { value = 100, period = "2025-06" };
        var on = await t.CreateIndicatorAsync(met.Id(), "ON", target: target, priorityIds: [p1.Id()]);
        var near = await t.CreateIndicatorAsync(met.Id(), "NEAR", target: target, priorityIds: [p1.Id(), p2.Id()]);
        var off = await t.CreateIndicatorAsync(met.Id(), "OFF", target: target, priorityIds: [p2.Id()]);
        var none = await t.CreateIndicatorAsync(met.Id(), "NODATA", target: target, priorityIds: [p2.Id()]);
        await pusher.PushOkAsync(t, [IndicatorTestData.Row("ON", "2025-06", 90), IndicatorTestData.Row("NEAR", "2025-06", 108), IndicatorTestData.Row("OFF", "2025-06", 150)]);

        async Task<Guid[]> Ids(string path) => (await t.Admin.GetAsync(t.Path(path)).OkAsync()).ItemIds();
        async Task<Guid[]> PlanIds(string query) =>
            (await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}/indicators{query}")).OkAsync())["items"]!.AsArray()
            .Select(i => i!["indicator"]!["id"]!.GetValue<Guid>()).ToArray();

        Assert.Equal(new[] { on.Id(), near.Id() }, await Ids($"/indicators?priorityId={p1.Id()}"));
        Assert.Equal(new[] { near.Id() }, await Ids("/indicators?status=near"));
        Assert.Equal(new[] { off.Id() }, await Ids($"/indicators?status=off_target&priorityId={p2.Id()}"));
        Assert.Equal(new[] { on.Id() }, await Ids("/indicators?status=on_target&limit=1"));
        Assert.Equal(new[] { on.Id(), near.Id(), off.Id(), none.Id() }, await PlanIds(""));
        Assert.Equal(new[] { near.Id(), off.Id(), none.Id() }, await PlanIds($"?priorityId={p2.Id()}"));
        Assert.Equal(new[] { off.Id() }, await PlanIds("?status=off_target"));

        using var request = new HttpRequestMessage(HttpMethod.Get, t.Path($"/plans/{plan.Id()}/indicators"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var response = await t.Admin.SendAsync(request);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,code,name,unit,direction,frequency,priority_ids,area,area_name,latest_period,latest_value,latest_status,previous_value," +
                     "same_period_last_year_value,target_value,target_period,performance_status,trend", lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.Equal($"{near.Id()},NEAR,Indicator NEAR,count,decrease,monthly,{string.Join(' ', new[] { p1.Id(), p2.Id() }.Order())},E09000028,Test {t.Slug},2025-06,108,provisional,,,100,2025-06,near,", lines[2]);
        Assert.EndsWith($",E09000028,Test {t.Slug},,,,,,100,2025-06,,", lines[4]);
    }
}
