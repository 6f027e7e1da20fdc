using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Partnerships;

public sealed class PartnershipQueries(Db db, TimeProvider clock)
{
    private const string Columns = """
        id AS Id, slug AS Slug, name AS Name, area_code AS AreaCode, public_read AS PublicRead,
        version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public async Task<Partnership?> GetAsync(Tenant tenant, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<Partnership>(new CommandDefinition(
            $"SELECT {Columns} FROM partnerships WHERE id = @PartnershipId",
            new { tenant.PartnershipId }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<Partnership>> ListAsync(PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Partnership>(new CommandDefinition($"""
            SELECT {Columns} FROM partnerships WHERE (@After IS NULL OR id > @After) ORDER BY id {db.Dialect.Limit}
            """, new { After = page.AfterId, Limit = page.Fetch }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<Partnership> CreateAsync(PartnershipRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var p = new Partnership(Ids.New(), request.Slug, request.Name, request.AreaCode, request.PublicRead, 1, now, now);
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO partnerships (id, slug, name, area_code, public_read, version, created_at, updated_at)
            VALUES (@Id, @Slug, @Name, @AreaCode, @PublicRead, 1, @CreatedAt, @UpdatedAt)
            """, p, cancellationToken: ct));
        return p;
    }

    public async Task<WriteOutcome<Partnership>> UpdateAsync(Tenant tenant, PartnershipUpdate update, long? expectedVersion, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var changed = await c.ExecuteAsync(new CommandDefinition("""
            UPDATE partnerships SET name = @Name, area_code = @AreaCode, public_read = @PublicRead,
                   version = version + 1, updated_at = @Now
            WHERE id = @PartnershipId AND (@expectedVersion IS NULL OR version = @expectedVersion)
            """, new { tenant.PartnershipId, update.Name, update.AreaCode, update.PublicRead, Now = clock.GetUtcNow(), expectedVersion },
            cancellationToken: ct));
        return WriteOutcome<Partnership>.From(changed, await GetAsync(tenant, ct));
    }
}
