using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Areas;

/// <summary>The partnership's areas: its own (always there), and the wards and other areas it registers.</summary>
[Collection(ApiCollection.Name)]
public sealed class AreaTests(CspApiFactory factory)
{
    [Fact]
    public async Task A_new_partnership_has_its_own_area_and_checks_areas_strictly()
    {
        var t = await TestTenant.CreateAsync(factory, "areas");

        var partnership = await TestTenant.Expect(await t.Admin.GetAsync(t.Path()), HttpStatusCode.OK);
        Assert.Equal("strict", partnership.Str("areaCheck"));
        var list = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/areas")), HttpStatusCode.OK);
        var own = Assert.Single(list["items"].Arr())!.AsObject();
        Assert.Equal(("E09000028", "local_authority", $"Test {t.Slug}"), (own.Str("code"), own.Str("type"), own.Str("name")));
        Assert.Null(own["parentCode"]);
        Assert.Null(own["validFrom"]);
    }

    [Fact]
    public async Task Wards_are_registered_read_listed_and_replaced_by_their_GSS_code()
    {
        var t = await TestTenant.CreateAsync(factory, "areas");

        var created = await t.RegisterWardAsync("E05011095", "Borough & Bankside");
        Assert.Equal(("E05011095", "Borough & Bankside", "ward", "E09000028", "2018-05-03"),
            (created.Str("code"), created.Str("name"), created.Str("type"), created.Str("parentCode"), created.Str("validFrom")));
        await t.RegisterWardAsync("E05011096", "Camberwell Green");
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/areas"),
            new { code = "E01003979", name = "Southwark 006E", type = "lsoa", parentCode = "E05011104" }), HttpStatusCode.BadRequest);

        var get = await t.Admin.GetAsync(t.Path("/areas/E05011095"));
        var read = await TestTenant.Expect(get, HttpStatusCode.OK);
        Assert.Equal(created.ToJsonString(), read.ToJsonString());
        var wards = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/areas?type=ward&parentCode=E09000028&limit=1")), HttpStatusCode.OK);
        Assert.Equal(["E05011095"], wards["items"].Arr().Select(a => a!["code"]!.GetValue<string>()));
        var next = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/areas?type=ward&limit=1&cursor={wards.Str("nextCursor")}")), HttpStatusCode.OK);
        Assert.Equal(["E05011096"], next["items"].Arr().Select(a => a!["code"]!.GetValue<string>()));
        Assert.Null(next["nextCursor"]);

        var renamed = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Put, t.Path("/areas/E05011095"),
            new { name = "Borough and Bankside", type = "ward", parentCode = "E09000028", validFrom = "2018-05-03", validTo = "2026-05-06" },
            ifMatch: get.ETag()));
        var body = await TestTenant.Expect(renamed, HttpStatusCode.OK);
        Assert.Equal(("Borough and Bankside", "2026-05-06", 2L), (body.Str("name"), body.Str("validTo"), body["version"]!.GetValue<long>()));
        var stale = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Put, t.Path("/areas/E05011095"),
            new { name = "Lost update", type = "ward" }, ifMatch: get.ETag()));
        await TestTenant.ExpectProblem(stale, HttpStatusCode.PreconditionFailed);
        await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path("/areas/E05099999")), HttpStatusCode.NotFound);
        await TestTenant.ExpectProblem(await t.Admin.PutAsJsonAsync(t.Path("/areas/E05099999"), new { name = "Nowhere", type = "ward" }),
            HttpStatusCode.NotFound);

        var events = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/audit?entityType=area")), HttpStatusCode.OK);
        Assert.Equal(["create", "create", "create", "update"], events["items"].Arr().Select(e => e!["action"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"code":"X05011095","name":"Bad code","type":"ward"}""", "code")]
    [InlineData("""{"code":"E05011095","name":"Bad date","type":"ward","validFrom":"2018-13-01"}""", "validFrom")]
    [InlineData("""{"code":"E05011095","name":"Bad date","type":"ward","validFrom":"3 May 2018"}""", "validFrom")]
    [InlineData("""{"code":"E05011095","name":"Backwards","type":"ward","validFrom":"2018-05-03","validTo":"2018-05-02"}""", "validTo")]
    [InlineData("""{"code":"E05011095","name":"No type"}""", "type")]
    [InlineData("""{"code":"E05011095","name":"Bad type","type":"county"}""", "type")]
    [InlineData("""{"code":"E05011095","name":"Orphan","type":"ward","parentCode":"E09000022"}""", "parentCode")]
    [InlineData("""{"code":"E05011095","name":"Itself","type":"ward","parentCode":"E05011095"}""", "parentCode")]
    [InlineData("""{"code":"E09000028","name":"Taken","type":"local_authority"}""", "code")]
    public async Task A_bad_area_is_a_400_naming_the_field_and_nothing_is_registered(string body, string field)
    {
        var t = await TestTenant.CreateAsync(factory, "areas");

        var response = await t.Admin.PostAsync(t.Path("/areas"), HttpKit.Raw(body));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey(field), $"no error for '{field}': {problem.ToJsonString()}");
        HttpKit.AssertNoInternals(problem);
        Assert.Equal(1, await t.CountAsync("areas"));
    }

    [Theory]
    [InlineData("""{"name":"Borough & Bankside","type":"ward","validFrom":"2018-02-30"}""", "validFrom")]
    [InlineData("""{"name":"Borough & Bankside","type":"ward","validTo":"soon"}""", "validTo")]
    [InlineData("""{"name":"Borough & Bankside","type":"ward","parentCode":"E09000022"}""", "parentCode")]
    [InlineData("""{"name":"","type":"ward"}""", "name")]
    public async Task A_bad_replace_is_a_400_naming_the_field_and_the_area_is_unchanged(string body, string field)
    {
        var t = await TestTenant.CreateAsync(factory, "areas");
        var before = await t.RegisterWardAsync("E05011095", "Borough & Bankside");

        var response = await t.Admin.PutAsync(t.Path("/areas/E05011095"), HttpKit.Raw(body));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey(field), $"no error for '{field}': {problem.ToJsonString()}");
        var after = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/areas/E05011095")), HttpStatusCode.OK);
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    [Fact]
    public async Task The_type_filter_takes_a_comma_list_and_refuses_a_type_that_is_not_one()
    {
        var t = await TestTenant.CreateAsync(factory, "areas");
        await t.RegisterWardAsync("E05011095", "Borough & Bankside");

        var both = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/areas?type=ward,local_authority")), HttpStatusCode.OK);
        Assert.Equal(["E05011095", "E09000028"], both["items"].Arr().Select(a => a!["code"]!.GetValue<string>()));
        var wards = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/areas?type=ward")), HttpStatusCode.OK);
        Assert.Equal(["E05011095"], wards["items"].Arr().Select(a => a!["code"]!.GetValue<string>()));
        var bad = await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path("/areas?type=ward,county")), HttpStatusCode.BadRequest);
        Assert.True(bad.Errors().ContainsKey("type"));
    }

    [Fact]
    public async Task An_area_cannot_be_moved_inside_itself()
    {
        var t = await TestTenant.CreateAsync(factory, "areas");
        await t.RegisterWardAsync("E05011095", "Borough & Bankside");

        var response = await t.Admin.PutAsJsonAsync(t.Path("/areas/E09000028"),
            new { name = "Southwark", type = "local_authority", parentCode = "E05011095" });

        Assert.True((await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest)).Errors().ContainsKey("parentCode"));
        Assert.Null((await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/areas/E09000028")), HttpStatusCode.OK))["parentCode"]);
    }

    [Fact]
    public async Task A_new_area_code_for_the_partnership_is_registered_and_the_check_can_be_turned_off()
    {
        var t = await TestTenant.CreateAsync(factory, "areas");

        var updated = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path(),
            new { name = "Lambeth CSP", areaCode = "E09000022", publicRead = false, areaCheck = "off" }), HttpStatusCode.OK);
        Assert.Equal(("E09000022", "off"), (updated.Str("areaCode"), updated.Str("areaCheck")));
        var lambeth = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/areas/E09000022")), HttpStatusCode.OK);
        Assert.Equal(("Lambeth CSP", "local_authority"), (lambeth.Str("name"), lambeth.Str("type")));

        // Omitted, the setting stays as it is.
        var again = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path(),
            new { name = "Lambeth CSP", areaCode = "E09000022", publicRead = true }), HttpStatusCode.OK);
        Assert.Equal("off", again.Str("areaCheck"));
        Assert.Equal(2, await t.CountAsync("areas"));
    }

    [Fact]
    public async Task Observations_and_performance_carry_the_area_name_and_series_default_to_the_partnerships_area()
    {
        var t = await TestTenant.CreateAsync(factory, "areas");
        await t.RegisterWardAsync("E05011095", "Borough & Bankside");
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path("/areas/E09000028"), new { name = "Southwark", type = "local_authority" }),
            HttpStatusCode.OK);
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var robbery = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-05", 170), Row("ROB-PERSONAL", "2024-05", 19, "E05011095"),
            Row("ROB-PERSONAL", "2024-06", 21, "E05011095")]);

        var own = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{robbery}/observations")), HttpStatusCode.OK);
        Assert.Equal([("E09000028", "Southwark")], own["items"].Arr().Select(o => (o!["area"]!.GetValue<string>(), o["areaName"]!.GetValue<string>())));
        var all = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{robbery}/observations?area=*")), HttpStatusCode.OK);
        Assert.Equal(3, all["items"].Arr().Count);
        var ward = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{robbery}/observations?area=E05011095")), HttpStatusCode.OK);
        Assert.All(ward["items"].Arr(), o => Assert.Equal("Borough & Bankside", o!["areaName"]!.GetValue<string>()));
        await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path($"/indicators/{robbery}/observations?area=Southwark")), HttpStatusCode.BadRequest);

        var csv = await t.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Get, t.Path($"/indicators/{robbery}/observations?area=E05011095"))
        {
            Headers = { { "Accept", "text/csv" } },
        });
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n");
        Assert.StartsWith("indicator,period,period_start,period_end,area,area_name,value", lines[0]);
        Assert.StartsWith("ROB-PERSONAL,2024-05,2024-05-01,2024-05-31,E05011095,Borough & Bankside,19,", lines[1]);

        var performance = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{robbery}/performance?area=E05011095")), HttpStatusCode.OK);
        Assert.Equal(("E05011095", "Borough & Bankside", "2024-06"),
            (performance.Str("area"), performance.Str("areaName"), performance["latest"]!["period"]!.GetValue<string>()));
        await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path($"/indicators/{robbery}/performance?area=*")), HttpStatusCode.BadRequest);
    }
}

public static class AreaTestData
{
    /// <summary>Registers a ward of the partnership's borough (E09000028), valid from the 2018 boundary changes.</summary>
    public static async Task<JsonObject> RegisterWardAsync(this TestTenant t, string code, string name) =>
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/areas"),
            new { code, name, type = "ward", parentCode = "E09000028", validFrom = "2018-05-03" }), HttpStatusCode.Created);
}
