using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Xml.Linq;
using Csp.Api.Tests.Areas;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Indicators;

/// <summary>Issue 20, point 2: an indicator's chart as accessible SVG, the same bytes for the same data.</summary>
[Collection(ApiCollection.Name)]
public sealed class ChartTests(CspApiFactory factory)
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private async Task<(TestTenant T, Guid IndicatorId)> IndicatorWithAYearAsync()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var indicator = await t.CreateIndicatorAsync(met.Id(), "ROB-PERSONAL", target: new { value = 150, period = "2025-12" },
            baseline: new { value = 182, period = "2025-01" });
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], met.Id());
        await pusher.PushOkAsync(t, Enumerable.Range(1, 12).Select(m => IndicatorTestData.Row("ROB-PERSONAL", $"2025-{m:D2}", 182 - 2 * m,
            status: m > 10 ? "provisional" : "final")));
        return (t, indicator.Id());
    }

    [Fact]
    public async Task The_chart_is_an_accessible_SVG_that_describes_the_trend_and_links_to_its_CSV()
    {
        var (t, id) = await IndicatorWithAYearAsync();

        var response = await t.Admin.GetAsync(t.Path($"/indicators/{id}/chart.svg"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Repo.PathOf("TestResults")).FullName, "chart.svg"), text);
        var svg = XDocument.Parse(text).Root!;
        Assert.Equal(Svg + "svg", svg.Name);
        Assert.True(double.Parse(svg.Attribute("width")!.Value, System.Globalization.CultureInfo.InvariantCulture) <= 600);
        Assert.Equal("img", svg.Attribute("role")?.Value);
        var title = svg.Element(Svg + "title")!;
        var desc = svg.Element(Svg + "desc")!;
        Assert.Equal($"{title.Attribute("id")!.Value} {desc.Attribute("id")!.Value}", svg.Attribute("aria-labelledby")?.Value);
        Assert.Contains("ROB-PERSONAL", title.Value);
        Assert.Contains("12 monthly values from Jan 2025 to Dec 2025", desc.Value);
        Assert.Contains("fell from 180 to 158", desc.Value);
        Assert.Contains("lower is better, so it has improved", desc.Value);
        Assert.Contains("The target is 150 by Dec 2025", desc.Value);
        Assert.Contains("2 of the values are provisional", desc.Value);
        // UK period labels on the axis.
        Assert.Contains(svg.Descendants(Svg + "text"), e => e.Value == "Jan 2025");

        // The link opens the same data as CSV.
        var link = svg.Descendants(Svg + "a").Single().Attribute("href")!.Value;
        Assert.Contains("format=csv", link);
        var csv = await t.Admin.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal(13, (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task The_same_data_gives_the_same_bytes_so_the_strong_ETag_answers_304_until_the_data_changes()
    {
        var (t, id) = await IndicatorWithAYearAsync();

        var first = await t.Admin.GetAsync(t.Path($"/indicators/{id}/chart.svg?from=2025-03&to=2025-12"));
        var second = await t.Admin.GetAsync(t.Path($"/indicators/{id}/chart.svg?from=2025-03&to=2025-12"));

        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await second.Content.ReadAsByteArrayAsync());
        var etag = ETagOf(first);
        Assert.Equal(etag, ETagOf(second));
        var notModified = await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/indicators/{id}/chart.svg?from=2025-03&to=2025-12"), ifNoneMatch: etag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        var met = (await t.GetOkAsync("/agencies"))["items"]![0]!.AsObject().Id();
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], met);
        await pusher.PushOkAsync(t, [IndicatorTestData.Row("ROB-PERSONAL", "2025-12", 171)]);
        var changed = await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/indicators/{id}/chart.svg?from=2025-03&to=2025-12"), ifNoneMatch: etag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, ETagOf(changed));
    }

    [Fact]
    public async Task Area_from_and_to_choose_the_series_and_the_CSV_link_keeps_them()
    {
        var (t, id) = await IndicatorWithAYearAsync();
        var met = (await t.GetOkAsync("/agencies"))["items"]![0]!.AsObject().Id();
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], met);
        const string ward = "E05011095";
        await t.RegisterWardAsync(ward, "Borough & Bankside");
        await pusher.PushOkAsync(t, Enumerable.Range(1, 6).Select(m => IndicatorTestData.Row("ROB-PERSONAL", $"2025-{m:D2}", 10 + m, area: ward)));

        var svg = XDocument.Parse(await (await t.Admin.GetAsync(t.Path($"/indicators/{id}/chart.svg?area={ward}&from=2025-02&to=2025-05")))
            .Content.ReadAsStringAsync()).Root!;

        Assert.Contains(ward, svg.Element(Svg + "title")!.Value);
        var desc = svg.Element(Svg + "desc")!.Value;
        Assert.Contains("4 monthly values from Feb 2025 to May 2025", desc);
        Assert.Contains("rose from 12 to 15", desc);
        var link = svg.Descendants(Svg + "a").Single().Attribute("href")!.Value;
        Assert.Contains($"area={ward}", link);
        Assert.Contains("from=2025-02", link);
        Assert.Contains("to=2025-05", link);
        var rows = (await (await t.Admin.GetAsync(link)).Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, rows.Length);
        Assert.All(rows.Skip(1), r => Assert.Contains(ward, r));
        // An area with no values is a chart that says so.
        var empty = XDocument.Parse(await (await t.Admin.GetAsync(t.Path($"/indicators/{id}/chart.svg?area=E05011096"))).Content.ReadAsStringAsync()).Root!;
        Assert.Contains("No values of", empty.Element(Svg + "desc")!.Value);
    }

    [Fact]
    public async Task A_wards_chart_draws_the_wards_own_trajectory_with_its_name_and_never_the_boroughs()
    {
        var t = await TestTenant.CreateAsync(factory);
        const string ward = "E05011095";
        await t.RegisterWardAsync(ward, "Borough & Bankside");
        await t.RegisterWardAsync("E05011096", "Camberwell Green");
        var met = await t.CreateAgencyAsync("MET");
        var id = (await t.CreateIndicatorAsync(met.Id(), "ROB-PERSONAL", baseline: new { value = 182, period = "2025-01" }, nearTolerancePercent: 8,
            targets: [new { period = "2025-12", value = 150 }, new { area = ward, period = "2025-12", value = 15 }])).Id();
        await t.Admin.PushOkAsync(t, Enumerable.Range(1, 6).SelectMany(m => new[]
        {
            IndicatorTestData.Row("ROB-PERSONAL", $"2025-{m:D2}", 182 - 2 * m),
            IndicatorTestData.Row("ROB-PERSONAL", $"2025-{m:D2}", 22 - m, area: ward),
            IndicatorTestData.Row("ROB-PERSONAL", $"2025-{m:D2}", 30, area: "E05011096"),
        }));
        async Task<(string Title, string Desc)> Chart(string? area = null)
        {
            var svg = XDocument.Parse(await (await t.Admin.GetAsync(t.Path($"/indicators/{id}/chart.svg" + (area is null ? "" : $"?area={area}"))))
                .Content.ReadAsStringAsync()).Root!;
            return (svg.Element(Svg + "title")!.Value, svg.Element(Svg + "desc")!.Value);
        }

        var (title, desc) = await Chart(ward);
        Assert.Contains("Borough & Bankside (E05011095)", title);
        Assert.Contains("in Borough & Bankside: 6 monthly values", desc);
        Assert.Contains("The target is 15 by Dec 2025: the latest value is within 8% of it.", desc);
        Assert.DoesNotContain("150", desc);
        var (_, borough) = await Chart();
        Assert.Contains("The target is 150 by Dec 2025", borough);
        // A ward without targets of its own has none on its chart.
        var (_, untargeted) = await Chart("E05011096");
        Assert.DoesNotContain("target", untargeted, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_chart_across_a_break_names_it_and_says_no_improvement_or_worsening()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var id = (await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), new
        {
            code = "ROB-PERSONAL", name = "Personal robbery", unit = "count", direction = "decrease", frequency = "monthly", sourceAgencyId = met.Id(),
            breaks = new[] { new { period = "2025-06", reason = "A counting-rule change" }, new { period = "2024-02", reason = "Before the series" } },
        }), HttpStatusCode.Created)).Id();
        await t.Admin.PushOkAsync(t, Enumerable.Range(1, 12).Select(m => IndicatorTestData.Row("ROB-PERSONAL", $"2025-{m:D2}", 182 - 2 * m)));

        var desc = XDocument.Parse(await (await t.Admin.GetAsync(t.Path($"/indicators/{id}/chart.svg"))).Content.ReadAsStringAsync()).Root!
            .Element(Svg + "desc")!.Value;

        Assert.Contains("fell from 180 to 158", desc);
        Assert.Contains("whether it has improved cannot be said", desc);
        Assert.DoesNotContain("so it has improved", desc);
        Assert.Contains("The series breaks at Jun 2025 (A counting-rule change)", desc);
        Assert.DoesNotContain("Before the series", desc);
        // After the break alone, the comparison holds again.
        var after = XDocument.Parse(await (await t.Admin.GetAsync(t.Path($"/indicators/{id}/chart.svg?from=2025-06")))
            .Content.ReadAsStringAsync()).Root!.Element(Svg + "desc")!.Value;
        Assert.Contains("so it has improved", after);
    }

    [Fact]
    public async Task A_chart_asked_for_as_JSON_is_406_naming_SVG_and_bad_input_is_400_or_404()
    {
        var (t, id) = await IndicatorWithAYearAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, t.Path($"/indicators/{id}/chart.svg"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        var problem = await TestTenant.ExpectProblem(await t.Admin.SendAsync(request), HttpStatusCode.NotAcceptable);

        Assert.Contains("image/svg+xml", problem.Str("detail"));
        await ExpectInvalid(await t.Admin.GetAsync(t.Path($"/indicators/{id}/chart.svg?from=June")), "from");
        await ExpectInvalid(await t.Admin.GetAsync(t.Path($"/indicators/{id}/chart.svg?area=Southwark")), "area");
        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/indicators/{Guid.NewGuid()}/chart.svg")));
        // A browser's image Accept header is fine.
        using var img = new HttpRequestMessage(HttpMethod.Get, t.Path($"/indicators/{id}/chart.svg"));
        img.Headers.TryAddWithoutValidation("Accept", "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8");
        Assert.Equal(HttpStatusCode.OK, (await t.Admin.SendAsync(img)).StatusCode);
    }
}
