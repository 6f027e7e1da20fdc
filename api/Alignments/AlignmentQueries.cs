using System.Data.Common;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Plans;
using Dapper;

namespace Csp.Api.Alignments;

/// <summary>The alignments list's filters (all optional, combined with AND).</summary>
public readonly record struct AlignmentFilter(Guid? OutcomeId, Guid? FrameworkId, Guid? PriorityId, Guid? CommitmentId, Guid? IndicatorId);

public sealed class AlignmentQueries(Db db, TimeProvider clock)
{
    internal const string Columns = """
        a.id AS Id, a.outcome_id AS OutcomeId, o.framework_id AS FrameworkId, o.code AS OutcomeCode, o.title AS OutcomeTitle,
        a.priority_id AS PriorityId, a.commitment_id AS CommitmentId, a.indicator_id AS IndicatorId, a.rationale AS Rationale,
        a.version AS Version, a.created_at AS CreatedAt, a.updated_at AS UpdatedAt
        """;

    public async Task<IReadOnlyList<Alignment>> ListAsync(Tenant tenant, AlignmentFilter filter, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<Alignment>(new CommandDefinition($"""
            SELECT {Columns}
            FROM alignments a JOIN outcomes o ON o.partnership_id = a.partnership_id AND o.id = a.outcome_id
            WHERE a.partnership_id = @PartnershipId AND (@After IS NULL OR {db.Dialect.IdKey("a.id")} > {db.Dialect.IdKey("@After")})
              AND (@OutcomeId IS NULL OR a.outcome_id = @OutcomeId)
              AND (@FrameworkId IS NULL OR o.framework_id = @FrameworkId)
              AND (@PriorityId IS NULL OR a.priority_id = @PriorityId)
              AND (@CommitmentId IS NULL OR a.commitment_id = @CommitmentId)
              AND (@IndicatorId IS NULL OR a.indicator_id = @IndicatorId)
            ORDER BY {db.Dialect.IdKey("a.id")} {db.Dialect.Limit}
            """, new
        {
            tenant.PartnershipId, After = page.AfterId, filter.OutcomeId, filter.FrameworkId, filter.PriorityId, filter.CommitmentId,
            filter.IndicatorId, Limit = page.Fetch,
        }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<Alignment?> GetAsync(Tenant tenant, Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await GetAsync(c, null, tenant.PartnershipId, id, ct);
    }

    private static Task<Alignment?> GetAsync(DbConnection c, DbTransaction? tx, Guid partnershipId, Guid id, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<Alignment?>(new CommandDefinition(
            $"""
            SELECT {Columns}
            FROM alignments a JOIN outcomes o ON o.partnership_id = a.partnership_id AND o.id = a.outcome_id
            WHERE a.partnership_id = @partnershipId AND a.id = @id
            """,
            new { partnershipId, id }, tx, cancellationToken: ct));

    /// <summary>
    /// Every alignment whose target is in the plan: its priorities, its commitments, and the indicators linked to its
    /// priorities. For the whole-plan document; ordered by id (creation order).
    /// </summary>
    public static async Task<IReadOnlyList<Alignment>> ForPlanAsync(DbConnection c, SqlDialect dialect, Guid partnershipId, Guid planId, CancellationToken ct)
    {
        _ = dialect; // the SQL is common to both engines
        var rows = await c.QueryAsync<Alignment>(new CommandDefinition($"""
            SELECT {Columns}
            FROM alignments a JOIN outcomes o ON o.partnership_id = a.partnership_id AND o.id = a.outcome_id
            WHERE a.partnership_id = @partnershipId AND (
                a.priority_id IN (SELECT p.id FROM priorities p WHERE p.partnership_id = @partnershipId AND p.plan_id = @planId)
             OR a.commitment_id IN (SELECT cm.id FROM commitments cm
                    JOIN priorities p ON p.partnership_id = cm.partnership_id AND p.id = cm.priority_id
                    WHERE cm.partnership_id = @partnershipId AND p.plan_id = @planId)
             OR a.indicator_id IN (SELECT ip.indicator_id FROM indicator_priorities ip
                    JOIN priorities p ON p.partnership_id = ip.partnership_id AND p.id = ip.priority_id
                    WHERE ip.partnership_id = @partnershipId AND p.plan_id = @planId))
            ORDER BY {dialect.IdKey("a.id")}
            """, new { partnershipId, planId }, cancellationToken: ct));
        return rows.AsList();
    }

    public enum CreateStatus { Created, UnknownReference, Archived, Duplicate }

    /// <summary>Creates the alignment and bumps the version of every plan whose document shows it, in one transaction.</summary>
    public async Task<(CreateStatus Status, Alignment? Value, string? Field, string? Message)> CreateAsync(Tenant tenant, AlignmentRequest request,
        CancellationToken ct)
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            var p = tenant.PartnershipId;
            if (!await ExistsAsync(c, tx, "outcomes", p, request.OutcomeId!.Value, ct))
                return (CreateStatus.UnknownReference, null, "outcomeId", $"There is no outcome {request.OutcomeId} in this partnership.");
            var (field, table, target) = request.PriorityId is { } pr ? ("priorityId", "priorities", pr)
                : request.CommitmentId is { } cm ? ("commitmentId", "commitments", cm)
                : ("indicatorId", "indicators", request.IndicatorId!.Value);
            if (!await ExistsAsync(c, tx, table, p, target, ct))
                return (CreateStatus.UnknownReference, null, field, $"There is no {field[..^2]} {target} in this partnership.");
            // Priorities and commitments belong to one plan; an archived plan's contents no longer change.
            if (request.IndicatorId is null && await ArchivedPlanOfAsync(c, tx, p, request.PriorityId, request.CommitmentId, ct))
                return (CreateStatus.Archived, null, null, "The plan is archived; its contents can no longer change.");
            if (await c.ExecuteScalarAsync<long>(new CommandDefinition("""
                    SELECT COUNT(*) FROM alignments
                    WHERE partnership_id = @p AND outcome_id = @OutcomeId
                      AND (priority_id = @PriorityId OR commitment_id = @CommitmentId OR indicator_id = @IndicatorId)
                    """, new { p, request.OutcomeId, request.PriorityId, request.CommitmentId, request.IndicatorId }, tx, cancellationToken: ct)) > 0)
                return (CreateStatus.Duplicate, null, null, $"The {field[..^2]} is already aligned to this outcome.");

            var now = clock.GetUtcNow();
            var id = Ids.New();
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO alignments (partnership_id, id, outcome_id, priority_id, commitment_id, indicator_id, rationale, version, created_at, updated_at)
                VALUES (@p, @id, @OutcomeId, @PriorityId, @CommitmentId, @IndicatorId, @Rationale, 1, @now, @now)
                """, new { p, id, request.OutcomeId, request.PriorityId, request.CommitmentId, request.IndicatorId, request.Rationale, now },
                tx, cancellationToken: ct));
            var created = await GetAsync(c, tx, p, id, ct);
            await TouchPlansAsync(c, tx, db.Dialect, p, [id], now, ct);
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Create, EntityTypes.Alignment, id, AuditLog.Diff(null, created), now, ct);
            await tx.CommitAsync(ct);
            return (CreateStatus.Created, created, null, null);
        }
    }

    public async Task<WriteOutcome<bool>> DeleteAsync(Tenant tenant, Guid id, long? expectedVersion, CancellationToken ct)
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            var current = await GetAsync(c, tx, tenant.PartnershipId, id, ct);
            if (current is null) return WriteOutcome<bool>.Missing;
            if (expectedVersion is { } v && v != current.Version) return WriteOutcome<bool>.Stale;
            if (current.IndicatorId is null && await ArchivedPlanOfAsync(c, tx, tenant.PartnershipId, current.PriorityId, current.CommitmentId, ct))
                return WriteOutcome<bool>.Conflict("The plan is archived; its contents can no longer change.");
            var now = clock.GetUtcNow();
            // The plans are found before the row goes: afterwards nothing links them to it.
            await TouchPlansAsync(c, tx, db.Dialect, tenant.PartnershipId, [id], now, ct);
            await c.ExecuteAsync(new CommandDefinition("DELETE FROM alignments WHERE partnership_id = @PartnershipId AND id = @id",
                new { tenant.PartnershipId, id }, tx, cancellationToken: ct));
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Delete, EntityTypes.Alignment, id, AuditLog.Diff(current, null), now, ct);
            await tx.CommitAsync(ct);
            return WriteOutcome<bool>.Done(true);
        }
    }

    /// <summary>What a delete takes alignments with it from.</summary>
    internal enum Owner { Outcome, Framework, Priority, PlanContents, Commitment, Indicator }

    /// <summary>
    /// Inside a delete that would take alignments with it (of an outcome, a framework, a priority with its commitments, a
    /// plan's priorities and commitments — its indicators outlive it —, a commitment or an indicator): records their
    /// tombstones, bumps the plans whose documents showed them, and deletes them. SQL Server cannot cascade priorities to alignments (db/sqlserver/0004),
    /// so priority and plan deletes must call this first.
    /// </summary>
    internal static async Task RemoveAsync(DbConnection c, DbTransaction tx, SqlDialect dialect, Tenant tenant, Owner owner, Guid ownerId,
        DateTimeOffset now, CancellationToken ct)
    {
        var sql = owner switch
        {
            Owner.Outcome => "SELECT a.id FROM alignments a WHERE a.partnership_id = @partnershipId AND a.outcome_id = @ownerId",
            Owner.Framework => """
                SELECT a.id FROM alignments a
                JOIN outcomes o ON o.partnership_id = a.partnership_id AND o.id = a.outcome_id
                WHERE a.partnership_id = @partnershipId AND o.framework_id = @ownerId
                """,
            Owner.Commitment => "SELECT a.id FROM alignments a WHERE a.partnership_id = @partnershipId AND a.commitment_id = @ownerId",
            Owner.Indicator => "SELECT a.id FROM alignments a WHERE a.partnership_id = @partnershipId AND a.indicator_id = @ownerId",
            Owner.Priority => """
                SELECT a.id FROM alignments a
                WHERE a.partnership_id = @partnershipId
                  AND (a.priority_id = @ownerId
                   OR a.commitment_id IN (SELECT cm.id FROM commitments cm WHERE cm.partnership_id = @partnershipId AND cm.priority_id = @ownerId))
                """,
            _ => """
                SELECT a.id FROM alignments a
                WHERE a.partnership_id = @partnershipId
                  AND (a.priority_id IN (SELECT p.id FROM priorities p WHERE p.partnership_id = @partnershipId AND p.plan_id = @ownerId)
                   OR a.commitment_id IN (SELECT cm.id FROM commitments cm
                        JOIN priorities p ON p.partnership_id = cm.partnership_id AND p.id = cm.priority_id
                        WHERE cm.partnership_id = @partnershipId AND p.plan_id = @ownerId))
                """,
        };
        var p = tenant.PartnershipId;
        var ids = (await c.QueryAsync<Guid>(new CommandDefinition(sql, new { partnershipId = p, ownerId }, tx, cancellationToken: ct))).AsList();
        if (ids.Count == 0) return;
        await TouchPlansAsync(c, tx, dialect, p, ids, now, ct);
        foreach (var id in ids)
        {
            await c.ExecuteAsync(new CommandDefinition("DELETE FROM alignments WHERE partnership_id = @p AND id = @id", new { p, id }, tx, cancellationToken: ct));
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Delete, EntityTypes.Alignment, id, [], now, ct);
        }
    }

    /// <summary>Bumps the version of every plan whose document shows one of the alignments.</summary>
    internal static async Task TouchPlansAsync(DbConnection c, DbTransaction tx, SqlDialect dialect, Guid partnershipId, IReadOnlyList<Guid> alignmentIds,
        DateTimeOffset now, CancellationToken ct)
    {
        foreach (var planId in await PlansOfAsync(c, tx, dialect, partnershipId, alignmentIds, ct))
            await PlanQueries.TouchAsync(c, tx, partnershipId, planId, now, ct);
    }

    /// <summary>The ids of an outcome's alignments.</summary>
    internal static async Task<IReadOnlyList<Guid>> OfOutcomeAsync(DbConnection c, DbTransaction tx, Guid partnershipId, Guid outcomeId, CancellationToken ct) =>
        (await c.QueryAsync<Guid>(new CommandDefinition(
            "SELECT a.id FROM alignments a WHERE a.partnership_id = @partnershipId AND a.outcome_id = @outcomeId",
            new { partnershipId, outcomeId }, tx, cancellationToken: ct))).AsList();

    /// <summary>The plans whose documents show these alignments: their priority's or commitment's plan, or every plan with a
    /// priority linked to their indicator.</summary>
    internal static async Task<IReadOnlyList<Guid>> PlansOfAsync(DbConnection c, DbTransaction? tx, SqlDialect dialect, Guid partnershipId,
        IReadOnlyList<Guid> alignmentIds, CancellationToken ct)
    {
        if (alignmentIds.Count == 0) return [];
        var ids = SqlDialect.IdList(alignmentIds);
        var plans = await c.QueryAsync<Guid>(new CommandDefinition($"""
            SELECT p.plan_id FROM alignments a
            JOIN priorities p ON p.partnership_id = a.partnership_id AND p.id = a.priority_id
            WHERE a.partnership_id = @partnershipId AND {dialect.InIds("a.id", "@ids")}
            UNION
            SELECT p.plan_id FROM alignments a
            JOIN commitments cm ON cm.partnership_id = a.partnership_id AND cm.id = a.commitment_id
            JOIN priorities p ON p.partnership_id = cm.partnership_id AND p.id = cm.priority_id
            WHERE a.partnership_id = @partnershipId AND {dialect.InIds("a.id", "@ids")}
            UNION
            SELECT p.plan_id FROM alignments a
            JOIN indicator_priorities ip ON ip.partnership_id = a.partnership_id AND ip.indicator_id = a.indicator_id
            JOIN priorities p ON p.partnership_id = ip.partnership_id AND p.id = ip.priority_id
            WHERE a.partnership_id = @partnershipId AND {dialect.InIds("a.id", "@ids")}
            """, new { partnershipId, ids }, tx, cancellationToken: ct));
        return plans.AsList();
    }

    private static async Task<bool> ExistsAsync(DbConnection c, DbTransaction tx, string table, Guid partnershipId, Guid id, CancellationToken ct)
    {
        var sql = table switch
        {
            "outcomes" => "SELECT COUNT(*) FROM outcomes WHERE partnership_id = @partnershipId AND id = @id",
            "priorities" => "SELECT COUNT(*) FROM priorities WHERE partnership_id = @partnershipId AND id = @id",
            "commitments" => "SELECT COUNT(*) FROM commitments WHERE partnership_id = @partnershipId AND id = @id",
            _ => "SELECT COUNT(*) FROM indicators WHERE partnership_id = @partnershipId AND id = @id",
        };
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { partnershipId, id }, tx, cancellationToken: ct)) > 0;
    }

    private static async Task<bool> ArchivedPlanOfAsync(DbConnection c, DbTransaction tx, Guid partnershipId, Guid? priorityId, Guid? commitmentId,
        CancellationToken ct)
    {
        var planId = await c.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            SELECT p.plan_id FROM priorities p
            WHERE p.partnership_id = @partnershipId
              AND (p.id = @priorityId OR p.id = (SELECT cm.priority_id FROM commitments cm WHERE cm.partnership_id = @partnershipId AND cm.id = @commitmentId))
            """, new { partnershipId, priorityId, commitmentId }, tx, cancellationToken: ct));
        return planId is { } id && await PlanQueries.StatusAsync(c, tx, partnershipId, id, ct) == PlanStatus.Archived;
    }
}
