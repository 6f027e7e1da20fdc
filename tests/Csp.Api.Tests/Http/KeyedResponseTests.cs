using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Security;

namespace Csp.Api.Tests.Http;

/// <summary>Rate limiting on, with buckets no test empties, so every answer says what is left of one.</summary>
public sealed class MeteredFactory : CspApiFactory
{
    protected override IEnumerable<(string Key, string Value)> Settings =>
    [
        ("RateLimiting:Enabled", "true"),
        ("RateLimiting:ClientBurst", "100000"),
        ("RateLimiting:ClientRefill", "1000"),
        ("RateLimiting:AnonymousBurst", "100000"),
        ("RateLimiting:AnonymousRefill", "1000"),
    ];
}

/// <summary>
/// Every answer under /v1, of every route, for a key and for no key: it says how it may be cached (no-store, or private and
/// revalidated for a read with an ETag or a public read, varying on the key) and what is left of the caller's rate limit.
/// </summary>
public sealed partial class KeyedResponseTests(MeteredFactory factory) : IClassFixture<MeteredFactory>
{
    [Fact]
    public async Task Every_answer_under_v1_says_how_it_may_be_cached_and_what_is_left_of_the_rate_limit()
    {
        var routes = MatrixKit.Routes(factory);
        var world = await MatrixKit.PopulateAsync(factory, "keyed", routes);
        var callers = new[] { ("client", world.Tenant.Admin), ("anonymous", factory.ClientWithKey(null)) };
        var failures = new List<string>();
        var n = 0;
        // Reads first, while everything they name exists (they answer 200 with ETags), then the writes.
        var tenantRoutes = routes.Where(r => r.IsTenant && MatrixKit.TenantRoutes.ContainsKey(r.Key))
            .OrderBy(r => r.Method == "GET" ? 0 : 1).ToList();
        Assert.NotEmpty(tenantRoutes);
        var revalidated = 0;
        foreach (var route in tenantRoutes)
            foreach (var (policy, client) in callers)
            {
                using var response = await client.SendAsync(MatrixKit.Request(new HttpMethod(route.Method), route.Path(world.Values),
                    MatrixKit.TenantRoutes[route.Key](world, ++n)));
                if (Check(response, policy) is { } why) failures.Add($"{policy}: {route.Method} {route.Key} answered {(int)response.StatusCode}: {why}");
                if (Header(response, "Cache-Control") == "private, no-cache") revalidated++;
            }
        var platform = factory.ClientWithKey(CspApiFactory.PlatformKey);
        foreach (var response in new[]
                 {
                     await platform.GetAsync("/v1/partnerships"),
                     await platform.PostAsJsonAsync("/v1/partnerships", new { slug = $"k-{Guid.NewGuid():N}"[..20], name = "Keyed", areaCode = "E09000028", publicRead = false }),
                 })
            if (Check(response, "client") is { } why) failures.Add($"platform: {response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: {why}");

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(revalidated > 5, $"only {revalidated} reads with an ETag");
    }

    [Fact]
    public async Task A_read_with_an_ETag_may_be_kept_privately_and_revalidated_and_anything_else_is_not_stored()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());

        var read = await t.Admin.GetAsync(t.Path($"/priorities/{priority.Id()}"));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("private, no-cache", Header(read, "Cache-Control"));
        Assert.Equal("Origin, X-Api-Key", Header(read, "Vary"));

        using var again = new HttpRequestMessage(HttpMethod.Get, t.Path($"/priorities/{priority.Id()}"));
        again.Headers.TryAddWithoutValidation("If-None-Match", read.Headers.ETag!.ToString());
        var notModified = await t.Admin.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal("private, no-cache", Header(notModified, "Cache-Control"));

        Assert.Equal("no-store", Header(await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}/priorities")), "Cache-Control"));
        Assert.Equal("no-store", Header(await t.Admin.GetAsync(t.Path($"/priorities/{Guid.NewGuid()}")), "Cache-Control"));
        Assert.Equal("no-store", Header(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"), new { code = "P2", title = "Second" }),
            "Cache-Control"));
        Assert.Equal("no-store", Header(await factory.ClientWithKey(null).GetAsync(t.Path($"/plans/{plan.Id()}/priorities")), "Cache-Control"));
    }

    /// <summary>Null when the answer carries the caching and rate-limit headers it should; otherwise what is wrong.</summary>
    private static string? Check(HttpResponseMessage response, string policy)
    {
        var cache = Header(response, "Cache-Control");
        var vary = Header(response, "Vary") ?? "";
        // A read the client's own cache may keep: one with an ETag, or a public read (PublicRead), which says so for a key too.
        var read = response.RequestMessage!.Method == HttpMethod.Get && response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotModified;
        var cacheOk = cache switch
        {
            "no-store" => true,
            "private, no-cache" => read && vary.Contains("X-Api-Key", StringComparison.Ordinal),
            _ => false,
        };
        if (!cacheOk) return $"Cache-Control: {cache ?? "(none)"}, Vary: {vary}, ETag: {response.Headers.ETag}";
        var limit = Header(response, "RateLimit-Policy");
        var state = Header(response, "RateLimit");
        if (limit is null || !PolicyField().IsMatch(limit) || !limit.StartsWith($"\"{policy}\";", StringComparison.Ordinal))
            return $"RateLimit-Policy: {limit ?? "(none)"}";
        if (state is null || !StateField().IsMatch(state) || !state.StartsWith($"\"{policy}\";", StringComparison.Ordinal))
            return $"RateLimit: {state ?? "(none)"}";
        return null;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    [GeneratedRegex("""^"[a-z]+";q=\d+;w=\d+$""")]
    private static partial Regex PolicyField();

    [GeneratedRegex("""^"[a-z]+";r=\d+;t=\d+$""")]
    private static partial Regex StateField();
}
