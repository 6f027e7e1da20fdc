using System.Data.Common;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Clients;

public sealed class ClientQueries(Db db, AuditedWriter writer)
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

    private sealed record PushableRow(Guid Id, string Code, string Name, string Frequency, string Unit)
    {
        public PushableIndicator ToIndicator() => new(Id, Code, Name, EnumText<Indicators.IndicatorFrequency>.Parse(Frequency),
            EnumText<Indicators.IndicatorUnit>.Parse(Unit));
    }

    /// <summary>The caller, its agency, its scopes and the indicators it may push (the batch push's own rule: a key bound to an agency
    /// pushes that agency's indicators, any other key with the scope every indicator).</summary>
    public async Task<Me> MeAsync(Tenant tenant, CancellationToken ct)
    {
        var caller = tenant.Caller;
        await using var c = await db.OpenAsync(tenant, ct);
        var client = caller.ClientId is not { } clientId ? null : await c.QuerySingleOrDefaultAsync<MeClient>(new CommandDefinition("""
            SELECT id AS Id, name AS Name, key_id AS KeyId, expires_at AS ExpiresAt FROM clients WHERE partnership_id = @PartnershipId AND id = @clientId
            """, new { tenant.PartnershipId, clientId }, cancellationToken: ct));
        var agency = caller.AgencyId is not { } agencyId ? null : await c.QuerySingleOrDefaultAsync<MeAgency>(new CommandDefinition("""
            SELECT id AS Id, code AS Code, name AS Name FROM agencies WHERE partnership_id = @PartnershipId AND id = @agencyId
            """, new { tenant.PartnershipId, agencyId }, cancellationToken: ct));
        IReadOnlyList<PushableIndicator> indicators = [];
        if (caller.Has(Scopes.ObservationsWrite))
            indicators = (await c.QueryAsync<PushableRow>(new CommandDefinition("""
                SELECT id AS Id, code AS Code, name AS Name, frequency AS Frequency, unit AS Unit FROM indicators
                WHERE partnership_id = @PartnershipId AND (@agencyId IS NULL OR source_agency_id = @agencyId)
                ORDER BY code
                """, new { tenant.PartnershipId, agencyId = caller.AgencyId }, cancellationToken: ct))).Select(r => r.ToIndicator()).ToList();
        return new Me(client, agency, caller.Scopes.Order(StringComparer.Ordinal).ToList(), indicators);
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

    private static async Task<Client?> GetAsync(WriteUnit w, Guid id) =>
        (await w.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM clients WHERE partnership_id = @PartnershipId AND id = @id",
            new { w.PartnershipId, id }))?.ToClient();

    /// <summary>Registers the client with a new key; the result carries the key, which is never stored or shown again.</summary>
    public async Task<WriteResult<ClientCreated>> CreateAsync(Tenant tenant, ClientRequest request, CancellationToken ct)
    {
        var (key, keyId, hash) = ApiKeys.Generate();
        var created = await InsertAsync(tenant, request.Name, request.AgencyId, request.Scopes, keyId, hash, ct, request.ExpiresAt);
        return created.Select(client => new ClientCreated(client.Id, client.Name, client.AgencyId, client.Scopes, keyId, key, client.ExpiresAt,
            client.Version, client.CreatedAt, client.UpdatedAt));
    }

    /// <summary>Stores a client whose key hash is already known (also the demo keys). The audit
    /// event describes the client, never the key or its hash.</summary>
    internal Task<WriteResult<Client>> InsertAsync(Tenant tenant, string name, Guid? agencyId, IEnumerable<string> scopes,
        string keyId, byte[] keyHash, CancellationToken ct, DateTimeOffset? expiresAt = null) =>
        writer.CreateAsync(tenant, new Create<Client>(EntityTypes.Client, async w =>
        {
            var client = new Client(Ids.New(), name, agencyId, Scopes.Grantable.Where(scopes.Contains).ToArray(), keyId, expiresAt,
                null, null, 1, w.Now, w.Now);
            await w.ExecuteAsync("""
                INSERT INTO clients (partnership_id, id, name, agency_id, scopes, key_id, key_hash, expires_at, version, created_at, updated_at)
                VALUES (@PartnershipId, @Id, @Name, @AgencyId, @Scopes, @KeyId, @keyHash, @ExpiresAt, 1, @CreatedAt, @UpdatedAt)
                """, new
            {
                w.PartnershipId, client.Id, client.Name, client.AgencyId, Scopes = string.Join(' ', client.Scopes), client.KeyId, keyHash,
                client.ExpiresAt, client.CreatedAt, client.UpdatedAt,
            });
            return client;
        })
        {
            Check = w => References.Agencies.CheckAsync(w, [("agencyId", agencyId)]),
        }, ct);

    /// <summary>Revokes the key; revoking twice is a no-op that still answers "done".</summary>
    public Task<WriteResult<Client>> RevokeAsync(Tenant tenant, Guid id, long? ifMatch, CancellationToken ct) =>
        writer.UpdateAsync(tenant, ifMatch, new Update<Client>(EntityTypes.Client, w => GetAsync(w, id), (w, _) => w.ExecuteAsync("""
            UPDATE clients SET revoked_at = COALESCE(revoked_at, @Now), version = version + 1, updated_at = @Now
            WHERE partnership_id = @PartnershipId AND id = @id
            """, new { w.PartnershipId, id, w.Now }))
        { Action = AuditActions.Revoke }, ct);
}
