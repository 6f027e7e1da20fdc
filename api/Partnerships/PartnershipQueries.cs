using System.Data.Common;
using Csp.Api.Areas;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Publication;
using Dapper;

namespace Csp.Api.Partnerships;

public sealed class PartnershipQueries(Db db, AuditedWriter writer)
{
    /// <summary>The origins as the cors_origins column holds them: distinct, space-separated (the validator limits this length).</summary>
    internal static string StoredCorsOrigins(IEnumerable<string> origins) => string.Join(' ', origins.Distinct());

    private sealed record Row(Guid Id, string Slug, string Name, string AreaCode, bool PublicRead, string CorsOrigins, string AreaCheck,
        long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool ReleaseRequireSignoff, string ReleaseTime, string ReleaseTimeZone,
        long ReleaseEmbargoDays)
    {
        public Partnership ToPartnership() => new(Id, Slug, Name, AreaCode, PublicRead,
            CorsOrigins.Split(' ', StringSplitOptions.RemoveEmptyEntries), EnumText<AreaCheck>.Parse(AreaCheck), Version, CreatedAt, UpdatedAt,
            new PublicRelease(ReleaseRequireSignoff, ReleaseTime, ReleaseTimeZone, (int)ReleaseEmbargoDays));
    }

    private const string Columns = """
        id AS Id, slug AS Slug, name AS Name, area_code AS AreaCode, public_read AS PublicRead, cors_origins AS CorsOrigins,
        area_check AS AreaCheck, version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt,
        release_require_signoff AS ReleaseRequireSignoff, release_time AS ReleaseTime, release_time_zone AS ReleaseTimeZone,
        release_embargo_days AS ReleaseEmbargoDays
        """;

    /// <summary>The partnership's public release settings.</summary>
    public static async Task<PublicRelease> ReleaseOfAsync(DbConnection c, Guid partnershipId, CancellationToken ct, DbTransaction? tx = null) =>
        (await GetAsync(c, tx, partnershipId, ct))?.PublicRelease ?? PublicRelease.Off;

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

    private static Task<Partnership?> GetAsync(WriteUnit w) => GetAsync(w.Connection, w.Transaction, w.PartnershipId, w.Token);

    /// <param name="id">The new partnership's id: a new one unless the caller has already chosen it (the demo seed, whose
    /// single write unit is the partnership's before it exists).</param>
    public Task<WriteResult<Partnership>> CreateAsync(PartnershipRequest request, CancellationToken ct, Guid? id = null) =>
        CreateAsync(request, id ?? Ids.New(), ct);

    private Task<WriteResult<Partnership>> CreateAsync(PartnershipRequest request, Guid id, CancellationToken ct)
    {
        // The new tenant exists only inside this write, so its first event is recorded as the operator's.
        var tenant = new Tenant(id, request.Slug, request.AreaCode, request.PublicRead, Caller.Platform);
        return writer.CreateAsync(tenant, new Create<Partnership>(EntityTypes.Partnership, async w =>
        {
            var p = new Partnership(id, request.Slug, request.Name, request.AreaCode, request.PublicRead, [],
                request.AreaCheck ?? AreaCheck.Strict, 1, w.Now, w.Now, request.PublicRelease ?? PublicRelease.Off);
            await w.ExecuteAsync("""
                INSERT INTO partnerships (id, slug, name, area_code, public_read, area_check, version, created_at, updated_at,
                                          release_require_signoff, release_time, release_time_zone, release_embargo_days)
                VALUES (@Id, @Slug, @Name, @AreaCode, @PublicRead, @AreaCheck, 1, @CreatedAt, @UpdatedAt,
                        @RequireSignoff, @Time, @TimeZone, @EmbargoDays)
                """, new
            {
                p.Id, p.Slug, p.Name, p.AreaCode, p.PublicRead, AreaCheck = EnumText<AreaCheck>.Text(p.AreaCheck), p.CreatedAt, p.UpdatedAt,
                p.PublicRelease.RequireSignoff, p.PublicRelease.Time, p.PublicRelease.TimeZone, p.PublicRelease.EmbargoDays,
            });
            await AreaQueries.EnsureOwnAreaAsync(w, p.AreaCode, p.Name);
            return p;
        })
        { OnUnique = WriteRefusal.Conflict($"The slug '{request.Slug}' is taken.") }, ct);
    }

    public Task<WriteResult<Partnership>> UpdateAsync(Tenant tenant, PartnershipUpdate update, long? ifMatch, CancellationToken ct) =>
        writer.UpdateAsync(tenant, ifMatch, new Update<Partnership>(EntityTypes.Partnership, GetAsync, (w, current) => w.ExecuteAsync("""
            UPDATE partnerships SET name = @Name, area_code = @AreaCode, public_read = @PublicRead, cors_origins = @Cors, area_check = @AreaCheck,
                   release_require_signoff = @RequireSignoff, release_time = @Time, release_time_zone = @TimeZone,
                   release_embargo_days = @EmbargoDays, version = version + 1, updated_at = @Now
            WHERE id = @PartnershipId
            """, new
        {
            w.PartnershipId, update.Name, update.AreaCode, update.PublicRead,
            Cors = StoredCorsOrigins(update.CorsOrigins ?? current.CorsOrigins),
            AreaCheck = EnumText<AreaCheck>.Text(update.AreaCheck ?? current.AreaCheck),
            (update.PublicRelease ?? current.PublicRelease).RequireSignoff, (update.PublicRelease ?? current.PublicRelease).Time,
            (update.PublicRelease ?? current.PublicRelease).TimeZone, (update.PublicRelease ?? current.PublicRelease).EmbargoDays, w.Now,
        }))
        {
            // The partnership's own area is always one of its areas.
            AfterChange = (w, before, after) => before.AreaCode == after.AreaCode ? Task.CompletedTask : AreaQueries.EnsureOwnAreaAsync(w, after.AreaCode, after.Name),
        }, ct);
}
