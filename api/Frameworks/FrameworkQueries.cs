using System.Data.Common;
using Csp.Api.Alignments;
using Csp.Api.Audit;
using Csp.Api.Commitments;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Frameworks;

public sealed class FrameworkQueries(Db db, AuditedWriter writer)
{
    private const string Columns = """
        f.id AS Id, f.code AS Code, f.version_no AS VersionNo, f.title AS Title, f.publisher AS Publisher, f.adopted_on AS AdoptedOn,
        f.url AS Url, f.supersedes_id AS SupersedesId,
        (SELECT n.id FROM frameworks n WHERE n.partnership_id = f.partnership_id AND n.supersedes_id = f.id) AS SupersededById,
        f.version AS Version, f.created_at AS CreatedAt, f.updated_at AS UpdatedAt
        """;

    private const string OutcomeColumns = """
        id AS Id, framework_id AS FrameworkId, code AS Code, title AS Title, description AS Description, position AS Position,
        version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    // ---- frameworks ----

    public async Task<IReadOnlyList<Framework>> ListAsync(Tenant tenant, bool currentOnly, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<Framework>(new CommandDefinition($"""
            SELECT {Columns} FROM frameworks f
            WHERE f.partnership_id = @PartnershipId AND (@After IS NULL OR {db.Dialect.IdKey("f.id")} > {db.Dialect.IdKey("@After")})
              AND (@currentOnly = 0 OR NOT EXISTS (SELECT 1 FROM frameworks n WHERE n.partnership_id = f.partnership_id AND n.supersedes_id = f.id))
            ORDER BY {db.Dialect.IdKey("f.id")} {db.Dialect.Limit}
            """, new { tenant.PartnershipId, After = page.AfterId, currentOnly = currentOnly ? 1 : 0, Limit = page.Fetch }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<Framework?> GetAsync(Tenant tenant, Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await GetAsync(c, null, tenant.PartnershipId, id, ct);
    }

    private static Task<Framework?> GetAsync(DbConnection c, DbTransaction? tx, Guid partnershipId, Guid id, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<Framework?>(new CommandDefinition(
            $"SELECT {Columns} FROM frameworks f WHERE f.partnership_id = @partnershipId AND f.id = @id",
            new { partnershipId, id }, tx, cancellationToken: ct));

    private static Task<Framework?> GetAsync(WriteUnit w, Guid id) => GetAsync(w.Connection, w.Transaction, w.PartnershipId, id, w.Token);

    private static WriteRefusal CodeTaken(string code) =>
        WriteRefusal.Invalid("code", $"A framework with code '{code}' already exists; make a new version of it instead.");

    public Task<WriteResult<Framework>> CreateAsync(Tenant tenant, FrameworkRequest request, CancellationToken ct) =>
        writer.CreateAsync(tenant, new Create<Framework>(EntityTypes.Framework, async w =>
        {
            var framework = new Framework(Ids.New(), request.Code, 1, request.Title, request.Publisher, request.AdoptedOn, request.Url,
                null, null, 1, w.Now, w.Now);
            await InsertAsync(w, framework);
            return framework;
        })
        { OnUnique = CodeTaken(request.Code) }, ct);

    private static Task<int> InsertAsync(WriteUnit w, Framework f) =>
        w.ExecuteAsync("""
            INSERT INTO frameworks (partnership_id, id, code, version_no, title, publisher, adopted_on, url, supersedes_id, version, created_at, updated_at)
            VALUES (@PartnershipId, @Id, @Code, @VersionNo, @Title, @Publisher, @AdoptedOn, @Url, @SupersedesId, 1, @CreatedAt, @UpdatedAt)
            """, new { w.PartnershipId, f.Id, f.Code, f.VersionNo, f.Title, f.Publisher, f.AdoptedOn, f.Url, f.SupersedesId, f.CreatedAt, f.UpdatedAt });

    public Task<WriteResult<Framework>> UpdateAsync(Tenant tenant, Guid id, FrameworkRequest request, long? ifMatch, CancellationToken ct) =>
        writer.UpdateAsync(tenant, ifMatch, new Update<Framework>(EntityTypes.Framework, w => GetAsync(w, id), (w, _) => w.ExecuteAsync("""
            UPDATE frameworks SET code = @Code, title = @Title, publisher = @Publisher, adopted_on = @AdoptedOn, url = @Url,
                   version = version + 1, updated_at = @Now
            WHERE partnership_id = @PartnershipId AND id = @id
            """, new { w.PartnershipId, id, request.Code, request.Title, request.Publisher, request.AdoptedOn, request.Url, w.Now }))
        { OnUnique = CodeTaken(request.Code) }, ct);

    /// <summary>Deletes the framework version with its outcomes and their alignments (each with its own audit event).</summary>
    public Task<WriteResult<Framework>> DeleteAsync(Tenant tenant, Guid id, long? ifMatch, CancellationToken ct) =>
        writer.DeleteAsync(tenant, ifMatch, new Delete<Framework>(EntityTypes.Framework, w => GetAsync(w, id), async (w, f) =>
        {
            await AlignmentQueries.RemoveAsync(w, AlignmentQueries.Owner.Framework, f.Id);
            await Tombstones.RecordAsync(w, EntityTypes.Outcome,
                "SELECT id FROM outcomes WHERE partnership_id = @PartnershipId AND framework_id = @parentId", f.Id);
            // A newer version stays; it just stops pointing at the one removed.
            await w.ExecuteAsync("UPDATE frameworks SET supersedes_id = NULL WHERE partnership_id = @PartnershipId AND supersedes_id = @Id",
                new { w.PartnershipId, f.Id });
            await w.ExecuteAsync("DELETE FROM frameworks WHERE partnership_id = @PartnershipId AND id = @Id", new { w.PartnershipId, f.Id });
        }), ct);

    /// <summary>
    /// A new version of the framework: the same code, the next version number, its outcomes copied (new ids, same codes,
    /// titles and order). The old version and its alignments stay as they are, readable; only the current version can be
    /// versioned again.
    /// </summary>
    public Task<WriteResult<Framework>> NewVersionAsync(Tenant tenant, Guid id, FrameworkVersionRequest request, CancellationToken ct)
    {
        Framework? old = null;
        return writer.CreateAsync(tenant, new Create<Framework>(EntityTypes.Framework, async w =>
        {
            var versionNo = await w.ScalarAsync<long>("SELECT MAX(version_no) FROM frameworks WHERE partnership_id = @PartnershipId AND code = @Code",
                new { w.PartnershipId, old!.Code }) + 1;
            var created = new Framework(Ids.New(), old.Code, versionNo, request.Title, request.Publisher, request.AdoptedOn, request.Url,
                old.Id, null, 1, w.Now, w.Now);
            await InsertAsync(w, created);
            var outcomes = await w.QueryAsync<Outcome>($"""
                SELECT {OutcomeColumns} FROM outcomes WHERE partnership_id = @PartnershipId AND framework_id = @id ORDER BY position, {w.Dialect.IdKey("id")}
                """, new { w.PartnershipId, id });
            foreach (var o in outcomes)
            {
                var copy = o with { Id = Ids.New(), FrameworkId = created.Id, Version = 1, CreatedAt = w.Now, UpdatedAt = w.Now };
                await InsertOutcomeAsync(w, copy);
                await AuditLog.RecordAsync(w, AuditActions.Create, EntityTypes.Outcome, copy.Id, AuditLog.Diff(null, copy));
            }
            return created;
        })
        {
            Check = async w =>
            {
                old = await GetAsync(w, id);
                if (old is null) return WriteRefusal.NotFound("framework " + id);
                return old.SupersededById is { } newer
                    ? WriteRefusal.Conflict($"Version {old.VersionNo} is already superseded by framework {newer}; make a new version of that one.")
                    : null;
            },
            // Two concurrent new versions of the same one: the second loses.
            OnUnique = WriteRefusal.Conflict("Another new version of this framework was made at the same time."),
        }, ct);
    }

    // ---- outcomes ----

    public async Task<IReadOnlyList<Outcome>> ListOutcomesAsync(Tenant tenant, Guid frameworkId, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<Outcome>(new CommandDefinition($"""
            SELECT {OutcomeColumns} FROM outcomes
            WHERE partnership_id = @PartnershipId AND framework_id = @frameworkId
              AND (@AfterPosition IS NULL OR position > @AfterPosition OR (position = @AfterPosition AND {db.Dialect.IdKey("id")} > {db.Dialect.IdKey("@AfterId")}))
            ORDER BY position, {db.Dialect.IdKey("id")} {db.Dialect.Limit}
            """, new { tenant.PartnershipId, frameworkId, page.AfterPosition, page.AfterId, Limit = page.Fetch }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<Outcome?> GetOutcomeAsync(Tenant tenant, Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await GetOutcomeAsync(c, null, tenant.PartnershipId, id, ct);
    }

    private static Task<Outcome?> GetOutcomeAsync(DbConnection c, DbTransaction? tx, Guid partnershipId, Guid id, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<Outcome?>(new CommandDefinition(
            $"SELECT {OutcomeColumns} FROM outcomes WHERE partnership_id = @partnershipId AND id = @id",
            new { partnershipId, id }, tx, cancellationToken: ct));

    private static Task<Outcome?> GetOutcomeAsync(WriteUnit w, Guid id) => GetOutcomeAsync(w.Connection, w.Transaction, w.PartnershipId, id, w.Token);

    private static Task<int> InsertOutcomeAsync(WriteUnit w, Outcome o) =>
        w.ExecuteAsync("""
            INSERT INTO outcomes (partnership_id, id, framework_id, code, title, description, position, version, created_at, updated_at)
            VALUES (@PartnershipId, @Id, @FrameworkId, @Code, @Title, @Description, @Position, 1, @CreatedAt, @UpdatedAt)
            """, new { w.PartnershipId, o.Id, o.FrameworkId, o.Code, o.Title, o.Description, o.Position, o.CreatedAt, o.UpdatedAt });

    private static WriteRefusal OutcomeCodeTaken(string code) => WriteRefusal.Invalid("code", $"The framework already has an outcome with code '{code}'.");

    public Task<WriteResult<Outcome>> CreateOutcomeAsync(Tenant tenant, Guid frameworkId, OutcomeRequest request, CancellationToken ct) =>
        writer.CreateAsync(tenant, new Create<Outcome>(EntityTypes.Outcome, async w =>
        {
            var position = request.Position ?? await w.ScalarAsync<long>(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM outcomes WHERE partnership_id = @PartnershipId AND framework_id = @frameworkId",
                new { w.PartnershipId, frameworkId });
            var outcome = new Outcome(Ids.New(), frameworkId, request.Code, request.Title, request.Description, position, 1, w.Now, w.Now);
            await InsertOutcomeAsync(w, outcome);
            return outcome;
        })
        {
            Check = async w => await GetAsync(w, frameworkId) is null ? WriteRefusal.NotFound("framework " + frameworkId) : null,
            OnUnique = OutcomeCodeTaken(request.Code),
        }, ct);

    /// <summary>Replaces the outcome; plan documents that show an alignment to it (with its code and title) get a new version.</summary>
    public Task<WriteResult<Outcome>> UpdateOutcomeAsync(Tenant tenant, Guid id, OutcomeRequest request, long? ifMatch, CancellationToken ct) =>
        writer.UpdateAsync(tenant, ifMatch, new Update<Outcome>(EntityTypes.Outcome, w => GetOutcomeAsync(w, id), (w, current) => w.ExecuteAsync("""
            UPDATE outcomes SET code = @Code, title = @Title, description = @Description, position = @Position,
                   version = version + 1, updated_at = @Now
            WHERE partnership_id = @PartnershipId AND id = @id
            """, new { w.PartnershipId, id, request.Code, request.Title, request.Description, Position = request.Position ?? current.Position, w.Now }))
        {
            AfterChange = async (w, _, _) => await AlignmentQueries.TouchPlansAsync(w, await AlignmentQueries.OfOutcomeAsync(w, id)),
            OnUnique = OutcomeCodeTaken(request.Code),
        }, ct);

    /// <summary>Deletes the outcome with its alignments (each with its own audit event).</summary>
    public Task<WriteResult<Outcome>> DeleteOutcomeAsync(Tenant tenant, Guid id, long? ifMatch, CancellationToken ct) =>
        writer.DeleteAsync(tenant, ifMatch, new Delete<Outcome>(EntityTypes.Outcome, w => GetOutcomeAsync(w, id), async (w, _) =>
        {
            await AlignmentQueries.RemoveAsync(w, AlignmentQueries.Owner.Outcome, id);
            await w.ExecuteAsync("DELETE FROM outcomes WHERE partnership_id = @PartnershipId AND id = @id", new { w.PartnershipId, id });
        }), ct);

    // ---- coverage ----

    private sealed record PlanRow(Guid Id, string Title);
    private sealed record ItemRow(Guid Id, string Code, string Title);
    private sealed record CommitmentRow(Guid Id, Guid PriorityId, string Code, string Title, string Status);

    /// <summary>Per outcome of the framework, what of the plan is aligned to it; null when the framework or plan does not exist.</summary>
    public async Task<FrameworkCoverage?> CoverageAsync(Tenant tenant, Guid frameworkId, Guid planId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var p = tenant.PartnershipId;
        var framework = await GetAsync(c, null, p, frameworkId, ct);
        var plan = await c.QuerySingleOrDefaultAsync<PlanRow>(new CommandDefinition(
            "SELECT id AS Id, title AS Title FROM plans WHERE partnership_id = @p AND id = @planId", new { p, planId }, cancellationToken: ct));
        if (framework is null || plan is null) return null;

        var outcomes = (await c.QueryAsync<Outcome>(new CommandDefinition(
            $"""
            SELECT {OutcomeColumns} FROM outcomes WHERE partnership_id = @p AND framework_id = @frameworkId ORDER BY position, {db.Dialect.IdKey("id")}
            """,
            new { p, frameworkId }, cancellationToken: ct))).AsList();
        var alignments = (await AlignmentQueries.ForPlanAsync(c, db.Dialect, p, planId, ct)).Where(a => a.FrameworkId == frameworkId).ToList();
        var priorities = (await c.QueryAsync<ItemRow>(new CommandDefinition("""
            SELECT id AS Id, code AS Code, title AS Title FROM priorities
            WHERE partnership_id = @p AND plan_id = @planId
            """, new { p, planId }, cancellationToken: ct))).ToDictionary(r => r.Id);
        var commitments = (await c.QueryAsync<CommitmentRow>(new CommandDefinition("""
            SELECT cm.id AS Id, cm.priority_id AS PriorityId, cm.code AS Code, cm.title AS Title, cm.status AS Status FROM commitments cm
            JOIN priorities p ON p.partnership_id = cm.partnership_id AND p.id = cm.priority_id
            WHERE cm.partnership_id = @p AND p.plan_id = @planId
            """, new { p, planId }, cancellationToken: ct))).ToDictionary(r => r.Id);
        var indicatorIds = alignments.Where(a => a.IndicatorId is not null).Select(a => a.IndicatorId!.Value).Distinct().ToArray();
        var indicators = indicatorIds.Length == 0 ? [] : (await c.QueryAsync<ItemRow>(new CommandDefinition($"""
            SELECT id AS Id, code AS Code, name AS Title FROM indicators
            WHERE partnership_id = @p AND {db.Dialect.InIds("id", "@ids")}
            """, new { p, ids = SqlDialect.IdList(indicatorIds) }, cancellationToken: ct))).ToDictionary(r => r.Id);

        var result = new List<OutcomeCoverage>();
        foreach (var o in outcomes)
        {
            var mine = alignments.Where(a => a.OutcomeId == o.Id).ToList();
            var alignedPriorities = mine.Where(a => a.PriorityId is { } id && priorities.ContainsKey(id))
                .Select(a => (Row: priorities[a.PriorityId!.Value], Alignment: a)).OrderBy(x => x.Row.Code, StringComparer.Ordinal).ToList();
            var alignedCommitments = mine.Where(a => a.CommitmentId is { } id && commitments.ContainsKey(id))
                .Select(a => (Row: commitments[a.CommitmentId!.Value], Alignment: a)).OrderBy(x => x.Row.Code, StringComparer.Ordinal).ToList();
            var alignedIndicators = mine.Where(a => a.IndicatorId is { } id && indicators.ContainsKey(id))
                .Select(a => (Row: indicators[a.IndicatorId!.Value], Alignment: a)).OrderBy(x => x.Row.Code, StringComparer.Ordinal).ToList();
            var priorityIds = alignedPriorities.Select(x => x.Row.Id).ToHashSet();
            var delivering = commitments.Values
                .Where(cm => priorityIds.Contains(cm.PriorityId) || alignedCommitments.Any(x => x.Row.Id == cm.Id))
                .Select(cm => EnumText<CommitmentStatus>.Parse(cm.Status));
            result.Add(new OutcomeCoverage(o.Id, o.Code, o.Title, o.Position,
                alignedPriorities.Select(x => new AlignedItem(x.Row.Id, x.Row.Code, x.Row.Title, x.Alignment.Id, x.Alignment.Rationale)).ToList(),
                alignedCommitments.Select(x => new AlignedCommitment(x.Row.Id, x.Row.Code, x.Row.Title, EnumText<CommitmentStatus>.Parse(x.Row.Status),
                    x.Alignment.Id, x.Alignment.Rationale)).ToList(),
                alignedIndicators.Select(x => new AlignedItem(x.Row.Id, x.Row.Code, x.Row.Title, x.Alignment.Id, x.Alignment.Rationale)).ToList(),
                CommitmentStatusCounts.Of(delivering),
                mine.Count > 0));
        }
        var gaps = result.Where(r => !r.Covered).Select(r => new CoverageGap(r.OutcomeId, r.Code, r.Title)).ToList();
        return new FrameworkCoverage(framework.Id, framework.Code, framework.VersionNo, framework.Title, plan.Id, plan.Title,
            result.Count, result.Count - gaps.Count, result, gaps);
    }
}
