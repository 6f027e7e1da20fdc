using System.Net;
using System.Net.Http.Json;
using System.Text;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Security;

[Collection(SecurityCollection.Name)]
public sealed class RequestLimitTests(CspApiFactory factory)
{
    [Fact]
    public async Task A_body_over_one_megabyte_is_refused_with_413_and_nothing_is_stored()
    {
        var t = await TestTenant.CreateAsync(factory);
        var json = $$"""{"title":"{{new string('x', 1024 * 1024)}}","periodStart":"2025-04-01","periodEnd":"2026-03-31"}""";
        var response = await t.Admin.PostAsync(t.Path("/plans"), new StringContent(json, Encoding.UTF8, "application/json"));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("1,048,576", problem.Str("detail"));
        Assert.Equal(0, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM plans WHERE partnership_id = @id", new { id = t.Id.ToString() }));
    }

    [Fact]
    public async Task Strings_longer_than_their_limit_are_a_validation_error()
    {
        var t = await TestTenant.CreateAsync(factory);
        var response = await t.Admin.PostAsJsonAsync(t.Path("/plans"), new { title = new string('x', 201), periodStart = "2025-04-01", periodEnd = "2026-03-31" });
        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["title"]);
    }

    [Fact]
    public async Task Responses_carry_nosniff_and_no_server_banner()
    {
        var t = await TestTenant.CreateAsync(factory);
        foreach (var response in new[] { await t.Admin.GetAsync(t.Path()), await t.Admin.GetAsync(t.Path("/nothing-here")) })
        {
            Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
            Assert.False(response.Headers.Contains("Server"));
        }
    }

    [Fact]
    public async Task No_cors_headers_are_sent_to_a_foreign_origin()
    {
        var t = await TestTenant.CreateAsync(factory);
        using var request = new HttpRequestMessage(HttpMethod.Get, t.Path());
        request.Headers.Add("Origin", "https://evil.example");
        var response = await t.Admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
