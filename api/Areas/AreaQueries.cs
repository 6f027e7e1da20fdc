using System.Data.Common;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Areas;

public sealed class AreaQueries(Db db, AuditedWriter writer)
{
    private sealed record Row(Guid Id, string Code, string Name, string Type, string? ParentCode, DateOnly? ValidFrom, DateOnly? ValidTo,
        long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public Area ToArea() => new(Id, Code, Name, EnumText<AreaType>.Parse(Type), ParentCode, ValidFrom, ValidTo, Version, CreatedAt, UpdatedAt);
    }

    private const string Columns = """
        id AS Id, code AS Code, name AS Name, type AS Type, parent_code AS ParentCode, valid_from AS ValidFrom, valid_to AS ValidTo,
        version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    /// <summary>The areas list is ordered by code: its cursor's key.</summary>
    public static string[] Key(Area a) => [a.Code];

    public static bool IsKey(string[] parts) => parts is [var code] && AreaRules.IsCode(code);

    /// <summary>A page of areas by code, optionally of some types or inside one parent.</summary>
    public async Task<IReadOnlyList<Area>> ListAsync(Tenant tenant, IReadOnlySet<AreaType>? types, string? parentCode, PageRequest page,
        CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM areas
            WHERE partnership_id = @PartnershipId AND (@AnyType = 1 OR type IN @Types) AND (@parentCode IS NULL OR parent_code = @parentCode)
              AND (@After IS NULL OR code > @After)
            ORDER BY code {db.Dialect.Limit}
            """, new
        {
            tenant.PartnershipId, AnyType = types is null ? 1 : 0, Types = types?.Select(EnumText<AreaType>.Text).ToArray() ?? [], parentCode,
            After = page.After?[0], Limit = page.Fetch,
        }, cancellationToken: ct));
        return rows.Select(r => r.ToArea()).ToList();
    }

    public async Task<Area?> GetAsync(Tenant tenant, string code, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return (await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM areas WHERE partnership_id = @PartnershipId AND code = @code",
            new { tenant.PartnershipId, code }, cancellationToken: ct)))?.ToArea();
    }

    /// <summary>Every area of the partnership by code, read once by a write that checks many rows against them (the batch push,
    /// an indicator's targets).</summary>
    internal static async Task<Dictionary<string, Area>> AllAsync(DbConnection c, DbTransaction? tx, Guid partnershipId, CancellationToken ct) =>
        (await c.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM areas WHERE partnership_id = @partnershipId",
            new { partnershipId }, tx, cancellationToken: ct))).ToDictionary(r => r.Code, r => r.ToArea(), StringComparer.Ordinal);

    private static async Task<Area?> GetAsync(WriteUnit w, string code) =>
        (await w.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM areas WHERE partnership_id = @PartnershipId AND code = @code",
            new { w.PartnershipId, code }))?.ToArea();

    public Task<WriteResult<Area>> CreateAsync(Tenant tenant, AreaRequest request, CancellationToken ct) =>
        writer.CreateAsync(tenant, new Create<Area>(EntityTypes.Area, w => InsertAsync(w, request))
        {
            Check = w => ParentRefusalAsync(w, request.Code, request.ParentCode),
            OnUnique = WriteRefusal.Invalid("code", $"The area {request.Code} is already registered; replace it with PUT /areas/{request.Code}."),
        }, ct);

    /// <summary>Inserts an area inside a write that has checked it (a new partnership's own area is written with the partnership).</summary>
    internal static async Task<Area> InsertAsync(WriteUnit w, AreaRequest request)
    {
        var area = new Area(Ids.New(), request.Code, request.Name, request.Type!.Value, request.ParentCode, request.ValidFrom, request.ValidTo, 1,
            w.Now, w.Now);
        await w.ExecuteAsync("""
            INSERT INTO areas (partnership_id, id, code, name, type, parent_code, valid_from, valid_to, version, created_at, updated_at)
            VALUES (@PartnershipId, @Id, @Code, @Name, @Type, @ParentCode, @ValidFrom, @ValidTo, 1, @CreatedAt, @UpdatedAt)
            """, new
        {
            w.PartnershipId, area.Id, area.Code, area.Name, Type = EnumText<AreaType>.Text(area.Type), area.ParentCode, area.ValidFrom, area.ValidTo,
            area.CreatedAt, area.UpdatedAt,
        });
        return area;
    }

    /// <summary>
    /// The partnership's own area, registered (with its audit event) when it is not there yet: a new partnership, or one whose
    /// area code changes. Named after the partnership until an admin renames it.
    /// </summary>
    internal static async Task EnsureOwnAreaAsync(WriteUnit w, string code, string name)
    {
        if (await GetAsync(w, code) is not null) return;
        var area = await InsertAsync(w, new AreaRequest(code, name, AreaType.LocalAuthority, null, null, null));
        await AuditLog.RecordAsync(w, AuditActions.Create, EntityTypes.Area, area.Id, AuditLog.Diff(null, area));
    }

    public Task<WriteResult<Area>> UpdateAsync(Tenant tenant, string code, AreaUpdate update, long? ifMatch, CancellationToken ct) =>
        writer.UpdateAsync(tenant, ifMatch, new Update<Area>(EntityTypes.Area, w => GetAsync(w, code), (w, _) => w.ExecuteAsync("""
            UPDATE areas SET name = @Name, type = @Type, parent_code = @ParentCode, valid_from = @ValidFrom, valid_to = @ValidTo,
                   version = version + 1, updated_at = @Now
            WHERE partnership_id = @PartnershipId AND code = @code
            """, new
        {
            w.PartnershipId, code, update.Name, Type = EnumText<AreaType>.Text(update.Type!.Value), update.ParentCode, update.ValidFrom,
            update.ValidTo, w.Now,
        }))
        {
            Check = (w, _) => ParentRefusalAsync(w, code, update.ParentCode),
        }, ct);

    /// <summary>The parent must be a registered area, and not the area itself or one that lies (however deep) inside it.</summary>
    private static async Task<WriteRefusal?> ParentRefusalAsync(WriteUnit w, string code, string? parentCode)
    {
        if (parentCode is null) return null;
        var parents = (await w.QueryAsync<(string Code, string? ParentCode)>(
                "SELECT code AS Code, parent_code AS ParentCode FROM areas WHERE partnership_id = @PartnershipId", new { w.PartnershipId }))
            .ToDictionary(a => a.Code, a => a.ParentCode, StringComparer.Ordinal);
        if (!parents.ContainsKey(parentCode))
            return WriteRefusal.Invalid("parentCode", $"There is no area {parentCode} in this partnership; register it first.");
        for (string? up = parentCode; up is not null; up = parents.GetValueOrDefault(up))
            if (up == code) return WriteRefusal.Invalid("parentCode", $"{parentCode} lies inside {code}: an area cannot lie in itself.");
        return null;
    }
}
