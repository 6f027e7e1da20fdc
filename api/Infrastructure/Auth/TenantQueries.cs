using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Infrastructure.Auth;

/// <summary>The look-ups every request makes: the caller's key and the partnership slug (one round trip under /v1/partnerships).</summary>
/// <remarks>These find the tenant, so none is known yet: they run on platform connections (<see cref="Db.OpenPlatformAsync"/>)
/// and each names the key id or slug it wants. Only the change token read on its own is one partnership's.</remarks>
public sealed class TenantQueries(Db db) : IAsyncDisposable
{
    public sealed record StoredKey(Guid Id, Guid PartnershipId, Guid? AgencyId, string Scopes, byte[] KeyHash, DateTimeOffset? RevokedAt,
        DateTimeOffset? ExpiresAt);

    public sealed record PartnershipRef(Guid Id, string Slug, string AreaCode, bool PublicRead, string CorsOrigins);

    public async Task<StoredKey?> FindKeyAsync(string keyId, CancellationToken ct)
    {
        await using var c = await db.OpenPlatformAsync(ct);
        return await c.QuerySingleOrDefaultAsync<StoredKey>(new CommandDefinition("""
            SELECT id AS Id, partnership_id AS PartnershipId, agency_id AS AgencyId, scopes AS Scopes,
                   key_hash AS KeyHash, revoked_at AS RevokedAt, expires_at AS ExpiresAt
            FROM clients WHERE key_id = @keyId
            """, new { keyId }, cancellationToken: ct));
    }

    /// <summary>What authentication and the partnership check need, read in one round trip (<see cref="TenantResolver"/>).</summary>
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
        // SQLite: a remembered resolution is still right when nothing was committed since it was read, which the WAL-index
        // header says without a system call; when it cannot (a commit in progress, not WAL), PRAGMA data_version does.
        var now = wal?.Read();
        if (known.TryGetValue((keyId, slug), out var seen)
            && (now is { } header ? seen.Wal == header : sqlite && await RevalidateAsync(seen, ct) is not null))
            return seen.Resolution;
        // Both stamps are read BEFORE the query: a commit the query does not see moves them after this (see RevalidateAsync).
        var stamp = Volatile.Read(ref epoch);
        var resolution = await ReadAsync(keyId, slug, ct);
        Remember(keyId, slug, resolution, stamp, now);
        return resolution;
    }

    private readonly bool sqlite = db.Dialect.Provider == DatabaseProvider.Sqlite;

    /// <summary>SQLite's WAL-index header, read lock-free (null for SQL Server or an in-memory database).</summary>
    private readonly WalChangeWatch? wal = db.Dialect.Provider == DatabaseProvider.Sqlite ? WalChangeWatch.For(db.ConnectionString) : null;

    // Remembered only when the change token covers everything in it: the partnership, and a key of that partnership.
    private void Remember(string? keyId, string slug, Resolution resolution, long stamp, WalChangeWatch.Stamp? wal)
    {
        if (resolution.Partnership is { } p && (keyId is null || resolution.Key?.PartnershipId == p.Id))
        {
            if (known.Count >= MaxKnown) known.Clear();
            known[(keyId, slug)] = new Known(resolution, stamp, wal);
        }
    }

    /// <summary>
    /// SQLite: a remembered resolution is still right when NOTHING has been committed to the database since it was read, by
    /// any connection of any process (a revocation, an expiry, any write of the partnership, even an edit made outside the
    /// API): <c>PRAGMA data_version</c> on a kept connection (which only ever reads) changes when any other connection
    /// commits, and a kept connection that sees it change moves <see cref="epoch"/> before it compares. When anything moved,
    /// the caller reads the resolution in full again. ONE statement that touches no table, run straight on SQLite (no ADO.NET
    /// layer: on two cores its overhead is a large part of a cached read).
    /// </summary>
    private async ValueTask<Resolution?> RevalidateAsync(Known remembered, CancellationToken ct)
    {
        var prepared = idle.TryDequeue(out var kept) ? kept : await PrepareAsync(ct);
        try
        {
            var version = Sqlite.DataVersion(prepared.DataVersion ??= Sqlite.Prepare(prepared.Connection, "PRAGMA data_version"));
            var unchanged = version is not null && version == prepared.LastDataVersion;
            if (!unchanged)
            {
                // Moved before anyone compares after this connection's first read since a commit (or its first read ever).
                prepared.LastDataVersion = version;
                Interlocked.Increment(ref epoch);
            }
            Release(prepared);
            return unchanged && Volatile.Read(ref epoch) == remembered.Epoch ? remembered.Resolution : null;
        }
        catch
        {
            await prepared.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Moved (never back) whenever a kept connection sees its <c>data_version</c> change, or is new (its first value says
    /// nothing about what came before). A remembered resolution carries the epoch read BEFORE the query that produced it: a
    /// commit that query did not see is seen later by every kept connection's next read, each of which moves the epoch
    /// before comparing; a connection whose version has not moved since then has already moved it.
    /// </summary>
    private long epoch;

    /// <param name="Wal">The WAL-index header read before the resolution was (null when it was revalidated by data_version).</param>
    private sealed record Known(Resolution Resolution, long Epoch, WalChangeWatch.Stamp? Wal);

    private const int MaxKnown = 4096;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string? KeyId, string Slug), Known> known = new();

    private void Release(Prepared prepared)
    {
        if (!disposed && idle.Count < MaxKept) idle.Enqueue(prepared);
        else _ = prepared.DisposeAsync();
    }

    private async Task<Resolution> ReadAsync(string? keyId, string slug, CancellationToken ct)
    {
        var prepared = idle.TryDequeue(out var kept) ? kept : await PrepareAsync(ct);
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
            Release(prepared);
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

    private readonly System.Collections.Concurrent.ConcurrentQueue<Prepared> idle = new();

    private volatile bool disposed;

    private sealed record Prepared(System.Data.Common.DbConnection Connection, System.Data.Common.DbCommand Command,
        System.Data.Common.DbParameter KeyId, System.Data.Common.DbParameter Slug) : IAsyncDisposable
    {
        /// <summary>SQLite: <c>PRAGMA data_version</c>, prepared on this connection on first use.</summary>
        public SQLitePCL.sqlite3_stmt? DataVersion { get; set; }

        /// <summary>SQLite: this connection's last <c>data_version</c> (null before its first, or when it did not answer).</summary>
        public long? LastDataVersion { get; set; }

        public async ValueTask DisposeAsync()
        {
            DataVersion?.Dispose();
            await Command.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }

    /// <summary>The revalidation statement (PRAGMA data_version) on SQLite's own API.</summary>
    private static class Sqlite
    {
        public static SQLitePCL.sqlite3_stmt Prepare(System.Data.Common.DbConnection connection, string sql)
        {
            var handle = ((Microsoft.Data.Sqlite.SqliteConnection)connection).Handle!;
            var rc = SQLitePCL.raw.sqlite3_prepare_v2(handle, sql, out SQLitePCL.sqlite3_stmt stmt);
            if (rc != SQLitePCL.raw.SQLITE_OK) throw new Microsoft.Data.Sqlite.SqliteException(SQLitePCL.raw.sqlite3_errmsg(handle).utf8_to_string(), rc);
            return stmt;
        }

        /// <summary>The connection's data version, or null when SQLite did not answer at once (e.g. busy).</summary>
        public static long? DataVersion(SQLitePCL.sqlite3_stmt stmt)
        {
            try
            {
                return SQLitePCL.raw.sqlite3_step(stmt) == SQLitePCL.raw.SQLITE_ROW ? SQLitePCL.raw.sqlite3_column_int64(stmt, 0) : null;
            }
            finally
            {
                SQLitePCL.raw.sqlite3_reset(stmt); // ends the read, so the next step sees every commit
            }
        }
    }

    private async Task<Prepared> PrepareAsync(CancellationToken ct)
    {
        var c = await db.OpenPlatformAsync(ct);
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
        wal?.Dispose();
        while (idle.TryDequeue(out var prepared)) await prepared.DisposeAsync();
    }

    /// <summary>The partnership's change token: the one read with the request's key when there is one, else read now.</summary>
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
