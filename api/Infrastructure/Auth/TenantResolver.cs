using Csp.Api.Infrastructure.Data;
using static Csp.Api.Infrastructure.Auth.TenantQueries;

namespace Csp.Api.Infrastructure.Auth;

/// <summary>
/// Finds the caller's stored key and the route's partnership for a request: under /v1/partnerships/{slug} both come from one
/// <see cref="TenantQueries.ResolveAsync"/>, made once per request and shared by authentication, authorization, CORS and the
/// cached reads (its change token).
/// </summary>
/// <remarks>
/// A resolution is also remembered across requests while <see cref="IChangeWatch"/> says nothing has been committed since it
/// was read: a revocation, an expiry, any write, in any process, even outside the API, is a commit, so a remembered key or
/// partnership is never staler than a fresh read would be. Only a known partnership with a key of its own (or no key) is
/// remembered, so guessed keys and slugs fill nothing.
/// </remarks>
public sealed class TenantResolver(TenantQueries queries, IChangeWatch changes)
{
    private sealed record RequestResolution(string? KeyId, string Slug, Resolution Resolution);

    private sealed record Remembered(Resolution Resolution, ChangeStamp Stamp);

    private const string ItemKey = "csp.resolution";

    private const int MaxRemembered = 4096;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string? KeyId, string Slug), Remembered> remembered = new();

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
        var resolution = await RememberedOrReadAsync(keyId, slug, http.RequestAborted);
        http.Items[ItemKey] = new RequestResolution(keyId, slug, resolution);
        return resolution;
    }

    private async ValueTask<Resolution> RememberedOrReadAsync(string? keyId, string slug, CancellationToken ct)
    {
        // Taken BEFORE the read: a commit the read may have missed changes the stamp after this.
        var stamp = changes.Now();
        if (stamp is { } now && remembered.TryGetValue((keyId, slug), out var seen) && seen.Stamp == now) return seen.Resolution;
        var resolution = await queries.ResolveAsync(keyId, slug, ct);
        if (stamp is { } before && resolution.Partnership is { } p && (keyId is null || resolution.Key?.PartnershipId == p.Id))
        {
            if (remembered.Count >= MaxRemembered) remembered.Clear();
            remembered[(keyId, slug)] = new Remembered(resolution, before);
        }
        return resolution;
    }
}
