using System.Net;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Areas;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observations;

/// <summary>A feed reads back what it sent, across its indicators, and learns what it may send.</summary>
[Collection(ApiCollection.Name)]
public sealed class ReadBackTests(CspApiFactory factory)
{
    private sealed record Setup(TestTenant T, Guid Met, Guid Nhs, HttpClient Feed);

    private async Task<Setup> SetupAsync()
    {
        var t = await TestTenant.CreateAsync(factory, "readback");
        await t.RegisterWardAsync("E05011095", "Borough & Bankside");
        var met = (await t.CreateAgencyAsync("MET", name: "Met Central South")).Id();
        var nhs = (await t.CreateAgencyAsync("NHS", "health")).Id();
        await t.CreateIndicatorAsync(met, "THEFT-PERSON");
        await t.CreateIndicatorAsync(met, "ROB-PERSONAL");
        await t.CreateIndicatorAsync(met, "CONFIDENCE", unit: "percent", direction: "increase", frequency: "quarterly");
        await t.CreateIndicatorAsync(nhs, "DRUG-COMPLETIONS", unit: "percent", direction: "increase");
        var (feed, _, _) = await t.KeyAsync(["read", "observations:write"], met);
        await t.Admin.PushOkAsync(t, [
            Row("ROB-PERSONAL", "2024-06", 187), Row("ROB-PERSONAL", "2024-05", 170), Row("ROB-PERSONAL", "2024-06", 19, "E05011095"),
            Row("THEFT-PERSON", "2024-06", 498), Row("CONFIDENCE", "2024-Q2", 61.5m), Row("DRUG-COMPLETIONS", "2024-06", 18.4m),
        ]);
        return new Setup(t, met, nhs, feed);
    }

    private static List<string> Keys(JsonObject page) =>
        page["items"].Arr().Select(o => $"{o!["indicator"]}/{o["period"]}/{o["area"]}").ToList();

    [Fact]
    public async Task Values_are_read_back_across_indicators_by_code_period_and_area()
    {
        var s = await SetupAsync();
        async Task<JsonObject> Get(string query) =>
            await TestTenant.Expect(await s.Feed.GetAsync(s.T.Path("/observations" + query)), HttpStatusCode.OK);

        Assert.Equal(["ROB-PERSONAL/2024-05/E09000028", "ROB-PERSONAL/2024-06/E09000028", "THEFT-PERSON/2024-06/E09000028"],
            Keys(await Get("?indicator=THEFT-PERSON,ROB-PERSONAL")));
        Assert.Equal(["ROB-PERSONAL/2024-05/E09000028", "ROB-PERSONAL/2024-06/E05011095", "ROB-PERSONAL/2024-06/E09000028"],
            Keys(await Get("?indicator=ROB-PERSONAL&area=*")));
        Assert.Equal(["ROB-PERSONAL/2024-06/E05011095"], Keys(await Get("?indicator=ROB-PERSONAL&area=E05011095")));
        Assert.Equal(["DRUG-COMPLETIONS/2024-06/E09000028", "ROB-PERSONAL/2024-06/E09000028", "THEFT-PERSON/2024-06/E09000028"],
            Keys(await Get("?period=202406")));
        Assert.Equal(["DRUG-COMPLETIONS/2024-06/E09000028", "ROB-PERSONAL/2024-06/E09000028", "THEFT-PERSON/2024-06/E09000028"],
            Keys(await Get("?from=2024-06-01")));   // the quarter began in April
        Assert.Equal(["CONFIDENCE/2024-Q2/E09000028"], Keys(await Get("?period=2024Q2")));
        Assert.Equal(["ROB-PERSONAL/2024-05/E09000028"], Keys(await Get("?to=2024-05")));
        var one = (await Get("?indicator=ROB-PERSONAL&area=E05011095"))["items"].Arr()[0]!.AsObject();
        Assert.Equal(("Borough & Bankside", 19m), (one.Str("areaName"), one["value"]!.GetValue<decimal>()));

        // Paged by (code, period, area) whatever the page size.
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Get("?area=*&limit=2" + (cursor is null ? "" : $"&cursor={cursor}"));
            seen.AddRange(Keys(page));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal(Keys(await Get("?area=*&limit=200")), seen);
        Assert.Equal(6, seen.Count);
    }

    [Fact]
    public async Task The_read_back_comes_as_CSV_with_the_indicator_code_on_each_row()
    {
        var s = await SetupAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, s.T.Path("/observations?indicator=ROB-PERSONAL&area=*&limit=2"));
        request.Headers.Accept.ParseAdd("text/csv");

        var response = await s.Feed.SendAsync(request);

        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("indicator,period,period_start,period_end,area,area_name,value,status,note,updated_at", lines[0]);
        Assert.StartsWith("ROB-PERSONAL,2024-05,2024-05-01,2024-05-31,E09000028,", lines[1]);
        Assert.StartsWith("ROB-PERSONAL,2024-06,2024-06-01,2024-06-30,E05011095,Borough & Bankside,19,provisional,", lines[2]);
        Assert.Contains("rel=\"next\"", Assert.Single(response.Headers.GetValues("Link")));
    }

    [Theory]
    [InlineData("?indicator=ROB-PERSONAL,NO-SUCH", "indicator")]
    [InlineData("?indicator=", "indicator")]
    [InlineData("?period=2024-13", "period")]
    [InlineData("?area=Southwark", "area")]
    [InlineData("?to=June", "to")]
    [InlineData("?cursor=nope", "cursor")]
    public async Task A_bad_filter_is_a_400_naming_it(string query, string field)
    {
        var s = await SetupAsync();
        var problem = await TestTenant.ExpectProblem(await s.Feed.GetAsync(s.T.Path("/observations" + query)), HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey(field), problem.ToJsonString());
    }

    [Fact]
    public async Task Me_names_the_client_its_agency_scopes_and_the_indicators_it_may_push()
    {
        var s = await SetupAsync();

        var me = await TestTenant.Expect(await s.Feed.GetAsync(s.T.Path("/me")), HttpStatusCode.OK);
        Assert.Equal("key read+observations:write", me["client"]!.AsObject().Str("name"));
        Assert.Equal(("MET", "Met Central South", s.Met), (me["agency"]!.AsObject().Str("code"), me["agency"]!.AsObject().Str("name"),
            me["agency"]!.AsObject().Id()));
        Assert.Equal(["observations:write", "read"], me["scopes"].Arr().Select(x => x!.GetValue<string>()));
        Assert.Equal([("CONFIDENCE", "quarterly", "percent"), ("ROB-PERSONAL", "monthly", "count"), ("THEFT-PERSON", "monthly", "count")],
            me["indicators"].Arr().Select(i => (i!["code"]!.GetValue<string>(), i["frequency"]!.GetValue<string>(), i["unit"]!.GetValue<string>())));

        var (reader, _, _) = await s.T.KeyAsync(["read"]);
        var readOnly = await TestTenant.Expect(await reader.GetAsync(s.T.Path("/me")), HttpStatusCode.OK);
        Assert.Null(readOnly["agency"]);
        Assert.Empty(readOnly["indicators"].Arr());

        var admin = await TestTenant.Expect(await s.T.Admin.GetAsync(s.T.Path("/me")), HttpStatusCode.OK);
        Assert.Equal(4, admin["indicators"].Arr().Count);
        var platform = await TestTenant.Expect(await factory.ClientWithKey(CspApiFactory.PlatformKey).GetAsync(s.T.Path("/me")), HttpStatusCode.OK);
        Assert.Null(platform["client"]);
        Assert.Equal(["platform"], platform["scopes"].Arr().Select(x => x!.GetValue<string>()));
    }

    [Fact]
    public async Task Indicators_filter_by_source_agency()
    {
        var s = await SetupAsync();

        var nhs = await TestTenant.Expect(await s.Feed.GetAsync(s.T.Path($"/indicators?sourceAgencyId={s.Nhs}")), HttpStatusCode.OK);
        Assert.Equal(["DRUG-COMPLETIONS"], nhs["items"].Arr().Select(i => i!["code"]!.GetValue<string>()));
        var met = await TestTenant.Expect(await s.Feed.GetAsync(s.T.Path($"/indicators?sourceAgencyId={s.Met}&status=no_target")), HttpStatusCode.OK);
        Assert.Equal(["THEFT-PERSON", "ROB-PERSONAL", "CONFIDENCE"], met["items"].Arr().Select(i => i!["code"]!.GetValue<string>()));
        var none = await TestTenant.Expect(await s.Feed.GetAsync(s.T.Path($"/indicators?sourceAgencyId={Guid.NewGuid()}")), HttpStatusCode.OK);
        Assert.Empty(none["items"].Arr());
    }
}
