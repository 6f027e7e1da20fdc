using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Csp.Api.Infrastructure.Security;

/// <summary>
/// CORS only where a partnership has listed its portals' origins (<c>cors_origins</c>): a request to
/// /v1/partnerships/{slug}/… that carries an Origin gets that partnership's policy, so a preflight is answered (204) and an
/// actual response carries the allow headers when the origin is listed. Any other origin, and every origin of a partnership
/// that lists none, gets no CORS headers at all; other paths have no policy.
/// </summary>
public sealed class PartnershipCorsPolicyProvider(TenantResolver resolver) : ICorsPolicyProvider
{
    private static readonly string[] AllowedHeaders = [ApiKeys.HeaderName, "Content-Type", "Accept", "If-Match", "If-None-Match", "Idempotency-Key"];
    // What a portal's script reads besides the body: versions, new resources, when to retry or slow down, the next CSV page and
    // its file name, a deprecation, and whether a POST's answer is a replay (and of what).
    private static readonly string[] ExposedHeaders =
    [
        "ETag", "Location", "Retry-After", RateLimitHeaders.PolicyHeader, RateLimitHeaders.StateHeader, "Link", "Content-Disposition",
        Deprecation.DeprecationHeader, Deprecation.SunsetHeader, Idempotency.IdempotencyFilter.ReplayedHeader, Idempotency.IdempotencyFilter.SummaryHeader,
    ];
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE"];
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(600);

    public async Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        // From the path, not the route: a preflight matches no endpoint, so it has no route values.
        if (SlugOf(context.Request.Path) is not { } slug) return null;
        var partnership = await resolver.PartnershipAsync(context, slug);
        return new CorsPolicyBuilder()
            .WithOrigins(partnership?.CorsOrigins.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [])
            .WithMethods(Methods)
            .WithHeaders(AllowedHeaders)
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(MaxAge)
            .Build();
    }

    private static string? SlugOf(PathString path)
    {
        if (!path.StartsWithSegments("/v1/partnerships", out var rest) || !rest.HasValue) return null;
        var value = rest.Value!.TrimStart('/');
        var end = value.IndexOf('/', StringComparison.Ordinal);
        var slug = end < 0 ? value : value[..end];
        return slug.Length is > 0 and <= 63 ? slug : null;
    }
}

/// <summary>
/// The framework's CORS service, except that every answer to a request with a partnership's policy says <c>Vary: Origin</c>
/// once, whether or not the origin is allowed: the answer depends on the Origin either way, and a shared cache must not hand
/// one origin's answer to another.
/// </summary>
public sealed class VaryByOriginCorsService(IOptions<CorsOptions> options, ILoggerFactory loggerFactory) : CorsService(options, loggerFactory)
{
    public override void ApplyResult(CorsResult result, HttpResponse response)
    {
        result.VaryByOrigin = false;
        base.ApplyResult(result, response);
        var vary = response.Headers.Vary;
        if (!vary.Any(v => v is not null && v.Split(',').Any(h => h.Trim().Equals(HeaderNames.Origin, StringComparison.OrdinalIgnoreCase))))
            response.Headers.Append(HeaderNames.Vary, HeaderNames.Origin);
    }
}

public static class PartnershipCorsSetup
{
    public static IServiceCollection AddPartnershipCors(this IServiceCollection services)
    {
        services.AddSingleton<ICorsPolicyProvider, PartnershipCorsPolicyProvider>();
        services.AddSingleton<ICorsService, VaryByOriginCorsService>();
        return services.AddCors(); // adds only what is not registered above
    }
}
