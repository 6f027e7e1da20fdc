using static Csp.Api.Infrastructure.Auth.TenantQueries;

namespace Csp.Api.Infrastructure.Auth;

/// <summary>
/// Finds the caller's stored key and the route's partnership for a request: under /v1/partnerships/{slug} both come from one
/// <see cref="TenantQueries.ResolveAsync"/>, made once per request and shared by CORS, authentication, authorization and the
/// cached reads (its change token).
/// </summary>
public sealed class TenantResolver(TenantQueries queries)
{
    private sealed record RequestResolution(string? KeyId, string Slug, Resolution Resolution);

    private const string ItemKey = "csp.resolution";

    /// <summary>The resolution this request has made, if any.</summary>
    public static Resolution? Resolved(HttpContext http) => (http.Items[ItemKey] as RequestResolution)?.Resolution;

    /// <summary>The stored key of <paramref name="keyId"/> (null when unknown), read with the route's partnership when there is
    /// one.</summary>
    public async ValueTask<StoredKey?> FindKeyAsync(HttpContext http, string keyId) =>
        http.Request.RouteValues["partnership"] is string slug
            ? (await ResolveAsync(http, keyId, slug)).Key
            : await queries.FindKeyAsync(keyId, http.RequestAborted);

    /// <summary>The partnership of <paramref name="slug"/> (null when unknown), from the request's resolution when it has one.</summary>
    public async ValueTask<PartnershipRef?> PartnershipAsync(HttpContext http, string slug) =>
        http.Items[ItemKey] is RequestResolution resolved && resolved.Slug == slug
            ? resolved.Resolution.Partnership
            : (await ResolveAsync(http, null, slug)).Partnership;

    private async ValueTask<Resolution> ResolveAsync(HttpContext http, string? keyId, string slug)
    {
        if (http.Items[ItemKey] is RequestResolution resolved && resolved.Slug == slug && resolved.KeyId == keyId) return resolved.Resolution;
        var resolution = await queries.ResolveAsync(keyId, slug, http.RequestAborted);
        http.Items[ItemKey] = new RequestResolution(keyId, slug, resolution);
        return resolution;
    }
}
