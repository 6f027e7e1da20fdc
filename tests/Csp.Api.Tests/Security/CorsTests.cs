using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Security;

[Collection(SecurityCollection.Name)]
public sealed class CorsTests(CspApiFactory factory)
{
    private const string Portal = "https://portal.example.gov.uk";

    private static HttpRequestMessage Preflight(string path, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "X-Api-Key");
        return request;
    }

    [Fact]
    public async Task A_partnership_that_lists_its_portal_gets_cors_for_that_origin_only()
    {
        var t = await TestTenant.CreateAsync(factory);
        var updated = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path(),
            new { name = "Test", areaCode = "E09000028", publicRead = false, corsOrigins = new[] { Portal } }), HttpStatusCode.OK);
        Assert.Equal(Portal, updated["corsOrigins"]![0]!.GetValue<string>());
        Assert.Equal(Portal, await factory.ScalarAsync<string>("SELECT cors_origins FROM partnerships WHERE id = @id", new { id = t.Id.ToString() }));

        // Preflights are not API operations, so they go through a client without the contract check.
        var raw = factory.Server.CreateClient();
        var ok = await raw.SendAsync(Preflight(t.Path("/plans"), Portal));
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        Assert.Equal(Portal, ok.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("X-Api-Key", ok.Headers.GetValues("Access-Control-Allow-Headers").Single());

        var foreign = await raw.SendAsync(Preflight(t.Path("/plans"), "https://evil.example"));
        Assert.False(foreign.Headers.Contains("Access-Control-Allow-Origin"));

        using var get = new HttpRequestMessage(HttpMethod.Get, t.Path());
        get.Headers.Add("Origin", Portal);
        var actual = await t.Admin.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, actual.StatusCode);
        Assert.Equal(Portal, actual.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("ETag", actual.Headers.GetValues("Access-Control-Expose-Headers").Single());
    }

    [Fact]
    public async Task Without_configured_origins_there_is_no_cors_and_bad_origins_are_rejected()
    {
        var t = await TestTenant.CreateAsync(factory);
        var preflight = await factory.Server.CreateClient().SendAsync(Preflight(t.Path("/plans"), Portal));
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));

        var bad = await t.Admin.PutAsJsonAsync(t.Path(), new { name = "Test", areaCode = "E09000028", publicRead = false, corsOrigins = new[] { "http://portal.example/path" } });
        var problem = await TestTenant.ExpectProblem(bad, HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]);
        Assert.Equal("", await factory.ScalarAsync<string>("SELECT cors_origins FROM partnerships WHERE id = @id", new { id = t.Id.ToString() }));
    }

    [Fact]
    public async Task Origins_longer_than_their_column_together_are_400_and_the_stored_ones_are_kept()
    {
        var t = await TestTenant.CreateAsync(factory);
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path(),
            new { name = "Test", areaCode = "E09000028", publicRead = false, corsOrigins = new[] { Portal } }), HttpStatusCode.OK);
        // 20 valid origins of 189 characters: each is allowed, together (3,799 characters) they are not.
        var origins = Enumerable.Range(0, 20)
            .Select(i => $"https://{new string('a', 60)}.{new string('b', 60)}.{new string('c', 50)}{i:D2}.gov.uk").ToArray();
        Assert.All(origins, o => Assert.True(Uri.IsWellFormedUriString(o, UriKind.Absolute)));

        var tooLong = await t.Admin.PutAsJsonAsync(t.Path(), new { name = "Test", areaCode = "E09000028", publicRead = false, corsOrigins = origins });

        var problem = await TestTenant.ExpectProblem(tooLong, HttpStatusCode.BadRequest);
        Assert.Contains("2000 characters", problem["errors"]!["corsOrigins"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(Portal, await factory.ScalarAsync<string>("SELECT cors_origins FROM partnerships WHERE id = @id", new { id = t.Id.ToString() }));

        // Ten of them (1,899 characters) fit.
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path(),
            new { name = "Test", areaCode = "E09000028", publicRead = false, corsOrigins = origins[..10] }), HttpStatusCode.OK);
        Assert.Equal(string.Join(' ', origins[..10]),
            await factory.ScalarAsync<string>("SELECT cors_origins FROM partnerships WHERE id = @id", new { id = t.Id.ToString() }));
    }

    [Fact]
    public async Task A_preflight_answers_the_methods_headers_and_max_age_and_an_answer_exposes_its_headers()
    {
        var t = await TestTenant.CreateAsync(factory);
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path(),
            new { name = "Test", areaCode = "E09000028", publicRead = false, corsOrigins = new[] { Portal } }), HttpStatusCode.OK);
        var raw = factory.Server.CreateClient();

        var preflight = await raw.SendAsync(Preflight(t.Path("/plans"), Portal));

        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal(["DELETE", "GET", "POST", "PUT"], Values(preflight, "Access-Control-Allow-Methods").Order(StringComparer.Ordinal));
        Assert.Equal(["Accept", "Content-Type", "Idempotency-Key", "If-Match", "If-None-Match", "X-Api-Key"],
            Values(preflight, "Access-Control-Allow-Headers").Order(StringComparer.Ordinal));
        Assert.Equal("600", preflight.Headers.GetValues("Access-Control-Max-Age").Single());
        Assert.Equal(["Origin"], Values(preflight, "Vary"));

        using var get = new HttpRequestMessage(HttpMethod.Get, t.Path("/clients"));
        get.Headers.Add("Origin", Portal);
        var actual = await t.Admin.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, actual.StatusCode);
        Assert.Equal(["Content-Disposition", "Deprecation", "ETag", "Idempotent-Replayed", "Idempotent-Summary", "Link", "Location", "RateLimit", "RateLimit-Policy", "Retry-After", "Sunset"],
            Values(actual, "Access-Control-Expose-Headers").Order(StringComparer.Ordinal));
        Assert.Equal(["Origin"], Values(actual, "Vary"));
    }

    [Fact]
    public async Task Every_answer_to_an_origin_on_a_partnerships_route_varies_on_it_once_allowed_or_not()
    {
        var t = await TestTenant.CreateAsync(factory, publicRead: true);
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path(),
            new { name = "Test", areaCode = "E09000028", publicRead = true, corsOrigins = new[] { Portal } }), HttpStatusCode.OK);
        var plan = await t.CreatePlanAsync("Public plan", "2025-04-01", "2026-03-31");
        await t.ApprovePlanAsync(plan.Id());

        foreach (var origin in new[] { Portal, "https://evil.example" })
        {
            using var keyed = new HttpRequestMessage(HttpMethod.Get, t.Path("/clients"));
            keyed.Headers.Add("Origin", origin);
            var answer = await t.Admin.SendAsync(keyed);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal(["Origin"], Values(answer, "Vary"));

            // A public read varies on the caller too: Origin is named once.
            using var anonymous = new HttpRequestMessage(HttpMethod.Get, t.Path($"/plans/{plan.Id()}"));
            anonymous.Headers.Add("Origin", origin);
            var read = await factory.ClientWithKey(null).SendAsync(anonymous);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Single(Values(read, "Vary"), v => v == "Origin");
            Assert.Contains("X-Api-Key", Values(read, "Vary"));
            Assert.Equal(origin == Portal, read.Headers.Contains("Access-Control-Allow-Origin"));
        }
    }

    [Fact]
    public async Task An_origin_taken_off_the_list_loses_cors_on_the_next_request()
    {
        var t = await TestTenant.CreateAsync(factory);
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path(),
            new { name = "Test", areaCode = "E09000028", publicRead = false, corsOrigins = new[] { Portal } }), HttpStatusCode.OK);
        var raw = factory.Server.CreateClient();
        Assert.True((await raw.SendAsync(Preflight(t.Path("/plans"), Portal))).Headers.Contains("Access-Control-Allow-Origin"));

        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path(),
            new { name = "Test", areaCode = "E09000028", publicRead = false, corsOrigins = Array.Empty<string>() }), HttpStatusCode.OK);

        var preflight = await raw.SendAsync(Preflight(t.Path("/plans"), Portal));
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("/v1/partnerships/no-such-partnership/plans")]
    [InlineData("/v1/partnerships")]
    [InlineData("/health/live")]
    public async Task No_cors_for_an_unknown_partnership_nor_outside_one(string path)
    {
        var raw = factory.Server.CreateClient();

        var preflight = await raw.SendAsync(Preflight(path, Portal));

        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Methods"));
    }

    private static string[] Values(HttpResponseMessage response, string header) =>
        (response.Headers.TryGetValues(header, out var values) ? values : [])
        .SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
}
