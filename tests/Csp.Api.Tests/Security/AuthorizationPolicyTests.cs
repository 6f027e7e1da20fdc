using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.Security;

/// <summary>
/// The service's own wiring (<c>AddCspApi</c>, <c>UseCspApi</c>, <c>MapCspApi</c>) plus endpoints that declare no scope — what
/// a new endpoint that forgot its <c>RequireScope</c> looks like — inside a partnership, elsewhere under /v1, and outside /v1.
/// </summary>
public sealed class UndeclaredEndpointsApp : IAsyncLifetime
{
    public static readonly string[] UndeclaredPaths = ["/v1/partnerships/{partnership}/undeclared", "/v1/undeclared", "/undeclared"];

    private readonly TestDatabase database = SuiteDatabase.Create();
    private WebApplication? app;

    public HttpClient Client(string? key)
    {
        var client = app!.GetTestClient();
        if (key is not null) client.DefaultRequestHeaders.Add(ApiKeys.HeaderName, key);
        return client;
    }

    public async Task InitializeAsync()
    {
        database.Prepare();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider.ToString(),
            ["ConnectionStrings:Csp"] = database.ConnectionString,
            ["Auth:PlatformKey"] = CspApiFactory.PlatformKey,
            ["RateLimiting:Enabled"] = "false",
            ["Auth:KeyUsageFlushInterval"] = "01:00:00",
            ["Database:CreateIfMissing"] = "true",
        });
        builder.AddCspDatabase();
        builder.AddCspApi();
        app = builder.Build();
        app.PrepareDatabase();
        app.UseCspApi();
        app.MapCspApi();
        foreach (var path in UndeclaredPaths) app.MapGet(path, () => TypedResults.Ok(new { reached = true }));
        await app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
        database.Dispose();
    }
}

/// <summary>Issue 13, point 3: scopes are authorization policies, and the fallback policy refuses what declares none.</summary>
public sealed class AuthorizationPolicyTests(UndeclaredEndpointsApp undeclared) : IClassFixture<UndeclaredEndpointsApp>
{
    [Fact]
    public async Task An_endpoint_declared_without_a_scope_is_refused_to_every_caller()
    {
        var platform = undeclared.Client(CspApiFactory.PlatformKey);
        var slug = $"u-{Guid.NewGuid():N}"[..24];
        await TestTenant.Expect(await platform.PostAsJsonAsync("/v1/partnerships", new { slug, name = "Undeclared", areaCode = "E09000028" }),
            HttpStatusCode.Created);
        var created = await TestTenant.Expect(await platform.PostAsJsonAsync($"/v1/partnerships/{slug}/clients",
            new { name = "admin", scopes = new[] { Scopes.Admin } }), HttpStatusCode.Created);
        var admin = undeclared.Client(created.Str("key"));
        // The app is the service's: a declared endpoint answers the same key.
        await TestTenant.Expect(await admin.GetAsync($"/v1/partnerships/{slug}"), HttpStatusCode.OK);

        foreach (var path in UndeclaredEndpointsApp.UndeclaredPaths.Select(p => p.Replace("{partnership}", slug, StringComparison.Ordinal)))
        {
            foreach (var (who, client) in new[] { ("platform key", platform), ("admin key", admin) })
            {
                var response = await client.GetAsync(path);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{who}, GET {path}: {(int)response.StatusCode}");
                var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.Forbidden);
                Assert.Equal("This endpoint is not open to any key.", problem.Str("detail"));
            }
            var anonymous = await undeclared.Client(null).GetAsync(path);
            Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"no key, GET {path}: {(int)anonymous.StatusCode}");
            await TestTenant.ExpectProblem(anonymous, HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task What_no_endpoint_matches_is_404_and_a_method_outside_v1_is_405_without_a_key()
    {
        var anonymous = undeclared.Client(null);

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/v1/partnerships/any/no-such-route")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/no-such-page")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await anonymous.PostAsync("/health/live", null)).StatusCode);
        await TestTenant.ExpectProblem(await anonymous.DeleteAsync("/v1/partnerships"), HttpStatusCode.Unauthorized);
        await TestTenant.ExpectProblem(await undeclared.Client(CspApiFactory.PlatformKey).DeleteAsync("/v1/partnerships"),
            HttpStatusCode.MethodNotAllowed);
    }
}

/// <summary>How the policies are declared, read from the running service.</summary>
[Collection(SecurityCollection.Name)]
public sealed class ScopePolicyTests(CspApiFactory factory)
{
    [Fact]
    public void Every_endpoint_requires_its_scopes_policy_or_is_one_of_the_few_open_to_anyone()
    {
        var routes = MatrixKit.Routes(factory);
        var open = routes.Where(r => r.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null).Select(r => r.Key).Order(StringComparer.Ordinal);

        Assert.Equal(["GET /", "GET /health/live", "GET /health/ready", "GET /metrics", "GET /openapi/{documentName}.json"], open);
        foreach (var route in routes.Where(r => r.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null))
        {
            Assert.True(route.Scope is not null, $"{route.Key} declares no scope");
            var policies = route.Endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            Assert.True(policies.SequenceEqual([Scopes.PolicyName(route.Scope!)]), $"{route.Key}: policies {string.Join(", ", policies)}");
        }
    }

    [Fact]
    public async Task Each_scope_is_a_policy_of_the_partnership_and_the_scope_and_the_fallback_refuses()
    {
        var provider = factory.Services.GetRequiredService<IAuthorizationPolicyProvider>();

        foreach (var scope in Scopes.All)
        {
            var policy = await provider.GetPolicyAsync(Scopes.PolicyName(scope));
            Assert.NotNull(policy);
            Assert.Equal(new IAuthorizationRequirement[] { PartnershipRequirement.Instance, new ScopeRequirement(scope) }, policy.Requirements);
        }
        var fallback = await provider.GetFallbackPolicyAsync();
        Assert.NotNull(fallback);
        Assert.Equal(new IAuthorizationRequirement[] { DeclaredScopeRequirement.Instance }, fallback.Requirements);
    }

    [Fact]
    public async Task The_fallback_refuses_every_key_on_an_endpoint_without_a_scope()
    {
        var authorization = factory.Services.GetRequiredService<IAuthorizationService>();
        var fallback = (await factory.Services.GetRequiredService<IAuthorizationPolicyProvider>().GetFallbackPolicyAsync())!;
        var endpoint = new RouteEndpoint(_ => Task.CompletedTask, Microsoft.AspNetCore.Routing.Patterns.RoutePatternFactory.Parse("/v1/x"), 0,
            EndpointMetadataCollection.Empty, "undeclared");
        var http = new DefaultHttpContext { RequestServices = factory.Services };
        http.Request.Path = "/v1/x";
        http.SetEndpoint(endpoint);
        var admin = new Caller(Guid.NewGuid(), Guid.NewGuid(), null, new HashSet<string>(Scopes.Grantable), false);

        foreach (var user in new[] { Caller.Platform.ToPrincipal("ApiKey"), admin.ToPrincipal("ApiKey"), new System.Security.Claims.ClaimsPrincipal() })
            Assert.False((await authorization.AuthorizeAsync(user, http, fallback)).Succeeded);
    }
}

/// <summary>The principal an API key yields.</summary>
public sealed class CallerPrincipalTests
{
    [Fact]
    public void A_client_keys_principal_carries_its_partnership_client_agency_and_scopes_as_claims()
    {
        var caller = new Caller(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), new HashSet<string> { Scopes.Read, Scopes.ObservationsWrite }, false);

        var principal = caller.ToPrincipal(ApiKeyAuthenticationHandler.SchemeName);

        Assert.True(principal.Identity!.IsAuthenticated);
        Assert.Equal(caller.PartnershipId.ToString(), principal.FindFirst(CspClaims.Partnership)!.Value);
        Assert.Equal(caller.ClientId.ToString(), principal.FindFirst(CspClaims.Client)!.Value);
        Assert.Equal(caller.AgencyId.ToString(), principal.FindFirst(CspClaims.Agency)!.Value);
        Assert.Equal([Scopes.ObservationsWrite, Scopes.Read], principal.FindAll(CspClaims.Scope).Select(c => c.Value).Order(StringComparer.Ordinal));

        // The claims alone describe the same caller.
        var fromClaims = Caller.From(new System.Security.Claims.ClaimsPrincipal(
            new System.Security.Claims.ClaimsIdentity(principal.Claims, ApiKeyAuthenticationHandler.SchemeName)));
        Assert.Equal((caller.ClientId, caller.PartnershipId, caller.AgencyId, caller.IsPlatform),
            (fromClaims.ClientId, fromClaims.PartnershipId, fromClaims.AgencyId, fromClaims.IsPlatform));
        Assert.True(fromClaims.Scopes.SetEquals(caller.Scopes));
    }

    [Fact]
    public void The_platform_key_is_its_own_principal_and_no_principal_is_anonymous()
    {
        var platform = Caller.Platform.ToPrincipal(ApiKeyAuthenticationHandler.SchemeName);

        Assert.Null(platform.FindFirst(CspClaims.Partnership));
        Assert.Null(platform.FindFirst(CspClaims.Client));
        Assert.Equal([Scopes.Platform], platform.FindAll(CspClaims.Scope).Select(c => c.Value));
        Assert.True(Caller.From(new System.Security.Claims.ClaimsPrincipal(
            new System.Security.Claims.ClaimsIdentity(platform.Claims, ApiKeyAuthenticationHandler.SchemeName))).IsPlatform);
        Assert.True(Caller.From(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity())).IsAnonymous);
    }
}
