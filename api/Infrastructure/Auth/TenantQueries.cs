using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Infrastructure.Auth;

/// <summary>The look-ups every request makes: the caller's key and the partnership slug (one round trip under /v1/partnerships).</summary>
public sealed class TenantQueries(Db db) : IAsyncDisposable
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

    /// <summary>What the request-resolving middleware needs, read in one round trip.</summary>
    /// <param name="Key">The stored key of the presented key id (null when no key was looked up or it is unknown).</param>
    /// <param name="Partnership">The partnership of the route's slug (null when unknown).</param>
    /// <param name="ChangeToken">The partnership's latest committed audit seq: any write anywhere in the partnership, in any
    /// process sharing the database, raises it. 0 when it has no events (or there is no partnership).</param>
    public sealed record Resolution(StoredKey? Key, PartnershipRef? Partnership, long ChangeToken);

    /// <summary>
    /// The caller's key, the route's partnership and its change token in ONE query: on a small machine each round trip is a
    /// large part of a cached read's cost. The key is still read from the database on every request, so a revocation takes
    /// effect at once, in every process.
    /// </summary>
    /// <remarks>
    /// Every /v1/partnerships request runs this, so it runs as a prepared statement on a few connections kept open for it:
    /// no pool hand-out, no per-open PRAGMA, no re-parse of the SQL. Each execution is its own read (no transaction is held
    /// open between requests), so it sees every commit.
    /// </remarks>
    public async Task<Resolution> ResolveAsync(string? keyId, string slug, CancellationToken ct)
    {
        var prepared = idle.TryTake(out var kept) ? kept : await PrepareAsync(ct);
        try
        {
            prepared.KeyId.Value = (object?)keyId ?? DBNull.Value;
            prepared.Slug.Value = slug;
            Resolution resolution;
            await using (var r = await prepared.Command.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, ct))
            {
                await r.ReadAsync(ct);
                var key = r.IsDBNull(0)
                    ? null
                    : new StoredKey(TypeHandlers.ReadGuid(r.GetValue(0)), TypeHandlers.ReadGuid(r.GetValue(1)),
                        r.IsDBNull(2) ? null : TypeHandlers.ReadGuid(r.GetValue(2)), r.GetString(3), (byte[])r.GetValue(4),
                        r.IsDBNull(5) ? null : TypeHandlers.ReadTimestamp(r.GetValue(5)), r.IsDBNull(6) ? null : TypeHandlers.ReadTimestamp(r.GetValue(6)));
                var partnership = r.IsDBNull(7)
                    ? null
                    : new PartnershipRef(TypeHandlers.ReadGuid(r.GetValue(7)), r.GetString(8), r.GetString(9), Convert.ToBoolean(r.GetValue(10)),
                        r.IsDBNull(11) ? "" : r.GetString(11));
                resolution = new Resolution(key, partnership, r.IsDBNull(12) ? 0 : Convert.ToInt64(r.GetValue(12)));
            }
            if (idle.Count < MaxKept && !disposed) idle.Add(prepared);
            else await prepared.DisposeAsync();
            return resolution;
        }
        catch
        {
            await prepared.DisposeAsync(); // a connection that failed mid-query is not trusted again
            throw;
        }
    }

    // Enough for every request in flight on a busy small machine; beyond it, connections are closed after use.
    private const int MaxKept = 64;

    private readonly System.Collections.Concurrent.ConcurrentBag<Prepared> idle = [];

    private volatile bool disposed;

    private sealed record Prepared(System.Data.Common.DbConnection Connection, System.Data.Common.DbCommand Command,
        System.Data.Common.DbParameter KeyId, System.Data.Common.DbParameter Slug) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Command.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }

    private async Task<Prepared> PrepareAsync(CancellationToken ct)
    {
        var c = await db.OpenAsync(ct);
        try
        {
            var command = c.CreateCommand();
            command.CommandText = $"""
                SELECT k.id, k.partnership_id, k.agency_id, k.scopes, k.key_hash, k.revoked_at, k.expires_at,
                       p.id, p.slug, p.area_code, p.public_read, p.cors_origins,
                       (SELECT MAX(a.seq) FROM audit_events a WHERE a.partnership_id = p.id {db.Dialect.CommittedEventsOnly})
                FROM (SELECT 1 AS one) x
                LEFT JOIN clients k ON k.key_id = @keyId
                LEFT JOIN partnerships p ON p.slug = @slug
                """;
            var keyId = command.CreateParameter();
            keyId.ParameterName = "@keyId";
            keyId.DbType = System.Data.DbType.String;
            keyId.Size = 200;
            keyId.Value = DBNull.Value;
            var slug = command.CreateParameter();
            slug.ParameterName = "@slug";
            slug.DbType = System.Data.DbType.String;
            slug.Size = 200;
            slug.Value = "";
            command.Parameters.Add(keyId);
            command.Parameters.Add(slug);
            await command.PrepareAsync(ct);
            return new Prepared(c, command, keyId, slug);
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        disposed = true;
        while (idle.TryTake(out var prepared)) await prepared.DisposeAsync();
    }

    /// <summary>The partnership's change token: the one read with the request's key when there is one, else read now.</summary>
    public ValueTask<long> ChangeTokenAsync(HttpContext http, Tenant tenant, CancellationToken ct) =>
        http.Items[typeof(Resolution)] is Resolution { Partnership: { } p } resolved && p.Id == tenant.PartnershipId
            ? ValueTask.FromResult(resolved.ChangeToken)
            : new ValueTask<long>(ChangeTokenAsync(tenant.PartnershipId, ct));

    /// <summary>The partnership's change token (see <see cref="Resolution.ChangeToken"/>) on its own.</summary>
    public async Task<long> ChangeTokenAsync(Guid partnershipId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long?>(new CommandDefinition($"""
            SELECT MAX(a.seq) FROM audit_events a WHERE a.partnership_id = @partnershipId {db.Dialect.CommittedEventsOnly}
            """, new { partnershipId }, cancellationToken: ct)) ?? 0;
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
