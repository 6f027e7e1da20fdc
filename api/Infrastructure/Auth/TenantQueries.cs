using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Infrastructure.Auth;

/// <summary>The look-ups that find who is calling and about which partnership (one round trip under /v1/partnerships).</summary>
/// <remarks>These find the tenant, so none is known yet: they run on platform connections (<see cref="Db.OpenPlatformAsync"/>)
/// and each names the key id or slug it wants. Only the change token read on its own is one partnership's.</remarks>
public sealed class TenantQueries(Db db)
{
    public sealed record StoredKey(Guid Id, Guid PartnershipId, Guid? AgencyId, string Scopes, byte[] KeyHash, DateTimeOffset? RevokedAt,
        DateTimeOffset? ExpiresAt);

    public sealed record PartnershipRef(Guid Id, string Slug, string AreaCode, bool PublicRead, string CorsOrigins);

    /// <summary>The caller's key, the route's partnership and its change token, read together.</summary>
    /// <param name="Key">The stored key of the presented key id (null when no key was looked up or it is unknown).</param>
    /// <param name="Partnership">The partnership of the route's slug (null when unknown).</param>
    /// <param name="ChangeToken">The partnership's latest committed audit seq: any write anywhere in the partnership, in any
    /// process sharing the database, raises it. 0 when it has no events (or there is no partnership).</param>
    public sealed record Resolution(StoredKey? Key, PartnershipRef? Partnership, long ChangeToken);

    public async Task<StoredKey?> FindKeyAsync(string keyId, CancellationToken ct)
    {
        await using var c = await db.OpenPlatformAsync(ct);
        return await c.QuerySingleOrDefaultAsync<StoredKey>(new CommandDefinition($"""
            SELECT {KeyColumns} FROM clients k WHERE k.key_id = @keyId
            """, new { keyId }, cancellationToken: ct));
    }

    /// <summary>The key of <paramref name="keyId"/> (when not null), the partnership of <paramref name="slug"/> and its change
    /// token in ONE query: every request under /v1/partnerships needs all three.</summary>
    public async Task<Resolution> ResolveAsync(string? keyId, string slug, CancellationToken ct)
    {
        await using var c = await db.OpenPlatformAsync(ct);
        await using var r = await c.ExecuteReaderAsync(new CommandDefinition(resolveSql, new { keyId, slug }, cancellationToken: ct),
            System.Data.CommandBehavior.SingleRow);
        await r.ReadAsync(ct);
        var key = r.IsDBNull(0)
            ? null
            : new StoredKey(TypeHandlers.ReadGuid(r.GetValue(0)), TypeHandlers.ReadGuid(r.GetValue(1)),
                r.IsDBNull(2) ? null : TypeHandlers.ReadGuid(r.GetValue(2)), r.GetString(3), (byte[])r.GetValue(4),
                r.IsDBNull(5) ? null : TypeHandlers.ReadTimestamp(r.GetValue(5)), r.IsDBNull(6) ? null : TypeHandlers.ReadTimestamp(r.GetValue(6)));
        var partnership = r.IsDBNull(7)
            ? null
            : new PartnershipRef(TypeHandlers.ReadGuid(r.GetValue(7)), r.GetString(8), r.GetString(9), Convert.ToBoolean(r.GetValue(10), System.Globalization.CultureInfo.InvariantCulture),
                r.IsDBNull(11) ? "" : r.GetString(11));
        return new Resolution(key, partnership, r.IsDBNull(12) ? 0 : Convert.ToInt64(r.GetValue(12), System.Globalization.CultureInfo.InvariantCulture));
    }

    private const string KeyColumns = """
        k.id AS Id, k.partnership_id AS PartnershipId, k.agency_id AS AgencyId, k.scopes AS Scopes,
        k.key_hash AS KeyHash, k.revoked_at AS RevokedAt, k.expires_at AS ExpiresAt
        """;

    private readonly string resolveSql = $"""
        SELECT k.id, k.partnership_id, k.agency_id, k.scopes, k.key_hash, k.revoked_at, k.expires_at,
               p.id, p.slug, p.area_code, p.public_read, p.cors_origins,
               (SELECT MAX(a.seq) FROM audit_events a WHERE a.partnership_id = p.id {db.Dialect.CommittedEventsOnly})
        FROM (SELECT 1 AS one) x
        LEFT JOIN clients k ON k.key_id = @keyId
        LEFT JOIN partnerships p ON p.slug = @slug
        """;

    /// <summary>The partnership's change token: the one read with the request's resolution when there is one, else read now.</summary>
    public ValueTask<long> ChangeTokenAsync(HttpContext http, Tenant tenant, CancellationToken ct) =>
        TenantResolver.Resolved(http) is { Partnership: { } p } resolved && p.Id == tenant.PartnershipId
            ? ValueTask.FromResult(resolved.ChangeToken)
            : new ValueTask<long>(ChangeTokenAsync(tenant, ct));

    /// <summary>The partnership's change token (see <see cref="Resolution.ChangeToken"/>) on its own.</summary>
    public async Task<long> ChangeTokenAsync(Tenant tenant, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await c.ExecuteScalarAsync<long?>(new CommandDefinition($"""
            SELECT MAX(a.seq) FROM audit_events a WHERE a.partnership_id = @PartnershipId {db.Dialect.CommittedEventsOnly}
            """, new { tenant.PartnershipId }, cancellationToken: ct)) ?? 0;
    }
}
