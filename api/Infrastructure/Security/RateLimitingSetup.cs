using System.Globalization;
using System.Threading.RateLimiting;
using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Csp.Api.Infrastructure.Security;

/// <summary>
/// Per-client token buckets (the built-in limiter), partitioned by the authenticated principal so a client
/// cannot escape its bucket by inventing keys; callers without a valid key share their IP's smaller
/// bucket, which also slows down key guessing.
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

    private static RateLimitPartition<string> Partition(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitingOptions>>().CurrentValue;
        if (!options.Enabled || !context.Request.Path.StartsWithSegments("/v1")) return RateLimitPartition.GetNoLimiter("off");

        var caller = Caller.From(context.User);
        if (!caller.IsAnonymous)
        {
            var id = caller.IsPlatform ? "platform" : caller.ClientId!.Value.ToString("N");
            return RateLimitPartition.GetTokenBucketLimiter("client:" + id, _ => Bucket(options.ClientBurst, options.ClientRefill, options.RefillPeriod));
        }
        var ip = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetTokenBucketLimiter("ip:" + ip, _ => Bucket(options.AnonymousBurst, options.AnonymousRefill, options.RefillPeriod));
    }

    private static TokenBucketRateLimiterOptions Bucket(int burst, int refill, TimeSpan period) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = refill,
        ReplenishmentPeriod = period,
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
