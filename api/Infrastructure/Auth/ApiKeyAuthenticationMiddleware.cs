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
        if (!context.Request.Headers.TryGetValue(ApiKeys.HeaderName, out var values) || values.Count != 1) return null;
        var presented = values[0];
        if (string.IsNullOrEmpty(presented)) return null;

        var platformKey = options.CurrentValue.PlatformKey;
        if (!string.IsNullOrEmpty(platformKey) && ApiKeys.Matches(presented, ApiKeys.Hash(platformKey)))
            return Caller.Platform;

        var keyId = ApiKeys.KeyIdOf(presented);
        var stored = keyId is null ? null : await queries.FindKeyAsync(keyId, ct);
        var matches = ApiKeys.Matches(presented, stored?.KeyHash ?? DummyHash);
        if (stored is null || !matches || stored.RevokedAt is not null || stored.ExpiresAt <= clock.GetUtcNow()) return null;
        usage.Touch(stored.Id, clock.GetUtcNow());

        return new Caller(stored.Id, stored.PartnershipId, stored.AgencyId,
            stored.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal), false);
    }
}
