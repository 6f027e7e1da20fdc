using System.Net;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Csp.Api.Tests.Security;

/// <summary>Behind one known proxy (10.0.0.5), with anonymous buckets of 2 that do not refill during the test.</summary>
public sealed class ProxiedFactory : CspApiFactory
{
    public const string Proxy = "10.0.0.5";

    protected override IEnumerable<(string Key, string Value)> Settings =>
    [
        ("RateLimiting:Enabled", "true"),
        ("RateLimiting:AnonymousBurst", "2"),
        ("RateLimiting:AnonymousRefill", "1"),
        ("RateLimiting:RefillPeriod", "01:00:00"),
        ("ForwardedHeaders:KnownProxies:0", Proxy),
    ];
}

/// <summary>
/// Requests arrive at the server as a local proxy sends them: from the proxy's address, naming the client in X-Forwarded-For.
/// The anonymous limiter counts per client behind a known proxy, and a header sent from anywhere else changes nothing.
/// </summary>
public sealed class ForwardedHeadersTests(ProxiedFactory factory) : IClassFixture<ProxiedFactory>
{
    private Task<HttpContext> SendAsync(string from, string? forwardedFor, string? forwardedProto = null) =>
        factory.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = "/v1/partnerships/nobody";
            c.Connection.RemoteIpAddress = IPAddress.Parse(from);
            if (forwardedFor is not null) c.Request.Headers["X-Forwarded-For"] = forwardedFor;
            if (forwardedProto is not null) c.Request.Headers["X-Forwarded-Proto"] = forwardedProto;
        });

    [Fact]
    public async Task Behind_a_known_proxy_each_forwarded_client_has_its_own_anonymous_bucket()
    {
        var first = await SendAsync(ProxiedFactory.Proxy, "203.0.113.7", "https");
        Assert.Equal(IPAddress.Parse("203.0.113.7"), first.Connection.RemoteIpAddress);
        Assert.Equal("https", first.Request.Scheme);
        Assert.Equal(StatusCodes.Status401Unauthorized, first.Response.StatusCode);
        Assert.Equal(StatusCodes.Status401Unauthorized, (await SendAsync(ProxiedFactory.Proxy, "203.0.113.7")).Response.StatusCode);
        var third = await SendAsync(ProxiedFactory.Proxy, "203.0.113.7");
        Assert.Equal(StatusCodes.Status429TooManyRequests, third.Response.StatusCode);
        Assert.True(third.Response.Headers.RetryAfter.Count == 1, "a 429 says when to retry");

        // Another client behind the same proxy still has its whole bucket.
        var other = await SendAsync(ProxiedFactory.Proxy, "203.0.113.8");
        Assert.Equal(StatusCodes.Status401Unauthorized, other.Response.StatusCode);
        Assert.Equal("\"anonymous\";r=1;t=3600", other.Response.Headers["RateLimit"].ToString());
    }

    [Fact]
    public async Task From_an_unknown_address_X_Forwarded_For_is_ignored_so_a_caller_cannot_pick_its_bucket()
    {
        var statuses = new List<int>();
        foreach (var claimed in new[] { "198.51.100.1", "198.51.100.2", "198.51.100.3" })
        {
            var context = await SendAsync("10.0.0.9", claimed, "https");
            Assert.Equal(IPAddress.Parse("10.0.0.9"), context.Connection.RemoteIpAddress);
            Assert.Equal("http", context.Request.Scheme);
            statuses.Add(context.Response.StatusCode);
        }

        Assert.Equal([401, 401, 429], statuses);
    }
}
