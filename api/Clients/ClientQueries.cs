using System.Data.Common;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Clients;

public sealed class ClientQueries(Db db, TimeProvider clock, AuditedWriter writer)
{
    private sealed record Row(Guid Id, string Name, Guid? AgencyId, string Scopes, string KeyId, DateTimeOffset? ExpiresAt,
        DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public Client ToClient() => new(Id, Name, AgencyId, Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), KeyId,
            ExpiresAt, RevokedAt, LastUsedAt, Version, CreatedAt, UpdatedAt);
    }

    // key_hash is deliberately absent: it never leaves the auth look-up.
    private const string Columns = """
        id AS Id, name AS Name, agency_id AS AgencyId, scopes AS Scopes, key_id AS KeyId, expires_at AS ExpiresAt,
        revoked_at AS RevokedAt, last_used_at AS LastUsedAt, version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public async Task<IReadOnlyList<Client>> ListAsync(Tenant tenant, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM clients
            WHERE partnership_id = @PartnershipId AND (@After IS NULL OR {db.Dialect.IdKey("id")} > {db.Dialect.IdKey("@After")})
            ORDER BY {db.Dialect.IdKey("id")} {db.Dialect.Limit}
            """, new { tenant.PartnershipId, After = page.AfterId, Limit = page.Fetch }, cancellationToken: ct));
        return rows.Select(r => r.ToClient()).ToList();
    }

    public async Task<Client?> GetAsync(Tenant tenant, Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await GetAsync(c, null, tenant.PartnershipId, id, ct);
    }

    private static async Task<Client?> GetAsync(DbConnection c, DbTransaction? tx, Guid partnershipId, Guid id, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM clients WHERE partnership_id = @partnershipId AND id = @id",
            new { partnershipId, id }, tx, cancellationToken: ct));
        return row?.ToClient();
    }

    public async Task<ClientCreated> CreateAsync(Tenant tenant, ClientRequest request, CancellationToken ct)
    {
        var (key, keyId, hash) = ApiKeys.Generate();
        var client = await InsertAsync(tenant, request.Name, request.AgencyId, request.Scopes, keyId, hash, ct, request.ExpiresAt);
        return new ClientCreated(client.Id, client.Name, client.AgencyId, client.Scopes, keyId, key, client.ExpiresAt, client.Version,
            client.CreatedAt, client.UpdatedAt);
    }

    /// <summary>Stores a client whose key hash is already known (also the demo keys). The audit
    /// event describes the client, never the key or its hash.</summary>
    internal Task<Client> InsertAsync(Tenant tenant, string name, Guid? agencyId, IEnumerable<string> scopes,
        string keyId, byte[] keyHash, CancellationToken ct, DateTimeOffset? expiresAt = null)
    {
        var now = clock.GetUtcNow();
        var client = new Client(Ids.New(), name, agencyId, Scopes.Grantable.Where(scopes.Contains).ToArray(), keyId, expiresAt,
            null, null, 1, now, now);
        return writer.CreateAsync(tenant, EntityTypes.Client, client, (c, tx, x, _) => c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO clients (partnership_id, id, name, agency_id, scopes, key_id, key_hash, expires_at, version, created_at, updated_at)
            VALUES (@PartnershipId, @Id, @Name, @AgencyId, @Scopes, @KeyId, @keyHash, @ExpiresAt, 1, @CreatedAt, @UpdatedAt)
            """, new { tenant.PartnershipId, x.Id, x.Name, x.AgencyId, Scopes = string.Join(' ', x.Scopes), x.KeyId, keyHash, x.ExpiresAt, x.CreatedAt, x.UpdatedAt },
            tx, cancellationToken: ct)), ct);
    }

    /// <summary>Revokes the key; revoking twice is a no-op that still answers "done".</summary>
    public async Task<WriteOutcome<bool>> RevokeAsync(Tenant tenant, Guid id, long? expectedVersion, CancellationToken ct)
    {
        var revokedAt = clock.GetUtcNow();
        var outcome = await writer.UpdateAsync(tenant, EntityTypes.Client, expectedVersion, (c, tx) => GetAsync(c, tx, tenant.PartnershipId, id, ct),
            current => current with { RevokedAt = current.RevokedAt ?? revokedAt },
            (c, tx, x, now) => c.ExecuteAsync(new CommandDefinition("""
                UPDATE clients SET revoked_at = @RevokedAt, version = version + 1, updated_at = @now
                WHERE partnership_id = @PartnershipId AND id = @Id
                """, new { tenant.PartnershipId, x.Id, x.RevokedAt, now }, tx, cancellationToken: ct)),
            ct, AuditActions.Revoke);
        return new WriteOutcome<bool>(outcome.Status, outcome.Status == WriteStatus.Done, outcome.Message);
    }
}
