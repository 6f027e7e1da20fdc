using System.Data.Common;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Plans;

public sealed class PlanQueries(Db db, TimeProvider clock, AuditedWriter writer)
{
    private sealed record Row(Guid Id, string Title, DateOnly PeriodStart, DateOnly PeriodEnd, string Status, DateOnly? ApprovedOn,
        string? ApprovedBy, Guid? SupersedesId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public Plan ToPlan() => new(Id, Title, PeriodStart, PeriodEnd, EnumText<PlanStatus>.Parse(Status), ApprovedOn, ApprovedBy,
            SupersedesId, Version, CreatedAt, UpdatedAt);
    }

    internal const string Columns = """
        id AS Id, title AS Title, period_start AS PeriodStart, period_end AS PeriodEnd, status AS Status,
        approved_on AS ApprovedOn, approved_by AS ApprovedBy, supersedes_id AS SupersedesId,
        version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private static readonly string Approved = EnumText<PlanStatus>.Text(PlanStatus.Approved);
    private static readonly string Draft = EnumText<PlanStatus>.Text(PlanStatus.Draft);
    private static readonly string Archived = EnumText<PlanStatus>.Text(PlanStatus.Archived);

    public async Task<IReadOnlyList<Plan>> ListAsync(Tenant tenant, PlanStatus? status, PageRequest page, CancellationToken ct,
        bool excludeDrafts = false)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM plans
            WHERE partnership_id = @PartnershipId AND (@Status IS NULL OR status = @Status) AND (@After IS NULL OR {db.Dialect.IdKey("id")} > {db.Dialect.IdKey("@After")})
              AND (@excludeDrafts = 0 OR status <> @Draft)
            ORDER BY {db.Dialect.IdKey("id")} {db.Dialect.Limit}
            """, new
            {
                tenant.PartnershipId, Status = status is { } s ? EnumText<PlanStatus>.Text(s) : null, After = page.AfterId, Limit = page.Fetch,
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

    public Task<Plan> CreateAsync(Tenant tenant, PlanRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var plan = new Plan(Ids.New(), request.Title, request.PeriodStart!.Value, request.PeriodEnd!.Value, PlanStatus.Draft,
            null, null, null, 1, now, now);
        return writer.CreateAsync(tenant, EntityTypes.Plan, plan, (c, tx, p, _) => c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO plans (partnership_id, id, title, period_start, period_end, status, version, created_at, updated_at)
            VALUES (@PartnershipId, @Id, @Title, @PeriodStart, @PeriodEnd, @Draft, 1, @CreatedAt, @UpdatedAt)
            """, new { tenant.PartnershipId, p.Id, p.Title, p.PeriodStart, p.PeriodEnd, Draft, p.CreatedAt, p.UpdatedAt },
            tx, cancellationToken: ct)), ct);
    }

    public Task<WriteOutcome<Plan>> UpdateAsync(Tenant tenant, Guid id, PlanRequest request, long? expectedVersion, CancellationToken ct) =>
        WriteAsync(tenant, id, expectedVersion, async (c, tx, plan) =>
        {
            if (plan.Status == PlanStatus.Archived) return "An archived plan cannot be changed.";
            if (plan.Status == PlanStatus.Approved
                && await OverlapsApprovedAsync(c, tx, tenant.PartnershipId, id, request.PeriodStart!.Value, request.PeriodEnd!.Value, ct) is { } other)
                return $"The new period overlaps approved plan {other}.";
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE plans SET title = @Title, period_start = @PeriodStart, period_end = @PeriodEnd, version = version + 1, updated_at = @now
                WHERE partnership_id = @PartnershipId AND id = @id
                """, new { tenant.PartnershipId, id, request.Title, request.PeriodStart, request.PeriodEnd, now = clock.GetUtcNow() }, tx,
                cancellationToken: ct));
            return null;
        }, AuditActions.Update, ct);

    public Task<WriteOutcome<Plan>> ApproveAsync(Tenant tenant, Guid id, string approvedBy, long? expectedVersion, CancellationToken ct) =>
        WriteAsync(tenant, id, expectedVersion, async (c, tx, plan) =>
        {
            if (plan.Status != PlanStatus.Draft) return $"Only a draft plan can be approved; this one is {EnumText<PlanStatus>.Text(plan.Status)}.";
            if (await OverlapsApprovedAsync(c, tx, tenant.PartnershipId, id, plan.PeriodStart, plan.PeriodEnd, ct) is { } other)
                return $"Approved plans may not overlap: plan {other} already covers part of {plan.PeriodStart:yyyy-MM-dd}–{plan.PeriodEnd:yyyy-MM-dd}. Archive it first.";
            var now = clock.GetUtcNow();
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE plans SET status = @Approved, approved_on = @today, approved_by = @approvedBy, version = version + 1, updated_at = @now
                WHERE partnership_id = @PartnershipId AND id = @id
                """, new { tenant.PartnershipId, id, Approved, today = DateOnly.FromDateTime(now.UtcDateTime), approvedBy, now }, tx,
                cancellationToken: ct));
            return null;
        }, AuditActions.Approve, ct);

    public Task<WriteOutcome<Plan>> ArchiveAsync(Tenant tenant, Guid id, long? expectedVersion, CancellationToken ct) =>
        WriteAsync(tenant, id, expectedVersion, async (c, tx, plan) =>
        {
            if (plan.Status != PlanStatus.Approved) return $"Only an approved plan can be archived; this one is {EnumText<PlanStatus>.Text(plan.Status)}.";
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE plans SET status = @Archived, version = version + 1, updated_at = @now
                WHERE partnership_id = @PartnershipId AND id = @id
                """, new { tenant.PartnershipId, id, Archived, now = clock.GetUtcNow() }, tx, cancellationToken: ct));
            return null;
        }, AuditActions.Archive, ct);

    public async Task<WriteOutcome<bool>> DeleteAsync(Tenant tenant, Guid id, long? expectedVersion, CancellationToken ct)
    {
        var outcome = await WriteAsync(tenant, id, expectedVersion, async (c, tx, plan) =>
        {
            if (plan.Status != PlanStatus.Draft) return "Only a draft plan can be deleted; archive an approved plan instead.";
            // SQL Server cannot cascade priorities to alignments (db/sqlserver/0004): they go first, each with its tombstone.
            await Alignments.AlignmentQueries.RemoveAsync(c, tx, db.Dialect, tenant, Alignments.AlignmentQueries.Owner.PlanContents, id, clock.GetUtcNow(), ct);
            await Tombstones.ForPlanContentsAsync(c, tx, tenant, id, clock.GetUtcNow(), ct);
            // Plans this one was refreshed into keep existing; they just stop pointing at it.
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE plans SET supersedes_id = NULL WHERE partnership_id = @PartnershipId AND supersedes_id = @id
                """, new { tenant.PartnershipId, id }, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(
                "DELETE FROM plans WHERE partnership_id = @PartnershipId AND id = @id",
                new { tenant.PartnershipId, id }, tx, cancellationToken: ct));
            return null;
        }, AuditActions.Delete, ct);
        return new WriteOutcome<bool>(outcome.Status, outcome.Status == WriteStatus.Done, outcome.Message);
    }

    /// <summary>Bumps the plan's version inside a child's write, so the plan document's ETag changes.</summary>
    internal static Task TouchAsync(DbConnection c, DbTransaction tx, Guid partnershipId, Guid planId, DateTimeOffset now, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition("""
            UPDATE plans SET version = version + 1, updated_at = @now WHERE partnership_id = @partnershipId AND id = @planId
            """, new { partnershipId, planId, now }, tx, cancellationToken: ct));

    /// <summary>The status of a plan inside a child's write transaction (null when it does not exist).</summary>
    internal static async Task<PlanStatus?> StatusAsync(DbConnection c, DbTransaction tx, Guid partnershipId, Guid planId, CancellationToken ct)
    {
        var status = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT status FROM plans WHERE partnership_id = @partnershipId AND id = @planId",
            new { partnershipId, planId }, tx, cancellationToken: ct));
        return status is null ? null : EnumText<PlanStatus>.Parse(status);
    }

    private static Task<Guid?> OverlapsApprovedAsync(DbConnection c, DbTransaction tx, Guid partnershipId, Guid id, DateOnly start, DateOnly end, CancellationToken ct) =>
        c.QueryFirstOrDefaultAsync<Guid?>(new CommandDefinition("""
            SELECT id FROM plans
            WHERE partnership_id = @partnershipId AND status = @Approved AND id <> @id AND period_start <= @end AND period_end >= @start
            """, new { partnershipId, Approved, id, start, end }, tx, cancellationToken: ct));

    /// <summary>
    /// Loads the plan inside a write transaction, checks If-Match, runs <paramref name="write"/> (which
    /// returns a conflict message to refuse), records the audit event and commits. The transaction makes
    /// the rule checks and the write one step, so two approvals cannot both pass the overlap check; a
    /// write that changed nothing is rolled back, so it leaves neither a new version nor an event.
    /// </summary>
    private async Task<WriteOutcome<Plan>> WriteAsync(Tenant tenant, Guid id, long? expectedVersion,
        Func<DbConnection, DbTransaction, Plan, Task<string?>> write, string action, CancellationToken ct)
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            var plan = await GetAsync(c, tx, tenant.PartnershipId, id, ct);
            if (plan is null) return WriteOutcome<Plan>.Missing;
            if (expectedVersion is { } v && v != plan.Version) return WriteOutcome<Plan>.Stale;
            if (await write(c, tx, plan) is { } conflict) return WriteOutcome<Plan>.Conflict(conflict);
            var after = action == AuditActions.Delete ? null : await GetAsync(c, tx, tenant.PartnershipId, id, ct);
            var changes = AuditLog.Diff(plan, after);
            if (!await AuditLog.RecordAsync(c, tx, tenant, action, EntityTypes.Plan, id, changes, clock.GetUtcNow(), ct))
                return WriteOutcome<Plan>.Done(plan); // nothing changed: the transaction rolls back
            await tx.CommitAsync(ct);
            return WriteOutcome<Plan>.Done(after ?? plan);
        }
    }
}
