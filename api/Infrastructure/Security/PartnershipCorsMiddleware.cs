using Csp.Api.Infrastructure.Auth;

namespace Csp.Api.Infrastructure.Security;

/// <summary>
/// CORS only where a partnership has listed its portals' origins: answers preflights for
/// /v1/partnerships/{slug}/… and adds the allow headers to actual responses. Any other origin,
/// and every origin of a partnership that lists none, gets no CORS headers at all.
/// </summary>
public sealed class PartnershipCorsMiddleware(RequestDelegate next)
{
    private const string AllowedHeaders = "X-Api-Key, Content-Type, Accept, If-Match, If-None-Match, Idempotency-Key";
    private const string ExposedHeaders = "ETag, Location, Retry-After";

    public async Task InvokeAsync(HttpContext context, TenantQueries queries)
    {
        var origin = context.Request.Headers.Origin.ToString();
        var slug = origin.Length == 0 ? null : SlugOf(context.Request.Path); // no Origin (most calls): no work, no allocation
        if (slug is null)
        {
            await next(context);
            return;
        }

        var partnership = await queries.FindPartnershipAsync(slug, context.RequestAborted);
        var allowed = partnership is not null
                      && partnership.CorsOrigins.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(origin, StringComparer.Ordinal);
        var headers = context.Response.Headers;
        headers.Vary = "Origin";

        if (HttpMethods.IsOptions(context.Request.Method) && context.Request.Headers.ContainsKey("Access-Control-Request-Method"))
        {
            if (allowed)
            {
                headers.AccessControlAllowOrigin = origin;
                headers.AccessControlAllowMethods = "GET, POST, PUT, DELETE";
                headers.AccessControlAllowHeaders = AllowedHeaders;
                headers.AccessControlMaxAge = "600";
            }
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        if (allowed)
        {
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlExposeHeaders = ExposedHeaders;
        }
        await next(context);
    }

    private static string? SlugOf(PathString path)
    {
        if (!path.StartsWithSegments("/v1/partnerships", out var rest) || !rest.HasValue) return null;
        var value = rest.Value!.TrimStart('/');
        var end = value.IndexOf('/');
        var slug = end < 0 ? value : value[..end];
        return slug.Length is > 0 and <= 63 ? slug : null;
    }
}
