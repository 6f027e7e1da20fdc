using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Security;

[Collection(ApiCollection.Name)]
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
}
