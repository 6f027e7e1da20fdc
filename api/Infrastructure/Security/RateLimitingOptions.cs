namespace Csp.Api.Infrastructure.Security;

/// <summary>The <c>RateLimiting</c> section: token buckets per client key and per IP.</summary>
public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    /// <summary>Off for load benchmarks (<c>RateLimiting__Enabled=false</c>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests a client key may burst (its bucket size).</summary>
    public int ClientBurst { get; set; } = 200;

    /// <summary>Tokens a client's bucket regains every <see cref="RefillPeriod"/>.</summary>
    public int ClientRefill { get; set; } = 100;

    /// <summary>Requests an IP may burst without a (valid) key: public reads and failed key guesses.</summary>
    public int AnonymousBurst { get; set; } = 60;

    /// <summary>Tokens an IP's bucket regains every <see cref="RefillPeriod"/>.</summary>
    public int AnonymousRefill { get; set; } = 10;

    public TimeSpan RefillPeriod { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>The <c>Limits</c> section: request bodies, strings and pages.</summary>
public sealed class RequestLimitOptions
{
    public const string Section = "Limits";

    /// <summary>Largest request body in bytes, except where an endpoint declares its own.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}
