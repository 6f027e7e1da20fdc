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

public sealed class AlignmentQueries(Db db, AuditedWriter writer)
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

    private static Task<Alignment?> GetAsync(WriteUnit w, Guid id) => GetAsync(w.Connection, w.Transaction, w.PartnershipId, id, w.Token);

    private const string ArchivedPlan = "The plan is archived; its contents can no longer change.";

    /// <summary>Creates the alignment and bumps the version of every plan whose document shows it, in one transaction.</summary>
    public Task<WriteResult<Alignment>> CreateAsync(Tenant tenant, AlignmentRequest request, CancellationToken ct)
    {
        var (field, target, targetId) = request.PriorityId is { } pr ? ("priorityId", References.Priorities, pr)
            : request.CommitmentId is { } cm ? ("commitmentId", References.Commitments, cm)
            : ("indicatorId", References.Indicators, request.IndicatorId!.Value);
        return writer.CreateAsync(tenant, new Create<Alignment>(EntityTypes.Alignment, async w =>
        {
            var id = Ids.New();
            await w.ExecuteAsync("""
                INSERT INTO alignments (partnership_id, id, outcome_id, priority_id, commitment_id, indicator_id, rationale, version, created_at, updated_at)
                VALUES (@PartnershipId, @id, @OutcomeId, @PriorityId, @CommitmentId, @IndicatorId, @Rationale, 1, @Now, @Now)
                """, new { w.PartnershipId, id, request.OutcomeId, request.PriorityId, request.CommitmentId, request.IndicatorId, request.Rationale, w.Now });
            await TouchPlansAsync(w, [id]);
            return (await GetAsync(w, id))!;
        })
        {
            Check = async w =>
            {
                if (await References.Outcomes.CheckAsync(w, [("outcomeId", request.OutcomeId)]) is { } noOutcome) return noOutcome;
                if (await target.CheckAsync(w, [(field, targetId)]) is { } noTarget) return noTarget;
                // Priorities and commitments belong to one plan; an archived plan's contents no longer change.
                if (request.IndicatorId is null && await ArchivedPlanOfAsync(w, request.PriorityId, request.CommitmentId))
                    return WriteRefusal.Conflict(ArchivedPlan);
                return await w.ScalarAsync<long>("""
                        SELECT COUNT(*) FROM alignments
                        WHERE partnership_id = @PartnershipId AND outcome_id = @OutcomeId
                          AND (priority_id = @PriorityId OR commitment_id = @CommitmentId OR indicator_id = @IndicatorId)
                        """, new { w.PartnershipId, request.OutcomeId, request.PriorityId, request.CommitmentId, request.IndicatorId }) > 0
                    ? WriteRefusal.Conflict($"The {target.Noun} is already aligned to this outcome.")
                    : null;
            },
            // Two concurrent requests for the same alignment: the unique index refuses the second.
            OnUnique = WriteRefusal.Conflict("The target is already aligned to this outcome."),
        }, ct);
    }

    public Task<WriteResult<Alignment>> DeleteAsync(Tenant tenant, Guid id, long? ifMatch, CancellationToken ct) =>
        writer.DeleteAsync(tenant, ifMatch, new Delete<Alignment>(EntityTypes.Alignment, w => GetAsync(w, id), async (w, _) =>
        {
            // The plans are found before the row goes: afterwards nothing links them to it.
            await TouchPlansAsync(w, [id]);
            await w.ExecuteAsync("DELETE FROM alignments WHERE partnership_id = @PartnershipId AND id = @id", new { w.PartnershipId, id });
        })
        {
            Check = async (w, current) => current.IndicatorId is null && await ArchivedPlanOfAsync(w, current.PriorityId, current.CommitmentId)
                ? WriteRefusal.Conflict(ArchivedPlan)
                : null,
        }, ct);

    /// <summary>What a delete takes alignments with it from.</summary>
    internal enum Owner { Outcome, Framework, Priority, PlanContents, Commitment, Indicator }

    /// <summary>
    /// Inside a delete that would take alignments with it (of an outcome, a framework, a priority with its commitments, a
    /// plan's priorities and commitments — its indicators outlive it —, a commitment or an indicator): records their
    /// tombstones, bumps the plans whose documents showed them, and deletes them. SQL Server cannot cascade priorities to alignments (db/sqlserver/0004),
    /// so priority and plan deletes must call this first.
    /// </summary>
    internal static async Task RemoveAsync(WriteUnit w, Owner owner, Guid ownerId)
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
        var ids = (await w.QueryAsync<Guid>(sql, new { partnershipId = w.PartnershipId, ownerId })).AsList();
        if (ids.Count == 0) return;
        await TouchPlansAsync(w, ids);
        foreach (var id in ids)
        {
            await w.ExecuteAsync("DELETE FROM alignments WHERE partnership_id = @PartnershipId AND id = @id", new { w.PartnershipId, id });
            await AuditLog.RecordAsync(w, AuditActions.Delete, EntityTypes.Alignment, id, []);
        }
    }

    /// <summary>Bumps the version of every plan whose document shows one of the alignments.</summary>
    internal static async Task TouchPlansAsync(WriteUnit w, IReadOnlyList<Guid> alignmentIds)
    {
        foreach (var planId in await PlansOfAsync(w.Connection, w.Transaction, w.Dialect, w.PartnershipId, alignmentIds, w.Token))
            await PlanQueries.TouchAsync(w, planId);
    }

    /// <summary>The ids of an outcome's alignments.</summary>
    internal static async Task<IReadOnlyList<Guid>> OfOutcomeAsync(WriteUnit w, Guid outcomeId) =>
        (await w.QueryAsync<Guid>("SELECT a.id FROM alignments a WHERE a.partnership_id = @PartnershipId AND a.outcome_id = @outcomeId",
            new { w.PartnershipId, outcomeId })).AsList();

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

    private static async Task<bool> ArchivedPlanOfAsync(WriteUnit w, Guid? priorityId, Guid? commitmentId)
    {
        var planId = await w.ScalarAsync<Guid?>("""
            SELECT p.plan_id FROM priorities p
            WHERE p.partnership_id = @PartnershipId
              AND (p.id = @priorityId OR p.id = (SELECT cm.priority_id FROM commitments cm WHERE cm.partnership_id = @PartnershipId AND cm.id = @commitmentId))
            """, new { w.PartnershipId, priorityId, commitmentId });
        return planId is { } id && await PlanQueries.ContentsWritableAsync(w, id) is { Status: WriteStatus.Conflict };
    }
}
