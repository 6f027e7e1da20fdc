using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Clients;

public sealed class ClientQueries(Db db, TimeProvider clock)
{
    private sealed record Row(Guid Id, string Name, Guid? AgencyId, string Scopes, string KeyId, DateTimeOffset? RevokedAt,
        long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public Client ToClient() => new(Id, Name, AgencyId, Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), KeyId,
            RevokedAt, Version, CreatedAt, UpdatedAt);
    }

    // key_hash is deliberately absent: it never leaves the auth look-up.
    private const string Columns = """
        id AS Id, name AS Name, agency_id AS AgencyId, scopes AS Scopes, key_id AS KeyId, revoked_at AS RevokedAt,
        version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public async Task<IReadOnlyList<Client>> ListAsync(Tenant tenant, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM clients
            WHERE partnership_id = @PartnershipId AND (@After IS NULL OR id > @After)
            ORDER BY id {db.Dialect.Limit}
            """, new { tenant.PartnershipId, After = page.AfterId, Limit = page.Fetch }, cancellationToken: ct));
        return rows.Select(r => r.ToClient()).ToList();
    }

    public async Task<Client?> GetAsync(Tenant tenant, Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM clients WHERE partnership_id = @PartnershipId AND id = @id",
            new { tenant.PartnershipId, id }, cancellationToken: ct));
        return row?.ToClient();
    }

    public async Task<ClientCreated> CreateAsync(Tenant tenant, ClientRequest request, CancellationToken ct)
    {
        var (key, keyId, hash) = ApiKeys.Generate();
        var now = clock.GetUtcNow();
        var scopes = Scopes.Grantable.Where(request.Scopes.Contains).ToArray();
        var created = new ClientCreated(Ids.New(), request.Name, request.AgencyId, scopes, keyId, key, 1, now, now);
        await InsertAsync(tenant.PartnershipId, created.Id, request.Name, request.AgencyId, scopes, keyId, hash, now, ct);
        return created;
    }

    /// <summary>Stores a client whose key is already known (the demo keys).</summary>
    internal async Task InsertAsync(Guid partnershipId, Guid id, string name, Guid? agencyId, IEnumerable<string> scopes,
        string keyId, byte[] keyHash, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO clients (partnership_id, id, name, agency_id, scopes, key_id, key_hash, version, created_at, updated_at)
            VALUES (@partnershipId, @id, @name, @agencyId, @Scopes, @keyId, @keyHash, 1, @now, @now)
            """, new { partnershipId, id, name, agencyId, Scopes = string.Join(' ', scopes), keyId, keyHash, now }, cancellationToken: ct));
    }

    /// <summary>Revokes the key; revoking twice is a no-op that still answers "done".</summary>
    public async Task<WriteOutcome<bool>> RevokeAsync(Tenant tenant, Guid id, long? expectedVersion, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var changed = await c.ExecuteAsync(new CommandDefinition("""
            UPDATE clients SET revoked_at = COALESCE(revoked_at, @now), version = version + 1, updated_at = @now
            WHERE partnership_id = @PartnershipId AND id = @id AND (@expectedVersion IS NULL OR version = @expectedVersion)
            """, new { tenant.PartnershipId, id, now = clock.GetUtcNow(), expectedVersion }, cancellationToken: ct));
        if (changed > 0) return WriteOutcome<bool>.Done(true);
        return await GetAsync(tenant, id, ct) is null ? WriteOutcome<bool>.Missing : WriteOutcome<bool>.Stale;
    }
}
