using System.Net;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Security;

/// <summary>Buckets of 3 that never refill during the test, so the 4th call is deterministically refused.</summary>
public sealed class RateLimitedFactory : CspApiFactory
{
    protected override IEnumerable<(string Key, string Value)> Settings =>
    [
        ("RateLimiting:Enabled", "true"),
        ("RateLimiting:ClientBurst", "3"),
        ("RateLimiting:ClientRefill", "1"),
        ("RateLimiting:AnonymousBurst", "3"),
        ("RateLimiting:AnonymousRefill", "1"),
        ("RateLimiting:RefillPeriod", "01:00:00"),
    ];
}

public sealed class RateLimitTests(RateLimitedFactory factory) : IClassFixture<RateLimitedFactory>
{
    [Fact]
    public async Task A_client_over_its_bucket_gets_429_with_retry_after_and_other_clients_are_unaffected()
    {
        // Creating the tenant uses the platform key's own bucket (3 calls: partnership, client).
        var t = await TestTenant.CreateAsync(factory);
        var (reader, _, _) = await t.KeyAsync(["read"]);
        // Each answer says what is left: a bucket of 3 that regains 1 an hour is full again 1, 2, 3 hours after 1, 2, 3 calls.
        for (var i = 1; i <= 3; i++)
        {
            var allowed = await reader.GetAsync(t.Path());
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Equal("\"client\";q=3;w=10800", Header(allowed, "RateLimit-Policy"));
            Assert.Equal($"\"client\";r={3 - i};t={3600 * i}", Header(allowed, "RateLimit"));
        }

        var refused = await reader.GetAsync(t.Path());
        var problem = await TestTenant.ExpectProblem(refused, HttpStatusCode.TooManyRequests);
        Assert.Contains("Retry after", problem.Str("detail"));
        Assert.Equal(TimeSpan.FromHours(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("\"client\";q=3;w=10800", Header(refused, "RateLimit-Policy"));
        Assert.Equal("\"client\";r=0;t=3600", Header(refused, "RateLimit"));

        // The admin key has its own bucket (it was used once, for KeyAsync).
        Assert.Equal(HttpStatusCode.OK, (await t.Admin.GetAsync(t.Path())).StatusCode);
    }

    [Fact]
    public async Task Callers_without_a_valid_key_share_a_small_bucket_per_address_so_guessing_keys_is_throttled()
    {
        var guesser = factory.ClientWithKey("csp_guess_not-a-real-key");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++) statuses.Add((await guesser.GetAsync("/v1/partnerships/any")).StatusCode);

        Assert.Contains(HttpStatusCode.Unauthorized, statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;
}
