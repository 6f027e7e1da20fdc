using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Infrastructure.Auth;

/// <summary>The two look-ups every request makes: the caller's key and the partnership slug.</summary>
public sealed class TenantQueries(Db db)
{
    public sealed record StoredKey(Guid Id, Guid PartnershipId, Guid? AgencyId, string Scopes, byte[] KeyHash, DateTimeOffset? RevokedAt,
        DateTimeOffset? ExpiresAt);

    public sealed record PartnershipRef(Guid Id, string Slug, string AreaCode, bool PublicRead, string CorsOrigins);

    public async Task<StoredKey?> FindKeyAsync(string keyId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<StoredKey>(new CommandDefinition("""
            SELECT id AS Id, partnership_id AS PartnershipId, agency_id AS AgencyId, scopes AS Scopes,
                   key_hash AS KeyHash, revoked_at AS RevokedAt, expires_at AS ExpiresAt
            FROM clients WHERE key_id = @keyId
            """, new { keyId }, cancellationToken: ct));
    }

    public async Task<PartnershipRef?> FindPartnershipAsync(string slug, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<PartnershipRef>(new CommandDefinition("""
            SELECT id AS Id, slug AS Slug, area_code AS AreaCode, public_read AS PublicRead, cors_origins AS CorsOrigins
            FROM partnerships WHERE slug = @slug
            """, new { slug }, cancellationToken: ct));
    }
}
