using Csp.Api.Infrastructure.Security;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure.OpenApi;

/// <summary>Response headers that many operations send, described once under <c>components/headers</c> and referred to.</summary>
internal static class SharedHeaders
{
    public const string CacheControl = "Cache-Control";

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        [RateLimitHeaders.PolicyHeader] =
            "The caller's rate limit (draft-ietf-httpapi-ratelimit-headers): a bucket of `q` requests that an empty bucket regains in " +
            "`w` seconds, e.g. `\"client\";q=200;w=2` for a key, or `\"anonymous\";q=60;w=6` for the address of a caller without a valid " +
            "key. Absent when rate limiting is off.",
        [RateLimitHeaders.StateHeader] =
            "What is left of the bucket after this request: `r` requests, full again in `t` seconds, e.g. `\"client\";r=150;t=1`. On a " +
            "429, `r=0` and `t` is the Retry-After.",
        [CacheControl] =
            "`no-store`: an answer for a key is that client's data alone. A read with an ETag, or a public read, says `private, " +
            "no-cache` for a key (your own cache may keep it and revalidate with If-None-Match) and `public, max-age=60` without one.",
    };

    private static readonly Lock ComponentsLock = new();

    /// <summary>Adds a reference to the shared header <paramref name="name"/> to <paramref name="headers"/>, publishing it once.</summary>
    public static void Add(IDictionary<string, IOpenApiHeader> headers, OpenApiDocument document, string name)
    {
        lock (ComponentsLock)
        {
            document.Components ??= new OpenApiComponents();
            document.Components.Headers ??= new Dictionary<string, IOpenApiHeader>();
            if (!document.Components.Headers.ContainsKey(name))
            {
                document.Components.Headers[name] = new OpenApiHeader
                {
                    Description = Descriptions[name],
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
                document.Components.Headers = document.Components.Headers.OrderBy(h => h.Key, StringComparer.Ordinal).ToDictionary();
            }
        }
        headers.TryAdd(name, new OpenApiHeaderReference(name, document));
    }
}
