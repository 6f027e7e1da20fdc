using System.Data.Common;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Partnerships;

public sealed class PartnershipQueries(Db db, TimeProvider clock, AuditedWriter writer)
{
    /// <summary>The origins as the cors_origins column holds them: distinct, space-separated (the validator limits this length).</summary>
    internal static string StoredCorsOrigins(IEnumerable<string> origins) => string.Join(' ', origins.Distinct());

    private sealed record Row(Guid Id, string Slug, string Name, string AreaCode, bool PublicRead, string CorsOrigins,
        long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public Partnership ToPartnership() => new(Id, Slug, Name, AreaCode, PublicRead,
            CorsOrigins.Split(' ', StringSplitOptions.RemoveEmptyEntries), Version, CreatedAt, UpdatedAt);
    }

    private const string Columns = """
        id AS Id, slug AS Slug, name AS Name, area_code AS AreaCode, public_read AS PublicRead, cors_origins AS CorsOrigins,
        version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public async Task<Partnership?> GetAsync(Tenant tenant, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await GetAsync(c, null, tenant.PartnershipId, ct);
    }

    private static async Task<Partnership?> GetAsync(DbConnection c, DbTransaction? tx, Guid id, CancellationToken ct) =>
        (await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM partnerships WHERE id = @id", new { id }, tx, cancellationToken: ct)))?.ToPartnership();

    public async Task<IReadOnlyList<Partnership>> ListAsync(PageRequest page, CancellationToken ct)
    {
        // The operator's list spans every partnership.
        await using var c = await db.OpenPlatformAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM partnerships WHERE (@After IS NULL OR {db.Dialect.IdKey("id")} > {db.Dialect.IdKey("@After")}) ORDER BY {db.Dialect.IdKey("id")} {db.Dialect.Limit}
            """, new { After = page.AfterId, Limit = page.Fetch }, cancellationToken: ct));
        return rows.Select(r => r.ToPartnership()).ToList();
    }

    public async Task<Partnership> CreateAsync(PartnershipRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var p = new Partnership(Ids.New(), request.Slug, request.Name, request.AreaCode, request.PublicRead, [], 1, now, now);
        // The new tenant exists only inside this write, so its first event is recorded as the operator's.
        var tenant = new Tenant(p.Id, p.Slug, p.AreaCode, p.PublicRead, Caller.Platform);
        return await writer.CreateAsync(tenant, EntityTypes.Partnership, p, (c, tx, x, _) => c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO partnerships (id, slug, name, area_code, public_read, version, created_at, updated_at)
            VALUES (@Id, @Slug, @Name, @AreaCode, @PublicRead, 1, @CreatedAt, @UpdatedAt)
            """, new { x.Id, x.Slug, x.Name, x.AreaCode, x.PublicRead, x.CreatedAt, x.UpdatedAt }, tx, cancellationToken: ct)), ct);
    }

    public Task<WriteOutcome<Partnership>> UpdateAsync(Tenant tenant, PartnershipUpdate update, long? expectedVersion, CancellationToken ct) =>
        writer.UpdateAsync(tenant, EntityTypes.Partnership, expectedVersion, (c, tx) => GetAsync(c, tx, tenant.PartnershipId, ct),
            current => current with
            {
                Name = update.Name, AreaCode = update.AreaCode, PublicRead = update.PublicRead,
                CorsOrigins = update.CorsOrigins?.Distinct().ToList() ?? current.CorsOrigins,
            },
            (c, tx, x, now) => c.ExecuteAsync(new CommandDefinition("""
                UPDATE partnerships SET name = @Name, area_code = @AreaCode, public_read = @PublicRead, cors_origins = @Cors,
                       version = version + 1, updated_at = @now
                WHERE id = @Id
                """, new { x.Id, x.Name, x.AreaCode, x.PublicRead, Cors = StoredCorsOrigins(x.CorsOrigins), now }, tx, cancellationToken: ct)),
            ct);
}
