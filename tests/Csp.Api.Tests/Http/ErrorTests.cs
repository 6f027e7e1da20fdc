using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Http;

/// <summary>Issue 2, point 6: bad input gets a clear problem+json, never a 500, and writes nothing.</summary>
[Collection(ApiCollection.Name)]
public sealed class ErrorTests(CspApiFactory factory)
{
    [Fact]
    public async Task An_empty_json_body_is_400_problem_and_nothing_is_stored()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsync(t.Path("/agencies"), HttpKit.Raw(""));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        HttpKit.AssertNoInternals(problem);
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task A_request_without_any_body_is_400_problem()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsync(t.Path("/agencies"), null);

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        HttpKit.AssertNoInternals(problem);
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task A_json_null_body_is_400_problem()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsync(t.Path("/agencies"), HttpKit.Raw("null"));

        await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Theory]
    [InlineData("""{"code": "MET", "name": """)]
    [InlineData("""{code: 'MET'}""")]
    [InlineData("""not json at all""")]
    [InlineData("""{"code":"MET","name":"Met","kind":"police"}}""")]
    [InlineData("""[{"code":"MET","name":"Met","kind":"police"}]""")]
    [InlineData("\"MET\"")]
    public async Task Malformed_json_is_400_problem_with_errors_and_nothing_is_stored(string json)
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsync(t.Path("/agencies"), HttpKit.Raw(json));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.Errors());
        HttpKit.AssertNoInternals(problem);
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_body_that_is_not_json_is_415_problem_and_nothing_is_stored(string mediaType)
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsync(t.Path("/agencies"), HttpKit.Raw("""{"code":"MET","name":"Met","kind":"police"}""", mediaType));

        await TestTenant.ExpectProblem(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task A_put_that_is_not_json_is_415_problem_and_changes_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync("MET", name: "Original");

        var response = await t.Admin.PutAsync(t.Path($"/agencies/{agency.Id()}"), HttpKit.Raw("""{"code":"MET","name":"Changed","kind":"police"}""", "text/plain"));

        await TestTenant.ExpectProblem(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(("MET", "Original", "police", 1L), await factory.AgencyRowAsync(agency.Id()));
    }

    [Fact]
    public async Task A_415_still_needs_a_valid_key()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await factory.ClientWithKey(null).PostAsync(t.Path("/agencies"), HttpKit.Raw("code=MET", "text/plain"));

        await TestTenant.ExpectProblem(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("partnershipId")]
    [InlineData("version")]
    [InlineData("createdAt")]
    public async Task An_unknown_property_is_400_and_nothing_is_stored(string property)
    {
        var t = await TestTenant.CreateAsync(factory);
        var json = $$"""{"code":"MET","name":"Met","kind":"police","{{property}}":"{{Guid.NewGuid()}}"}""";

        var response = await t.Admin.PostAsync(t.Path("/agencies"), HttpKit.Raw(json));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.Errors());
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task An_unknown_property_on_put_is_400_and_changes_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync("MET", name: "Original");
        var other = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PutAsJsonAsync(t.Path($"/agencies/{agency.Id()}"),
            new { code = "MET", name = "Moved", kind = "police", partnershipId = other.Id });

        await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(("MET", "Original", "police", 1L), await factory.AgencyRowAsync(agency.Id()));
        Assert.Equal(t.Id, await factory.ScalarAsync<Guid>("SELECT partnership_id FROM agencies WHERE id = @id", new { id = agency.Id() }));
    }

    [Theory]
    [InlineData("/nope")]
    [InlineData("/v1")]
    [InlineData("/v1/nope")]
    [InlineData("/v1/partnerships/{slug}/nope")]
    [InlineData("/v1/partnerships/{slug}/agencies/{guid}/nope")]
    public async Task An_unknown_route_is_404_problem_json(string path)
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await factory.OffContractClient(t.AdminKey).GetAsync(path.Replace("{slug}", t.Slug).Replace("{guid}", Guid.NewGuid().ToString()));

        await TestTenant.ExpectProblem(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_unknown_route_is_404_problem_json_without_a_key_too()
    {
        var response = await factory.OffContractClient(null).GetAsync("/nope");

        await TestTenant.ExpectProblem(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("PATCH", "/agencies")]
    [InlineData("DELETE", "/agencies")]
    [InlineData("PUT", "/agencies")]
    [InlineData("POST", "/agencies/{guid}")]
    [InlineData("PUT", "/clients/{guid}")]
    public async Task A_method_the_route_does_not_have_is_405_problem_json(string method, string rest)
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync("MET");
        var request = new HttpRequestMessage(new HttpMethod(method), t.Path(rest.Replace("{guid}", agency.Id().ToString())))
        {
            Content = JsonContent.Create(new { code = "MET", name = "Changed", kind = "police" }),
        };

        var response = await factory.OffContractClient(t.AdminKey).SendAsync(request);

        await TestTenant.ExpectProblem(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal(("MET", "Agency MET", "police", 1L), await factory.AgencyRowAsync(agency.Id()));
        Assert.Equal(1, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task A_405_still_needs_a_valid_key()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await factory.OffContractClient(null).SendAsync(new HttpRequestMessage(HttpMethod.Patch, t.Path("/agencies")));

        await TestTenant.ExpectProblem(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("""{"slug":"Bad Slug","name":"X","areaCode":"E09000028"}""", "slug")]
    [InlineData("""{"slug":"a","name":"X","areaCode":"E09000028"}""", "slug")]
    [InlineData("""{"slug":"ok-slug-{n}","name":"","areaCode":"E09000028"}""", "name")]
    [InlineData("""{"slug":"ok-slug-{n}","name":"X","areaCode":"E0900002"}""", "areaCode")]
    [InlineData("""{"slug":"ok-slug-{n}","name":"X","areaCode":"X09000028"}""", "areaCode")]
    [InlineData("""{"slug":"ok-slug-{n}","name":"X"}""", "areaCode")]
    [InlineData("""{"slug":"ok-slug-{n}","name":"X","areaCode":"E09000028","publicRead":"yes"}""", "publicRead")]
    public async Task An_invalid_partnership_is_400_on_the_field_and_not_stored(string template, string field)
    {
        var n = Guid.NewGuid().ToString("N")[..12];
        var json = template.Replace("{n}", n);

        var response = await factory.ClientWithKey(CspApiFactory.PlatformKey).PostAsync("/v1/partnerships", HttpKit.Raw(json));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey(field), problem.ToJsonString());
        Assert.Equal(0, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM partnerships WHERE slug LIKE @pattern", new { pattern = $"%{n}%" }));
    }

    [Fact]
    public async Task A_partnership_with_an_id_of_the_callers_choosing_is_400_and_not_stored()
    {
        var slug = $"p-{Guid.NewGuid():N}"[..24];
        var id = Guid.NewGuid();

        var response = await factory.ClientWithKey(CspApiFactory.PlatformKey).PostAsJsonAsync("/v1/partnerships",
            new { id, slug, name = "Chosen id", areaCode = "E09000028" });

        await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM partnerships WHERE slug = @slug OR id = @id", new { slug, id }));
    }

    [Fact]
    public async Task A_taken_slug_is_409_problem_and_the_first_partnership_is_untouched()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await factory.ClientWithKey(CspApiFactory.PlatformKey).PostAsJsonAsync("/v1/partnerships",
            new { slug = t.Slug, name = "Impostor", areaCode = "E09000001" });

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.Conflict);
        Assert.Contains(t.Slug, problem.Str("detail"));
        var rows = await factory.QueryAsync<(Guid Id, string Name, string AreaCode)>(
            "SELECT id, name, area_code FROM partnerships WHERE slug = @slug", new { slug = t.Slug });
        Assert.Equal((t.Id, $"Test {t.Slug}", "E09000028"), Assert.Single(rows));
    }
}
