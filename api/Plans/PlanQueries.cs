using System.Data.Common;
using Csp.Api.Alignments;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Plans;

public sealed class PlanQueries(Db db, AuditedWriter writer)
{
    private sealed record Row(Guid Id, string Title, DateOnly PeriodStart, DateOnly PeriodEnd, string Status, DateOnly? ApprovedOn,
        string? ApprovedBy, Guid? SupersedesId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Summary,
        string? AssessmentFindings, string? ApprovalMinuteUrl)
    {
        public Plan ToPlan() => new(Id, Title, PeriodStart, PeriodEnd, EnumText<PlanStatus>.Parse(Status), ApprovedOn, ApprovedBy,
            SupersedesId, Version, CreatedAt, UpdatedAt, Summary, AssessmentFindings, ApprovalMinuteUrl);
    }

    internal const string Columns = """
        id AS Id, title AS Title, period_start AS PeriodStart, period_end AS PeriodEnd, status AS Status,
        approved_on AS ApprovedOn, approved_by AS ApprovedBy, supersedes_id AS SupersedesId,
        version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt, summary AS Summary, assessment_findings AS AssessmentFindings,
        approval_minute_url AS ApprovalMinuteUrl
        """;

    private static readonly string Approved = EnumText<PlanStatus>.Text(PlanStatus.Approved);
    private static readonly string Draft = EnumText<PlanStatus>.Text(PlanStatus.Draft);
    private static readonly string Archived = EnumText<PlanStatus>.Text(PlanStatus.Archived);

    public async Task<IReadOnlyList<Plan>> ListAsync(Tenant tenant, IReadOnlySet<PlanStatus>? statuses, PageRequest page, CancellationToken ct,
        bool excludeDrafts = false)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM plans
            WHERE partnership_id = @PartnershipId AND (@AnyStatus = 1 OR status IN @Statuses) AND (@After IS NULL OR {db.Dialect.IdKey("id")} > {db.Dialect.IdKey("@After")})
              AND (@excludeDrafts = 0 OR status <> @Draft)
            ORDER BY {db.Dialect.IdKey("id")} {db.Dialect.Limit}
            """,
            new
            {
                tenant.PartnershipId, AnyStatus = statuses is null ? 1 : 0, Statuses = statuses?.Select(EnumText<PlanStatus>.Text).ToArray() ?? [],
                After = page.AfterId, Limit = page.Fetch,
                excludeDrafts = excludeDrafts ? 1 : 0, Draft,
            },
            cancellationToken: ct));
        return rows.Select(r => r.ToPlan()).ToList();
    }

    public async Task<Plan?> GetAsync(Tenant tenant, Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await GetAsync(c, null, tenant.PartnershipId, id, ct);
    }

    internal static async Task<Plan?> GetAsync(DbConnection c, DbTransaction? tx, Guid partnershipId, Guid id, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM plans WHERE partnership_id = @partnershipId AND id = @id",
            new { partnershipId, id }, tx, cancellationToken: ct));
        return row?.ToPlan();
    }

    /// <summary>The approved plan whose period covers <paramref name="today"/> (approved plans never overlap).</summary>
    public async Task<Guid?> CurrentIdAsync(Tenant tenant, DateOnly today, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await c.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition("""
            SELECT id FROM plans
            WHERE partnership_id = @PartnershipId AND status = @Approved AND period_start <= @today AND period_end >= @today
            """, new { tenant.PartnershipId, Approved, today }, cancellationToken: ct));
    }

    private static async Task<Plan?> GetAsync(WriteUnit w, Guid id) =>
        (await w.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM plans WHERE partnership_id = @PartnershipId AND id = @id",
            new { w.PartnershipId, id }))?.ToPlan();

    public Task<WriteResult<Plan>> CreateAsync(Tenant tenant, PlanRequest request, CancellationToken ct) =>
        writer.CreateAsync(tenant, new Create<Plan>(EntityTypes.Plan, async w =>
        {
            var plan = new Plan(Ids.New(), request.Title, request.PeriodStart!.Value, request.PeriodEnd!.Value, PlanStatus.Draft,
                null, null, null, 1, w.Now, w.Now, request.Summary, request.AssessmentFindings);
            await w.ExecuteAsync("""
                INSERT INTO plans (partnership_id, id, title, period_start, period_end, status, version, created_at, updated_at, summary,
                                   assessment_findings)
                VALUES (@PartnershipId, @Id, @Title, @PeriodStart, @PeriodEnd, @Draft, 1, @CreatedAt, @UpdatedAt, @Summary, @AssessmentFindings)
                """, new
            {
                w.PartnershipId, plan.Id, plan.Title, plan.PeriodStart, plan.PeriodEnd, Draft, plan.CreatedAt, plan.UpdatedAt, plan.Summary,
                plan.AssessmentFindings,
            });
            return plan;
        }), ct);

    public Task<WriteResult<Plan>> UpdateAsync(Tenant tenant, Guid id, PlanRequest request, long? ifMatch, CancellationToken ct) =>
        writer.UpdateAsync(tenant, ifMatch, new Update<Plan>(EntityTypes.Plan, w => GetAsync(w, id), (w, _) => w.ExecuteAsync("""
            UPDATE plans SET title = @Title, period_start = @PeriodStart, period_end = @PeriodEnd, summary = @Summary,
                   assessment_findings = @AssessmentFindings, version = version + 1, updated_at = @Now
            WHERE partnership_id = @PartnershipId AND id = @id
            """, new { w.PartnershipId, id, request.Title, request.PeriodStart, request.PeriodEnd, request.Summary, request.AssessmentFindings, w.Now }))
        {
            Check = async (w, plan) =>
            {
                if (plan.Status == PlanStatus.Archived) return WriteRefusal.Conflict("An archived plan cannot be changed.");
                if (plan.Status == PlanStatus.Approved
                    && await OverlapsApprovedAsync(w, id, request.PeriodStart!.Value, request.PeriodEnd!.Value) is { } other)
                    return WriteRefusal.Conflict($"The new period overlaps approved plan {other}.");
                return null;
            },
        }, ct);

    /// <param name="approval">The decision (validated); null (a deprecated approval without a body): approved today, by a body not
    /// named.</param>
    public Task<WriteResult<Plan>> ApproveAsync(Tenant tenant, Guid id, PlanApprovalRequest? approval, long? ifMatch, CancellationToken ct) =>
        writer.UpdateAsync(tenant, ifMatch, new Update<Plan>(EntityTypes.Plan, w => GetAsync(w, id), (w, _) => w.ExecuteAsync("""
            UPDATE plans SET status = @Approved, approved_on = @approvedOn, approved_by = @approvedBy, approval_minute_url = @minuteUrl,
                   version = version + 1, updated_at = @Now
            WHERE partnership_id = @PartnershipId AND id = @id
            """, new
        {
            w.PartnershipId, id, Approved, approvedOn = approval?.ApprovedOn ?? DateOnly.FromDateTime(w.Now.UtcDateTime),
            approvedBy = approval?.ApprovedBy, minuteUrl = approval?.MinuteUrl, w.Now,
        }))
        {
            Action = AuditActions.Approve,
            Check = async (w, plan) =>
            {
                if (plan.Status != PlanStatus.Draft)
                    return WriteRefusal.Conflict($"Only a draft plan can be approved; this one is {EnumText<PlanStatus>.Text(plan.Status)}.");
                if (await OverlapsApprovedAsync(w, id, plan.PeriodStart, plan.PeriodEnd) is { } other)
                    return WriteRefusal.Conflict($"Approved plans may not overlap: plan {other} already covers part of " +
                                                 $"{plan.PeriodStart:yyyy-MM-dd}–{plan.PeriodEnd:yyyy-MM-dd}. Archive it first.");
                return null;
            },
        }, ct);

    public Task<WriteResult<Plan>> ArchiveAsync(Tenant tenant, Guid id, long? ifMatch, CancellationToken ct) =>
        writer.UpdateAsync(tenant, ifMatch, new Update<Plan>(EntityTypes.Plan, w => GetAsync(w, id), (w, _) => w.ExecuteAsync("""
            UPDATE plans SET status = @Archived, version = version + 1, updated_at = @Now
            WHERE partnership_id = @PartnershipId AND id = @id
            """, new { w.PartnershipId, id, Archived, w.Now }))
        {
            Action = AuditActions.Archive,
            Check = (_, plan) => Task.FromResult(plan.Status == PlanStatus.Approved ? null
                : WriteRefusal.Conflict($"Only an approved plan can be archived; this one is {EnumText<PlanStatus>.Text(plan.Status)}.")),
        }, ct);

    public Task<WriteResult<Plan>> DeleteAsync(Tenant tenant, Guid id, long? ifMatch, CancellationToken ct) =>
        writer.DeleteAsync(tenant, ifMatch, new Delete<Plan>(EntityTypes.Plan, w => GetAsync(w, id), async (w, _) =>
        {
            // SQL Server cannot cascade priorities to alignments (db/sqlserver/0004): they go first, each with its tombstone.
            await AlignmentQueries.RemoveAsync(w, AlignmentQueries.Owner.PlanContents, id);
            await Tombstones.ForPlanContentsAsync(w, id);
            // Plans this one was refreshed into keep existing; they just stop pointing at it.
            await w.ExecuteAsync("UPDATE plans SET supersedes_id = NULL WHERE partnership_id = @PartnershipId AND supersedes_id = @id",
                new { w.PartnershipId, id });
            await w.ExecuteAsync("DELETE FROM plans WHERE partnership_id = @PartnershipId AND id = @id", new { w.PartnershipId, id });
        })
        {
            Check = (_, plan) => Task.FromResult(plan.Status == PlanStatus.Draft ? null
                : WriteRefusal.Conflict("Only a draft plan can be deleted; archive an approved plan instead.")),
        }, ct);

    /// <summary>Bumps the plan's version inside a child's write, so the plan document's ETag changes.</summary>
    internal static Task TouchAsync(WriteUnit w, Guid planId) =>
        w.ExecuteAsync("UPDATE plans SET version = version + 1, updated_at = @Now WHERE partnership_id = @PartnershipId AND id = @planId",
            new { w.PartnershipId, planId, w.Now });

    /// <summary>The rule every write of a plan's contents checks: the plan exists (else not found) and is not archived.</summary>
    internal static async Task<WriteRefusal?> ContentsWritableAsync(WriteUnit w, Guid planId) =>
        await w.QuerySingleOrDefaultAsync<string>("SELECT status FROM plans WHERE partnership_id = @PartnershipId AND id = @planId",
                new { w.PartnershipId, planId }) switch
        {
            null => WriteRefusal.NotFound("plan " + planId),
            var status when EnumText<PlanStatus>.Parse(status) == PlanStatus.Archived =>
                WriteRefusal.Conflict("The plan is archived; its contents can no longer change."),
            _ => null,
        };

    private static Task<Guid?> OverlapsApprovedAsync(WriteUnit w, Guid id, DateOnly start, DateOnly end) =>
        w.Connection.QueryFirstOrDefaultAsync<Guid?>(w.Command("""
            SELECT id FROM plans
            WHERE partnership_id = @PartnershipId AND status = @Approved AND id <> @id AND period_start <= @end AND period_end >= @start
            """, new { w.PartnershipId, Approved, id, start, end }));
}
