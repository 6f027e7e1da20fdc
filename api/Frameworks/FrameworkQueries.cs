using System.Data.Common;
using Csp.Api.Alignments;
using Csp.Api.Audit;
using Csp.Api.Commitments;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Frameworks;

public sealed class FrameworkQueries(Db db, TimeProvider clock, AuditedWriter writer)
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

    public Task<Framework> CreateAsync(Tenant tenant, FrameworkRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var framework = new Framework(Ids.New(), request.Code, 1, request.Title, request.Publisher, request.AdoptedOn, request.Url,
            null, null, 1, now, now);
        return writer.CreateAsync(tenant, EntityTypes.Framework, framework, (c, tx, f, _) => InsertAsync(c, tx, tenant.PartnershipId, f, ct), ct);
    }

    private static Task InsertAsync(DbConnection c, DbTransaction tx, Guid partnershipId, Framework f, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO frameworks (partnership_id, id, code, version_no, title, publisher, adopted_on, url, supersedes_id, version, created_at, updated_at)
            VALUES (@partnershipId, @Id, @Code, @VersionNo, @Title, @Publisher, @AdoptedOn, @Url, @SupersedesId, 1, @CreatedAt, @UpdatedAt)
            """, new { partnershipId, f.Id, f.Code, f.VersionNo, f.Title, f.Publisher, f.AdoptedOn, f.Url, f.SupersedesId, f.CreatedAt, f.UpdatedAt },
            tx, cancellationToken: ct));

    public Task<WriteOutcome<Framework>> UpdateAsync(Tenant tenant, Guid id, FrameworkRequest request, long? expectedVersion, CancellationToken ct) =>
        writer.UpdateAsync(tenant, EntityTypes.Framework, expectedVersion, (c, tx) => GetAsync(c, tx, tenant.PartnershipId, id, ct),
            current => current with { Code = request.Code, Title = request.Title, Publisher = request.Publisher, AdoptedOn = request.AdoptedOn, Url = request.Url },
            (c, tx, f, now) => c.ExecuteAsync(new CommandDefinition("""
                UPDATE frameworks SET code = @Code, title = @Title, publisher = @Publisher, adopted_on = @AdoptedOn, url = @Url,
                       version = version + 1, updated_at = @now
                WHERE partnership_id = @PartnershipId AND id = @Id
                """, new { tenant.PartnershipId, f.Id, f.Code, f.Title, f.Publisher, f.AdoptedOn, f.Url, now }, tx, cancellationToken: ct)),
            ct);

    /// <summary>Deletes the framework version with its outcomes and their alignments (each with its own audit event).</summary>
    public Task<WriteOutcome<bool>> DeleteAsync(Tenant tenant, Guid id, long? expectedVersion, CancellationToken ct) =>
        writer.DeleteAsync(tenant, EntityTypes.Framework, expectedVersion, (c, tx) => GetAsync(c, tx, tenant.PartnershipId, id, ct),
            async (c, tx, f, now) =>
            {
                await AlignmentQueries.RemoveAsync(c, tx, db.Dialect, tenant, AlignmentQueries.Owner.Framework, f.Id, now, ct);
                var outcomes = await c.QueryAsync<Guid>(new CommandDefinition(
                    "SELECT id FROM outcomes WHERE partnership_id = @PartnershipId AND framework_id = @Id", new { tenant.PartnershipId, f.Id }, tx, cancellationToken: ct));
                foreach (var outcomeId in outcomes)
                    await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Delete, EntityTypes.Outcome, outcomeId, [], now, ct);
                // A newer version stays; it just stops pointing at the one removed.
                await c.ExecuteAsync(new CommandDefinition(
                    "UPDATE frameworks SET supersedes_id = NULL WHERE partnership_id = @PartnershipId AND supersedes_id = @Id",
                    new { tenant.PartnershipId, f.Id }, tx, cancellationToken: ct));
                await c.ExecuteAsync(new CommandDefinition("DELETE FROM frameworks WHERE partnership_id = @PartnershipId AND id = @Id",
                    new { tenant.PartnershipId, f.Id }, tx, cancellationToken: ct));
            }, ct);

    /// <summary>
    /// A new version of the framework: the same code, the next version number, its outcomes copied (new ids, same codes,
    /// titles and order). The old version and its alignments stay as they are, readable; only the current version can be
    /// versioned again.
    /// </summary>
    public async Task<WriteOutcome<Framework>> NewVersionAsync(Tenant tenant, Guid id, FrameworkVersionRequest request, CancellationToken ct)
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            var p = tenant.PartnershipId;
            var old = await GetAsync(c, tx, p, id, ct);
            if (old is null) return WriteOutcome<Framework>.Missing;
            if (old.SupersededById is { } newer)
                return WriteOutcome<Framework>.Conflict($"Version {old.VersionNo} is already superseded by framework {newer}; make a new version of that one.");
            var versionNo = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT MAX(version_no) FROM frameworks WHERE partnership_id = @p AND code = @Code", new { p, old.Code }, tx, cancellationToken: ct)) + 1;
            var now = clock.GetUtcNow();
            var created = new Framework(Ids.New(), old.Code, versionNo, request.Title, request.Publisher, request.AdoptedOn, request.Url,
                old.Id, null, 1, now, now);
            await InsertAsync(c, tx, p, created, ct);
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Create, EntityTypes.Framework, created.Id, AuditLog.Diff(null, created), now, ct);
            var outcomes = await c.QueryAsync<Outcome>(new CommandDefinition(
                $"""
                SELECT {OutcomeColumns} FROM outcomes WHERE partnership_id = @p AND framework_id = @id ORDER BY position, {db.Dialect.IdKey("id")}
                """,
                new { p, id }, tx, cancellationToken: ct));
            foreach (var o in outcomes)
            {
                var copy = o with { Id = Ids.New(), FrameworkId = created.Id, Version = 1, CreatedAt = now, UpdatedAt = now };
                await InsertOutcomeAsync(c, tx, p, copy, ct);
                await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Create, EntityTypes.Outcome, copy.Id, AuditLog.Diff(null, copy), now, ct);
            }
            await tx.CommitAsync(ct);
            return WriteOutcome<Framework>.Done(created);
        }
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

    private static Task InsertOutcomeAsync(DbConnection c, DbTransaction tx, Guid partnershipId, Outcome o, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outcomes (partnership_id, id, framework_id, code, title, description, position, version, created_at, updated_at)
            VALUES (@partnershipId, @Id, @FrameworkId, @Code, @Title, @Description, @Position, 1, @CreatedAt, @UpdatedAt)
            """, new { partnershipId, o.Id, o.FrameworkId, o.Code, o.Title, o.Description, o.Position, o.CreatedAt, o.UpdatedAt },
            tx, cancellationToken: ct));

    public async Task<WriteOutcome<Outcome>> CreateOutcomeAsync(Tenant tenant, Guid frameworkId, OutcomeRequest request, CancellationToken ct)
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            var p = tenant.PartnershipId;
            if (await GetAsync(c, tx, p, frameworkId, ct) is null) return WriteOutcome<Outcome>.Missing;
            var position = request.Position ?? await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM outcomes WHERE partnership_id = @p AND framework_id = @frameworkId",
                new { p, frameworkId }, tx, cancellationToken: ct));
            var now = clock.GetUtcNow();
            var outcome = new Outcome(Ids.New(), frameworkId, request.Code, request.Title, request.Description, position, 1, now, now);
            await InsertOutcomeAsync(c, tx, p, outcome, ct);
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Create, EntityTypes.Outcome, outcome.Id, AuditLog.Diff(null, outcome), now, ct);
            await tx.CommitAsync(ct);
            return WriteOutcome<Outcome>.Done(outcome);
        }
    }

    /// <summary>Replaces the outcome; plan documents that show an alignment to it (with its code and title) get a new version.</summary>
    public Task<WriteOutcome<Outcome>> UpdateOutcomeAsync(Tenant tenant, Guid id, OutcomeRequest request, long? expectedVersion, CancellationToken ct) =>
        writer.UpdateAsync(tenant, EntityTypes.Outcome, expectedVersion, (c, tx) => GetOutcomeAsync(c, tx, tenant.PartnershipId, id, ct),
            current => current with { Code = request.Code, Title = request.Title, Description = request.Description, Position = request.Position ?? current.Position },
            async (c, tx, o, now) =>
            {
                await c.ExecuteAsync(new CommandDefinition("""
                    UPDATE outcomes SET code = @Code, title = @Title, description = @Description, position = @Position,
                           version = version + 1, updated_at = @now
                    WHERE partnership_id = @PartnershipId AND id = @Id
                    """, new { tenant.PartnershipId, o.Id, o.Code, o.Title, o.Description, o.Position, now }, tx, cancellationToken: ct));
                await AlignmentQueries.TouchPlansAsync(c, tx, db.Dialect, tenant.PartnershipId,
                    await AlignmentQueries.OfOutcomeAsync(c, tx, tenant.PartnershipId, o.Id, ct), now, ct);
            }, ct);

    /// <summary>Deletes the outcome with its alignments (each with its own audit event).</summary>
    public Task<WriteOutcome<bool>> DeleteOutcomeAsync(Tenant tenant, Guid id, long? expectedVersion, CancellationToken ct) =>
        writer.DeleteAsync(tenant, EntityTypes.Outcome, expectedVersion, (c, tx) => GetOutcomeAsync(c, tx, tenant.PartnershipId, id, ct),
            async (c, tx, o, now) =>
            {
                await AlignmentQueries.RemoveAsync(c, tx, db.Dialect, tenant, AlignmentQueries.Owner.Outcome, o.Id, now, ct);
                await c.ExecuteAsync(new CommandDefinition("DELETE FROM outcomes WHERE partnership_id = @PartnershipId AND id = @Id",
                    new { tenant.PartnershipId, o.Id }, tx, cancellationToken: ct));
            }, ct);

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
