using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Csp.Api.Infrastructure.Auth;

/// <summary>
/// Works out who is calling /v1 from the X-Api-Key header, before the rate limiter (which
/// partitions by client) and the tenant check (which decides 401/403/404). Leaves
/// <c>Items[typeof(Caller)]</c> null when there is no valid key.
/// </summary>
public sealed class ApiKeyAuthenticationMiddleware(RequestDelegate next, IOptionsMonitor<AuthOptions> options, TimeProvider clock, KeyUsage usage)
{
    // Compared against when the key id is unknown, so a miss costs the same as a wrong secret.
    private static readonly byte[] DummyHash = RandomNumberGenerator.GetBytes(32);

    public async Task InvokeAsync(HttpContext context, TenantQueries queries)
    {
        if (context.Request.Path.StartsWithSegments("/v1"))
            context.Items[typeof(Caller)] = await AuthenticateAsync(context, queries, context.RequestAborted);
        await next(context);
    }

    private async Task<Caller?> AuthenticateAsync(HttpContext context, TenantQueries queries, CancellationToken ct)
    {
        // Under /v1/partnerships/{slug} the key, the partnership and its change token come in one round trip; the
        // tenant middleware and cached reads use the rest of the answer (TenantQueries.Resolution).
        var slug = context.Request.RouteValues["partnership"] as string;
        string? presented = null;
        if (context.Request.Headers.TryGetValue(ApiKeys.HeaderName, out var values) && values.Count == 1) presented = values[0];
        if (string.IsNullOrEmpty(presented)) presented = null;

        // Hashed once, compared (in constant time) with the platform key's and the stored key's hashes.
        var presentedHash = presented is null ? null : KnownHashes.TryGetValue(presented, out var known) ? known : ApiKeys.Hash(presented);
        var isPlatform = presentedHash is not null && PlatformKeyHash() is { } platformHash && CryptographicOperations.FixedTimeEquals(presentedHash, platformHash);
        var keyId = presented is null || isPlatform ? null : ApiKeys.KeyIdOf(presented);
        TenantQueries.StoredKey? stored;
        if (slug is not null)
        {
            var resolution = await queries.ResolveAsync(keyId, slug, ct);
            context.Items[typeof(TenantQueries.Resolution)] = resolution;
            stored = resolution.Key;
        }
        else
        {
            if (presented is null || isPlatform) stored = null;
            else stored = keyId is null ? null : await queries.FindKeyAsync(keyId, ct);
        }
        if (isPlatform)
        {
            Remember(presented!, presentedHash!);
            return Caller.Platform;
        }
        if (presented is null) return null;
        var matches = CryptographicOperations.FixedTimeEquals(presentedHash!, stored?.KeyHash ?? DummyHash);
        var now = clock.GetUtcNow();
        if (stored is null || !matches || stored.RevokedAt is not null || stored.ExpiresAt <= now) return null;
        Remember(presented, presentedHash!);
        usage.Touch(stored.Id, now);

        return new Caller(stored.Id, stored.PartnershipId, stored.AgencyId, ScopeSet(stored.Scopes), false);
    }

    // The hashes of keys that have authenticated, by the presented key: SHA-256 through OpenSSL was about 5% of a cached
    // read's cost. Only a key that matched (the platform key, or a stored hash of a live key) gets in, so guessing fills
    // nothing; the comparison with the stored hash, read afresh, still runs on every request, so a revocation or expiry
    // takes effect at once. Bounded; the secrets it holds are ones the process receives on every request anyway.
    private const int MaxKnownHashes = 1024;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> KnownHashes = new(StringComparer.Ordinal);

    private static void Remember(string presented, byte[] hash)
    {
        if (KnownHashes.Count < MaxKnownHashes) KnownHashes.TryAdd(presented, hash);
    }

    // Hashed once per configured value, not per request.
    private (string? Key, byte[]? Hash) platform;

    private byte[]? PlatformKeyHash()
    {
        var key = options.CurrentValue.PlatformKey;
        if (string.IsNullOrEmpty(key)) return null;
        var cached = platform;
        if (cached.Key == key) return cached.Hash;
        var hash = ApiKeys.Hash(key);
        platform = (key, hash);
        return hash;
    }

    // A client's scopes string has few distinct values; parse each once.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlySet<string>> ScopeSets = new(StringComparer.Ordinal);

    private static IReadOnlySet<string> ScopeSet(string scopes) =>
        ScopeSets.Count < 1024
            ? ScopeSets.GetOrAdd(scopes, s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal))
            : scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
}
