using System.Net;
using System.Text.Json.Nodes;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Csp.Api.Tests.Http;

/// <summary>
/// <c>.Deprecated(…)</c> on an endpoint: every answer it gives says so in <c>Deprecation</c> (RFC 9745) and <c>Sunset</c>
/// (RFC 8594), and the contract marks the operation deprecated. Shown on routes of the test's own, mapped beside the service's.
/// </summary>
public sealed class DeprecationTests
{
    private static readonly DateTimeOffset Since = new(2026, 6, 30, 23, 59, 59, TimeSpan.Zero);
    private static readonly DateTimeOffset Sunset = new(2027, 3, 31, 23, 59, 59, TimeSpan.Zero);

    private static Task<ServiceHost> StartAsync() => ServiceHost.StartAsync(app =>
    {
        app.MapGet("/test/deprecated", () => TypedResults.Ok(new { ok = true })).WithName("getDeprecatedThing").AllowAnonymous()
            .Deprecated(Since, Sunset, "https://docs.example/deprecations/things");
        app.MapGet("/test/deprecated-without-sunset", () => TypedResults.Ok(new { ok = true })).WithName("getDeprecatedForNow").AllowAnonymous()
            .Deprecated(Since);
        app.MapGet("/v1/partnerships/{partnership}/test-deprecated", () => TypedResults.Ok(new { ok = true })).WithName("getDeprecatedTenantThing")
            .RequireScope(Scopes.Read).Deprecated(Since, Sunset);
        app.MapGet("/test/current", () => TypedResults.Ok(new { ok = true })).WithName("getCurrentThing").AllowAnonymous();
    });

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    [Fact]
    public async Task A_deprecated_route_says_since_when_until_when_and_where_to_read_about_it()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();

        var deprecated = await client.GetAsync("/test/deprecated");
        var forNow = await client.GetAsync("/test/deprecated-without-sunset");
        var current = await client.GetAsync("/test/current");

        Assert.Equal(HttpStatusCode.OK, deprecated.StatusCode);
        Assert.Equal("@1782863999", Header(deprecated, "Deprecation"));
        Assert.Equal("Wed, 31 Mar 2027 23:59:59 GMT", Header(deprecated, "Sunset"));
        Assert.Equal("<https://docs.example/deprecations/things>; rel=\"deprecation\"; type=\"text/html\", " +
                     "<https://docs.example/deprecations/things>; rel=\"sunset\"; type=\"text/html\"", Header(deprecated, "Link"));
        Assert.Equal("@1782863999", Header(forNow, "Deprecation"));
        Assert.Null(Header(forNow, "Sunset"));
        Assert.Null(Header(forNow, "Link"));
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Null(Header(current, "Deprecation"));
        Assert.Null(Header(current, "Sunset"));
    }

    [Fact]
    public async Task A_deprecated_routes_refusals_say_so_too()
    {
        await using var host = await StartAsync();

        var refused = await host.CreateClient().GetAsync("/v1/partnerships/southwark/test-deprecated");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("@1782863999", Header(refused, "Deprecation"));
        Assert.Equal("Wed, 31 Mar 2027 23:59:59 GMT", Header(refused, "Sunset"));
    }

    [Fact]
    public async Task The_contract_marks_the_operation_deprecated_and_documents_both_headers()
    {
        await using var host = await StartAsync();

        var document = JsonNode.Parse(await host.CreateClient().GetStringAsync("/openapi/v1.json"))!;

        var deprecated = document["paths"]!["/test/deprecated"]!["get"]!;
        Assert.True(deprecated["deprecated"]!.GetValue<bool>());
        Assert.StartsWith("**Deprecated** since 2026-06-30. It may stop answering after 2027-03-31 23:59 UTC.",
            deprecated["description"]!.GetValue<string>());
        var headers = deprecated["responses"]!["200"]!["headers"]!;
        Assert.Contains("`@1782863999`", headers["Deprecation"]!["description"]!.GetValue<string>());
        Assert.Contains("`Wed, 31 Mar 2027 23:59:59 GMT`", headers["Sunset"]!["description"]!.GetValue<string>());
        Assert.Null(document["paths"]!["/test/current"]!["get"]!["deprecated"]);
    }

    [Fact]
    public void A_sunset_before_the_deprecation_is_refused_where_the_route_is_mapped()
    {
        var builder = WebApplication.CreateBuilder();
        using var app = builder.Build();

        var refused = Assert.Throws<ArgumentException>(() => app.MapGet("/x", () => "x").Deprecated(Sunset, Since));
        Assert.Contains("before the deprecation", refused.Message);
    }
}
