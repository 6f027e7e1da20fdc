using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Agencies;

public sealed class AgencyQueries(Db db, AuditedWriter writer)
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
        var row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM agencies WHERE partnership_id = @PartnershipId AND id = @id",
            new { tenant.PartnershipId, id }, cancellationToken: ct));
        return row?.ToAgency();
    }

    private static async Task<Agency?> GetAsync(WriteUnit w, Guid id) =>
        (await w.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM agencies WHERE partnership_id = @PartnershipId AND id = @id",
            new { w.PartnershipId, id }))?.ToAgency();

    private static WriteRefusal CodeTaken(string code) => WriteRefusal.Invalid("code", $"An agency with code '{code}' already exists.");

    public Task<WriteResult<Agency>> CreateAsync(Tenant tenant, AgencyRequest request, CancellationToken ct) =>
        writer.CreateAsync(tenant, new Create<Agency>(EntityTypes.Agency, async w =>
        {
            var agency = new Agency(Ids.New(), request.Code, request.Name, request.Kind!.Value, 1, w.Now, w.Now);
            await w.ExecuteAsync("""
                INSERT INTO agencies (partnership_id, id, code, name, kind, version, created_at, updated_at)
                VALUES (@PartnershipId, @Id, @Code, @Name, @Kind, 1, @CreatedAt, @UpdatedAt)
                """, new { w.PartnershipId, agency.Id, agency.Code, agency.Name, Kind = EnumText<AgencyKind>.Text(agency.Kind), agency.CreatedAt, agency.UpdatedAt });
            return agency;
        })
        { OnUnique = CodeTaken(request.Code) }, ct);

    /// <summary>Replaces the agency when <paramref name="ifMatch"/> (if given) still matches.</summary>
    public Task<WriteResult<Agency>> UpdateAsync(Tenant tenant, Guid id, AgencyRequest request, long? ifMatch, CancellationToken ct) =>
        writer.UpdateAsync(tenant, ifMatch, new Update<Agency>(EntityTypes.Agency, w => GetAsync(w, id),
            (w, _) => w.ExecuteAsync("""
                UPDATE agencies SET code = @Code, name = @Name, kind = @Kind, version = version + 1, updated_at = @Now
                WHERE partnership_id = @PartnershipId AND id = @id
                """, new { w.PartnershipId, id, request.Code, request.Name, Kind = EnumText<AgencyKind>.Text(request.Kind!.Value), w.Now }))
        { OnUnique = CodeTaken(request.Code) }, ct);

    public Task<WriteResult<Agency>> DeleteAsync(Tenant tenant, Guid id, long? ifMatch, CancellationToken ct) =>
        writer.DeleteAsync(tenant, ifMatch, new Delete<Agency>(EntityTypes.Agency, w => GetAsync(w, id),
            (w, a) => w.ExecuteAsync("DELETE FROM agencies WHERE partnership_id = @PartnershipId AND id = @Id", new { w.PartnershipId, a.Id }))
        {
            OnForeignKey = WriteRefusal.Conflict(
                "The agency is still referred to (a priority, commitment, client or indicator names it). Reassign those first."),
        }, ct);
}
