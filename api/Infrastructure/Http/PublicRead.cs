using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Infrastructure;

/// <summary>
/// Reads that anyone may make without a key when the partnership opts into public read, and the caching they allow:
/// an anonymous (public) answer is the same for everyone, so shared caches may keep it for a minute; a keyed answer
/// is for that client only and must be revalidated (cheap: If-None-Match → 304).
/// </summary>
public static class PublicRead
{
    public const string PublicCacheControl = "public, max-age=60";
    public const string PrivateCacheControl = "private, no-cache";

    private const string VaryOnCaller = "Origin, " + ApiKeys.HeaderName;
    private const string VaryOnCallerAndCoding = VaryOnCaller + ", Accept-Encoding";

    /// <summary>Marks the endpoint <see cref="PublicReadAllowed"/> and sets Cache-Control on its 200 and 304 answers.</summary>
    public static RouteHandlerBuilder AllowPublicRead(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new PublicReadAllowed()).AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            var inner = result is INestedHttpResult nested ? nested.Result : result;
            if (inner is IStatusCodeHttpResult { StatusCode: null or StatusCodes.Status200OK or StatusCodes.Status304NotModified })
                SetCacheControl(context.HttpContext);
            return result;
        });

    /// <summary>Whether the request's endpoint is a public read (<see cref="PublicReadAllowed"/>).</summary>
    public static bool IsAllowed(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<PublicReadAllowed>() is not null;

    /// <param name="http">The request being answered.</param>
    /// <param name="byContentCoding">Whether the answer's content coding follows Accept-Encoding (br, gzip or identity).</param>
    public static void SetCacheControl(HttpContext http, bool byContentCoding = false)
    {
        var anonymous = http.Items[Tenant.ItemKey] is Tenant { Caller.IsAnonymous: true };
        http.Response.Headers.CacheControl = anonymous ? PublicCacheControl : PrivateCacheControl;
        // The same URL answers differently with and without a key (drafts, 401), in another coding for another
        // Accept-Encoding, and in another media type for another Accept: caches must key on them.
        var vary = byContentCoding ? VaryOnCallerAndCoding : VaryOnCaller;
        http.Response.Headers.Vary = Negotiate.IsNegotiated(http) ? vary + ", Accept" : vary;
    }

    /// <summary>Adds <c>Origin</c> and <c>X-Api-Key</c> to the response's Vary, keeping what it already names.</summary>
    public static void AddVaryOnCaller(HttpResponse response)
    {
        var named = response.Headers.Vary.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        foreach (var header in (string[])["Origin", ApiKeys.HeaderName])
            if (!named.Contains(header, StringComparer.OrdinalIgnoreCase)) named.Add(header);
        response.Headers.Vary = string.Join(", ", named);
    }
}
