using System.Globalization;
using System.Threading.RateLimiting;
using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Csp.Api.Infrastructure.Security;

/// <summary>
/// Per-client token buckets (the built-in limiter), partitioned by the authenticated principal so a client
/// cannot escape its bucket by inventing keys; callers without a valid key share their IP's smaller
/// bucket, which also slows down key guessing. Every answer under /v1 says how full its bucket is
/// (<see cref="RateLimitHeaders"/>).
/// </summary>
public static class RateLimitingSetup
{
    public static IServiceCollection AddCspRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.Section).ValidateOnStart();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(Partition);
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Problems.Write(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"This client has used its request allowance. Retry after {seconds} s.");
            };
        });
        return services;
    }

    /// <summary>The limiter, with the headers that describe it on every answer it governs (set even when it refuses).</summary>
    public static WebApplication UseCspRateLimiting(this WebApplication app)
    {
        app.UseMiddleware<RateLimitHeaders>();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>The bucket a request draws from, or null when none does (limiting off, or outside /v1).</summary>
    /// <param name="Policy">The policy's name in the RateLimit headers.</param>
    /// <param name="Partition">Whose bucket it is: a client, the platform key, or an address.</param>
    internal sealed record Bucket(string Policy, string Partition, int Burst, int Refill, TimeSpan Period);

    internal static Bucket? BucketOf(HttpContext context, RateLimitingOptions options)
    {
        if (!options.Enabled || !context.Request.Path.StartsWithSegments("/v1")) return null;
        var caller = Caller.From(context.User);
        if (!caller.IsAnonymous)
        {
            var id = caller.IsPlatform ? "platform" : caller.ClientId!.Value.ToString("N");
            return new Bucket("client", "client:" + id, options.ClientBurst, options.ClientRefill, options.RefillPeriod);
        }
        // Behind proxies named in ForwardedHeaders:KnownProxies this is the client's address they forwarded (ForwardedHeadersSetup).
        var ip = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return new Bucket("anonymous", "ip:" + ip, options.AnonymousBurst, options.AnonymousRefill, options.RefillPeriod);
    }

    private static RateLimitPartition<string> Partition(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitingOptions>>().CurrentValue;
        if (BucketOf(context, options) is not { } bucket) return RateLimitPartition.GetNoLimiter("off");
        return RateLimitPartition.GetTokenBucketLimiter(bucket.Partition, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = bucket.Burst,
            TokensPerPeriod = bucket.Refill,
            ReplenishmentPeriod = bucket.Period,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}

/// <summary>
/// <c>RateLimit-Policy</c> and <c>RateLimit</c> (draft-ietf-httpapi-ratelimit-headers) on every answer the limiter governs, so a
/// client can slow down before it is refused. A token bucket is described as a quota of its size (<c>q</c>) over the time an empty
/// bucket takes to fill (<c>w</c>); <c>r</c> is the tokens left, and <c>t</c> the seconds until the bucket is full again, or on a
/// 429 until the next request is allowed (as Retry-After says).
/// </summary>
public sealed class RateLimitHeaders
{
    public const string PolicyHeader = "RateLimit-Policy";
    public const string StateHeader = "RateLimit";

    private readonly RequestDelegate next;
    private readonly IOptionsMonitor<RateLimitingOptions> options;
    private readonly IOptions<RateLimiterOptions> limiter;
    // One callback for every request, with the context as its state: no closure allocated per request.
    private readonly Func<object, Task> setHeaders;

    public RateLimitHeaders(RequestDelegate next, IOptionsMonitor<RateLimitingOptions> options, IOptions<RateLimiterOptions> limiter)
    {
        this.next = next;
        this.options = options;
        this.limiter = limiter;
        setHeaders = SetHeaders;
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (RateLimitingSetup.BucketOf(context, options.CurrentValue) is not null) context.Response.OnStarting(setHeaders, context);
        return next(context);
    }

    private Task SetHeaders(object state)
    {
        var context = (HttpContext)state;
        // Read again: the caller is the same, but the options may have been reloaded since.
        if (RateLimitingSetup.BucketOf(context, options.CurrentValue) is not { } bucket) return Task.CompletedTask;
        var headers = context.Response.Headers;
        var period = Math.Max(1, (long)Math.Ceiling(bucket.Period.TotalSeconds));
        var window = (bucket.Burst + bucket.Refill - 1) / bucket.Refill * period;
        long remaining, reset;
        if (context.Response.StatusCode == StatusCodes.Status429TooManyRequests)
        {
            remaining = 0;
            reset = long.TryParse(headers.RetryAfter, CultureInfo.InvariantCulture, out var retryAfter) ? retryAfter : period;
        }
        else
        {
            remaining = Math.Clamp(limiter.Value.GlobalLimiter?.GetStatistics(context)?.CurrentAvailablePermits ?? bucket.Burst, 0, bucket.Burst);
            reset = (bucket.Burst - remaining + bucket.Refill - 1) / bucket.Refill * period;
        }
        headers[PolicyHeader] = $"\"{bucket.Policy}\";q={bucket.Burst};w={window}";
        headers[StateHeader] = $"\"{bucket.Policy}\";r={remaining};t={reset}";
        return Task.CompletedTask;
    }
}
