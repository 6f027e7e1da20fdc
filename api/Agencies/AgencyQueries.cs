using System.Data.Common;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Agencies;

public sealed class AgencyQueries(Db db, TimeProvider clock, AuditedWriter writer)
{
    private sealed record Row(Guid Id, string Code, string Name, string Kind, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public Agency ToAgency() => new(Id, Code, Name, EnumText<AgencyKind>.Parse(Kind), Version, CreatedAt, UpdatedAt);
    }

    private const string Columns = "id AS Id, code AS Code, name AS Name, kind AS Kind, version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public async Task<IReadOnlyList<Agency>> ListAsync(Tenant tenant, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM agencies
            WHERE partnership_id = @PartnershipId AND (@After IS NULL OR {db.Dialect.IdKey("id")} > {db.Dialect.IdKey("@After")})
            ORDER BY {db.Dialect.IdKey("id")} {db.Dialect.Limit}
            """, new { tenant.PartnershipId, After = page.AfterId, Limit = page.Fetch }, cancellationToken: ct));
        return rows.Select(r => r.ToAgency()).ToList();
    }

    public async Task<Agency?> GetAsync(Tenant tenant, Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await GetAsync(c, null, tenant.PartnershipId, id, ct);
    }

    private static async Task<Agency?> GetAsync(DbConnection c, DbTransaction? tx, Guid partnershipId, Guid id, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM agencies WHERE partnership_id = @partnershipId AND id = @id
            """, new { partnershipId, id }, tx, cancellationToken: ct));
        return row?.ToAgency();
    }

    /// <summary>The subset of <paramref name="ids"/> that are agencies of this partnership.</summary>
    public async Task<IReadOnlySet<Guid>> ExistingAsync(Tenant tenant, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToArray();
        if (wanted.Length == 0) return new HashSet<Guid>();
        await using var c = await db.OpenAsync(tenant, ct);
        var found = await c.QueryAsync<Guid>(new CommandDefinition($"""
            SELECT id FROM agencies WHERE partnership_id = @PartnershipId AND {db.Dialect.InIds("id", "@wanted")}
            """, new { tenant.PartnershipId, wanted = SqlDialect.IdList(wanted) }, cancellationToken: ct));
        return found.ToHashSet();
    }

    /// <summary>Validation errors for agency ids (per JSON field) that are not agencies of this partnership.</summary>
    public async Task<Dictionary<string, string[]>> UnknownReferencesAsync(Tenant tenant, IReadOnlyList<(string Field, Guid? Id)> references, CancellationToken ct)
    {
        var existing = await ExistingAsync(tenant, references.Where(r => r.Id is not null).Select(r => r.Id!.Value), ct);
        return references.Where(r => r.Id is { } id && !existing.Contains(id))
            .GroupBy(r => r.Field)
            .ToDictionary(g => g.Key, g => g.Select(r => $"There is no agency {r.Id} in this partnership.").ToArray());
    }

    public Task<Agency> CreateAsync(Tenant tenant, AgencyRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var agency = new Agency(Ids.New(), request.Code, request.Name, request.Kind!.Value, 1, now, now);
        return writer.CreateAsync(tenant, EntityTypes.Agency, agency, (c, tx, a, _) => c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO agencies (partnership_id, id, code, name, kind, version, created_at, updated_at)
            VALUES (@PartnershipId, @Id, @Code, @Name, @Kind, 1, @CreatedAt, @UpdatedAt)
            """, new { tenant.PartnershipId, a.Id, a.Code, a.Name, Kind = EnumText<AgencyKind>.Text(a.Kind), a.CreatedAt, a.UpdatedAt },
            tx, cancellationToken: ct)), ct);
    }

    /// <summary>Replaces the agency when <paramref name="expectedVersion"/> (if given) still matches.</summary>
    public Task<WriteOutcome<Agency>> UpdateAsync(Tenant tenant, Guid id, AgencyRequest request, long? expectedVersion, CancellationToken ct) =>
        writer.UpdateAsync(tenant, EntityTypes.Agency, expectedVersion, (c, tx) => GetAsync(c, tx, tenant.PartnershipId, id, ct),
            current => current with { Code = request.Code, Name = request.Name, Kind = request.Kind!.Value },
            (c, tx, a, now) => c.ExecuteAsync(new CommandDefinition("""
                UPDATE agencies SET code = @Code, name = @Name, kind = @Kind, version = version + 1, updated_at = @now
                WHERE partnership_id = @PartnershipId AND id = @Id
                """, new { tenant.PartnershipId, a.Id, a.Code, a.Name, Kind = EnumText<AgencyKind>.Text(a.Kind), now }, tx, cancellationToken: ct)),
            ct);

    public Task<WriteOutcome<bool>> DeleteAsync(Tenant tenant, Guid id, long? expectedVersion, CancellationToken ct) =>
        writer.DeleteAsync(tenant, EntityTypes.Agency, expectedVersion, (c, tx) => GetAsync(c, tx, tenant.PartnershipId, id, ct),
            (c, tx, a, _) => c.ExecuteAsync(new CommandDefinition(
                "DELETE FROM agencies WHERE partnership_id = @PartnershipId AND id = @Id", new { tenant.PartnershipId, a.Id }, tx, cancellationToken: ct)),
            ct);
}
