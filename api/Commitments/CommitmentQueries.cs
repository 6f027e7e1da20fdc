using System.Data.Common;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Plans;
using Csp.Api.Priorities;
using Dapper;

namespace Csp.Api.Commitments;

public sealed class CommitmentQueries(Db db, TimeProvider clock)
{
    private sealed record Row(Guid Id, Guid PriorityId, string Code, string Title, string? Description, Guid? LeadAgencyId,
        DateOnly? StartDate, DateOnly? DueDate, string Status, Guid? LatestUpdateId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    private sealed record UpdateRow(Guid Id, Guid CommitmentId, string Status, string Commentary, Guid? ClientId, DateTimeOffset CreatedAt)
    {
        public CommitmentUpdate ToUpdate() => new(Id, CommitmentId, EnumText<CommitmentStatus>.Parse(Status), Commentary, ClientId, CreatedAt);
    }

    private sealed record PartnerRow(Guid CommitmentId, Guid AgencyId);

    private const string Columns = """
        c.id AS Id, c.priority_id AS PriorityId, c.code AS Code, c.title AS Title, c.description AS Description,
        c.lead_agency_id AS LeadAgencyId, c.start_date AS StartDate, c.due_date AS DueDate, c.status AS Status,
        c.latest_update_id AS LatestUpdateId, c.version AS Version, c.created_at AS CreatedAt, c.updated_at AS UpdatedAt
        """;

    private const string UpdateColumns = """
        u.id AS Id, u.commitment_id AS CommitmentId, u.status AS Status, u.commentary AS Commentary, u.client_id AS ClientId, u.created_at AS CreatedAt
        """;

    private static readonly string NotStarted = EnumText<CommitmentStatus>.Text(CommitmentStatus.NotStarted);

    public async Task<IReadOnlyList<Commitment>> ListByPriorityAsync(Tenant tenant, Guid priorityId, CommitmentFilter filter, PageRequest page,
        CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await LoadAsync(c, null, db.Dialect, tenant.PartnershipId, $"""
            FROM commitments c
            WHERE c.partnership_id = @PartnershipId AND c.priority_id = @priorityId AND (@After IS NULL OR {db.Dialect.IdKey("c.id")} > {db.Dialect.IdKey("@After")})
              {CommitmentFilter.Sql}
            ORDER BY {db.Dialect.IdKey("c.id")} {db.Dialect.Limit}
            """, filter.With(new DynamicParameters(new { tenant.PartnershipId, priorityId, After = page.AfterId, Limit = page.Fetch })), ct);
    }

    /// <summary>A page of the commitments of every priority of a plan, filtered (for portals that filter across priorities).</summary>
    public async Task<IReadOnlyList<Commitment>> ListByPlanAsync(Tenant tenant, Guid planId, CommitmentFilter filter, PageRequest page,
        CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await LoadAsync(c, null, db.Dialect, tenant.PartnershipId, $"""
            FROM commitments c
            JOIN priorities p ON p.partnership_id = c.partnership_id AND p.id = c.priority_id
            WHERE c.partnership_id = @PartnershipId AND p.plan_id = @planId AND (@After IS NULL OR {db.Dialect.IdKey("c.id")} > {db.Dialect.IdKey("@After")})
              {CommitmentFilter.Sql}
            ORDER BY {db.Dialect.IdKey("c.id")} {db.Dialect.Limit}
            """, filter.With(new DynamicParameters(new { tenant.PartnershipId, planId, After = page.AfterId, Limit = page.Fetch })), ct);
    }

    /// <summary>Every commitment of a plan, for the plan document: three queries whatever the plan's size.</summary>
    public static Task<IReadOnlyList<Commitment>> ListByPlanAsync(DbConnection c, SqlDialect dialect, Guid partnershipId, Guid planId, CancellationToken ct) =>
        LoadAsync(c, null, dialect, partnershipId, $"""
            FROM commitments c
            JOIN priorities p ON p.partnership_id = c.partnership_id AND p.id = c.priority_id
            WHERE c.partnership_id = @partnershipId AND p.plan_id = @planId
            ORDER BY {dialect.IdKey("c.id")}
            """, new { partnershipId, planId }, ct);

    public async Task<Commitment?> GetAsync(Tenant tenant, Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await GetAsync(c, null, tenant.PartnershipId, id, ct);
    }

    private async Task<Commitment?> GetAsync(DbConnection c, DbTransaction? tx, Guid partnershipId, Guid id, CancellationToken ct) =>
        (await LoadAsync(c, tx, db.Dialect, partnershipId, "FROM commitments c WHERE c.partnership_id = @partnershipId AND c.id = @id", new { partnershipId, id }, ct))
        .SingleOrDefault();

    /// <summary>
    /// Loads commitments selected by <paramref name="from"/> (a FROM … WHERE … over alias <c>c</c>), then
    /// their partner agencies and latest updates in one query each, keyed by the same ids.
    /// </summary>
    private static async Task<IReadOnlyList<Commitment>> LoadAsync(DbConnection c, DbTransaction? tx, SqlDialect dialect, Guid partnershipId,
        string from, object args, CancellationToken ct)
    {
        var rows = (await c.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} {from}", args, tx, cancellationToken: ct))).AsList();
        if (rows.Count == 0) return [];
        var ids = SqlDialect.IdList(rows.Select(r => r.Id));
        var partners = (await c.QueryAsync<PartnerRow>(new CommandDefinition($"""
            SELECT commitment_id AS CommitmentId, agency_id AS AgencyId FROM commitment_partners
            WHERE partnership_id = @partnershipId AND {dialect.InIds("commitment_id", "@ids")} ORDER BY {dialect.IdKey("commitment_id")}, {dialect.IdKey("agency_id")}
            """, new { partnershipId, ids }, tx, cancellationToken: ct))).ToLookup(p => p.CommitmentId, p => p.AgencyId);
        var withUpdates = rows.Where(r => r.LatestUpdateId is not null).Select(r => r.LatestUpdateId!.Value).ToArray();
        var latestIds = SqlDialect.IdList(withUpdates);
        var latest = withUpdates.Length == 0
            ? new Dictionary<Guid, CommitmentUpdate>()
            : (await c.QueryAsync<UpdateRow>(new CommandDefinition($"""
                SELECT {UpdateColumns} FROM commitment_updates u WHERE u.partnership_id = @partnershipId AND {dialect.InIds("u.id", "@latestIds")}
                """, new { partnershipId, latestIds }, tx, cancellationToken: ct)))
                .ToDictionary(u => u.CommitmentId, u => u.ToUpdate());
        return rows.Select(r => new Commitment(r.Id, r.PriorityId, r.Code, r.Title, r.Description, r.LeadAgencyId,
                partners[r.Id].ToList(), r.StartDate, r.DueDate, EnumText<CommitmentStatus>.Parse(r.Status),
                latest.GetValueOrDefault(r.Id), r.Version, r.CreatedAt, r.UpdatedAt))
            .ToList();
    }

    public async Task<WriteOutcome<Commitment>> CreateAsync(Tenant tenant, Guid priorityId, CommitmentRequest request, CancellationToken ct)
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            var priority = await PriorityQueries.GetAsync(c, tx, tenant.PartnershipId, priorityId, ct);
            if (priority is null) return WriteOutcome<Commitment>.Missing;
            if (await Refusal(c, tx, tenant, priority.PlanId, ct) is { } refused) return refused;
            var now = clock.GetUtcNow();
            var id = Ids.New();
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO commitments (partnership_id, id, priority_id, code, title, description, lead_agency_id, start_date, due_date,
                                         status, version, created_at, updated_at)
                VALUES (@PartnershipId, @id, @priorityId, @Code, @Title, @Description, @LeadAgencyId, @StartDate, @DueDate,
                        @NotStarted, 1, @now, @now)
                """, new
            {
                tenant.PartnershipId, id, priorityId, request.Code, request.Title, request.Description, request.LeadAgencyId,
                request.StartDate, request.DueDate, NotStarted, now,
            }, tx, cancellationToken: ct));
            await ReplacePartnersAsync(c, tx, tenant.PartnershipId, id, request.PartnerAgencyIds, ct);
            await PlanQueries.TouchAsync(c, tx, tenant.PartnershipId, priority.PlanId, now, ct);
            var created = await GetAsync(c, tx, tenant.PartnershipId, id, ct);
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Create, EntityTypes.Commitment, id, AuditLog.Diff(null, created), now, ct);
            await tx.CommitAsync(ct);
            return WriteOutcome<Commitment>.Done(created!);
        }
    }

    public async Task<WriteOutcome<Commitment>> UpdateAsync(Tenant tenant, Guid id, CommitmentRequest request, long? expectedVersion, CancellationToken ct)
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            var (current, planId, refusal) = await LoadForWriteAsync(c, tx, tenant, id, expectedVersion, ct);
            if (refusal is { } r) return r;
            var proposed = current! with
            {
                Code = request.Code, Title = request.Title, Description = request.Description, LeadAgencyId = request.LeadAgencyId,
                PartnerAgencyIds = (request.PartnerAgencyIds ?? []).Order().ToList(), StartDate = request.StartDate, DueDate = request.DueDate,
            };
            var changes = AuditLog.Diff(current with { PartnerAgencyIds = current.PartnerAgencyIds.Order().ToList() }, proposed);
            if (changes.Count == 0) return WriteOutcome<Commitment>.Done(current);
            var now = clock.GetUtcNow();
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE commitments SET code = @Code, title = @Title, description = @Description, lead_agency_id = @LeadAgencyId,
                       start_date = @StartDate, due_date = @DueDate, version = version + 1, updated_at = @now
                WHERE partnership_id = @PartnershipId AND id = @id
                """, new
            {
                tenant.PartnershipId, id, request.Code, request.Title, request.Description, request.LeadAgencyId,
                request.StartDate, request.DueDate, now,
            }, tx, cancellationToken: ct));
            await ReplacePartnersAsync(c, tx, tenant.PartnershipId, id, request.PartnerAgencyIds, ct);
            await PlanQueries.TouchAsync(c, tx, tenant.PartnershipId, planId, now, ct);
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Update, EntityTypes.Commitment, id, changes, now, ct);
            var after = await GetAsync(c, tx, tenant.PartnershipId, id, ct);
            await tx.CommitAsync(ct);
            return WriteOutcome<Commitment>.Done(after!);
        }
    }

    public async Task<WriteOutcome<bool>> DeleteAsync(Tenant tenant, Guid id, long? expectedVersion, CancellationToken ct)
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            var (current, planId, refusal) = await LoadForWriteAsync(c, tx, tenant, id, expectedVersion, ct);
            if (refusal is { } r) return new(r.Status, false, r.Message);
            var now = clock.GetUtcNow();
            // Its alignments would cascade without a trace; they go first, each with its tombstone for the change feed.
            await Alignments.AlignmentQueries.RemoveAsync(c, tx, db.Dialect, tenant, Alignments.AlignmentQueries.Owner.Commitment, id, now, ct);
            await c.ExecuteAsync(new CommandDefinition("DELETE FROM commitments WHERE partnership_id = @PartnershipId AND id = @id",
                new { tenant.PartnershipId, id }, tx, cancellationToken: ct));
            await PlanQueries.TouchAsync(c, tx, tenant.PartnershipId, planId, now, ct);
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Delete, EntityTypes.Commitment, id, AuditLog.Diff(current, null), now, ct);
            await tx.CommitAsync(ct);
            return WriteOutcome<bool>.Done(true);
        }
    }

    /// <summary>Appends a progress update; the commitment's status becomes the update's.</summary>
    public async Task<WriteOutcome<CommitmentUpdate>> AddUpdateAsync(Tenant tenant, Guid commitmentId, CommitmentUpdateRequest request, CancellationToken ct)
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            var (current, planId, refusal) = await LoadForWriteAsync(c, tx, tenant, commitmentId, null, ct);
            if (refusal is { } r) return new(r.Status, null, r.Message);
            var now = clock.GetUtcNow();
            var update = new CommitmentUpdate(Ids.New(), commitmentId, request.Status!.Value, request.Commentary, tenant.Caller.ClientId, now);
            var status = EnumText<CommitmentStatus>.Text(update.Status);
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO commitment_updates (partnership_id, id, commitment_id, status, commentary, client_id, created_at)
                VALUES (@PartnershipId, @Id, @CommitmentId, @status, @Commentary, @ClientId, @CreatedAt)
                """, new { tenant.PartnershipId, update.Id, update.CommitmentId, status, update.Commentary, update.ClientId, update.CreatedAt },
                tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE commitments SET status = @status, latest_update_id = @Id, version = version + 1, updated_at = @now
                WHERE partnership_id = @PartnershipId AND id = @commitmentId
                """, new { tenant.PartnershipId, commitmentId, status, update.Id, now }, tx, cancellationToken: ct));
            await PlanQueries.TouchAsync(c, tx, tenant.PartnershipId, planId, now, ct);
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Create, EntityTypes.CommitmentUpdate, update.Id, AuditLog.Diff(null, update), now, ct);
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Update, EntityTypes.Commitment, commitmentId,
                AuditLog.Diff(current, current! with { Status = update.Status, LatestUpdate = update }), now, ct);
            await tx.CommitAsync(ct);
            return WriteOutcome<CommitmentUpdate>.Done(update);
        }
    }

    public async Task<IReadOnlyList<CommitmentUpdate>> ListUpdatesAsync(Tenant tenant, Guid commitmentId, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<UpdateRow>(new CommandDefinition($"""
            SELECT {UpdateColumns} FROM commitment_updates u
            WHERE u.partnership_id = @PartnershipId AND u.commitment_id = @commitmentId AND (@After IS NULL OR {db.Dialect.IdKey("u.id")} > {db.Dialect.IdKey("@After")})
            ORDER BY {db.Dialect.IdKey("u.id")} {db.Dialect.Limit}
            """, new { tenant.PartnershipId, commitmentId, After = page.AfterId, Limit = page.Fetch }, cancellationToken: ct));
        return rows.Select(r => r.ToUpdate()).ToList();
    }

    private async Task<(Commitment? Current, Guid PlanId, WriteOutcome<Commitment>? Refusal)> LoadForWriteAsync(
        DbConnection c, DbTransaction tx, Tenant tenant, Guid id, long? expectedVersion, CancellationToken ct)
    {
        var current = await GetAsync(c, tx, tenant.PartnershipId, id, ct);
        if (current is null) return (null, default, WriteOutcome<Commitment>.Missing);
        if (expectedVersion is { } v && v != current.Version) return (current, default, WriteOutcome<Commitment>.Stale);
        var planId = await c.ExecuteScalarAsync<Guid>(new CommandDefinition(
            "SELECT plan_id FROM priorities WHERE partnership_id = @PartnershipId AND id = @PriorityId",
            new { tenant.PartnershipId, current.PriorityId }, tx, cancellationToken: ct));
        return (current, planId, await Refusal(c, tx, tenant, planId, ct));
    }

    private static async Task<WriteOutcome<Commitment>?> Refusal(DbConnection c, DbTransaction tx, Tenant tenant, Guid planId, CancellationToken ct) =>
        await PlanQueries.StatusAsync(c, tx, tenant.PartnershipId, planId, ct) == PlanStatus.Archived
            ? WriteOutcome<Commitment>.Conflict("The plan is archived; its contents can no longer change.")
            : null;

    private static async Task ReplacePartnersAsync(DbConnection c, DbTransaction tx, Guid partnershipId, Guid commitmentId,
        IReadOnlyList<Guid>? agencyIds, CancellationToken ct)
    {
        await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM commitment_partners WHERE partnership_id = @partnershipId AND commitment_id = @commitmentId",
            new { partnershipId, commitmentId }, tx, cancellationToken: ct));
        if (agencyIds is not { Count: > 0 }) return;
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO commitment_partners (partnership_id, commitment_id, agency_id) VALUES (@partnershipId, @commitmentId, @agencyId)
            """, agencyIds.Select(agencyId => new { partnershipId, commitmentId, agencyId }), tx, cancellationToken: ct));
    }
}

/// <summary>The commitment lists' filters (all optional, combined with AND); dates are inclusive.</summary>
/// <param name="Overdue">Due before <paramref name="Today"/> and neither completed nor cancelled.</param>
public sealed record CommitmentFilter(CommitmentStatus? Status, Guid? LeadAgencyId, DateOnly? DueBefore, DateOnly? DueAfter, bool Overdue, DateOnly Today)
{
    public static readonly CommitmentFilter None = new(null, null, null, null, false, default);

    private static readonly string Completed = EnumText<CommitmentStatus>.Text(CommitmentStatus.Completed);
    private static readonly string Cancelled = EnumText<CommitmentStatus>.Text(CommitmentStatus.Cancelled);

    /// <summary>Appended to a WHERE over commitments aliased <c>c</c>.</summary>
    internal const string Sql = """
        AND (@Status IS NULL OR c.status = @Status)
        AND (@LeadAgencyId IS NULL OR c.lead_agency_id = @LeadAgencyId)
        AND (@DueBefore IS NULL OR c.due_date <= @DueBefore)
        AND (@DueAfter IS NULL OR c.due_date >= @DueAfter)
        AND (@Overdue = 0 OR (c.due_date < @Today AND c.status <> @Completed AND c.status <> @Cancelled))
        """;

    internal DynamicParameters With(DynamicParameters parameters)
    {
        parameters.AddDynamicParams(new
        {
            Status = Status is { } s ? EnumText<CommitmentStatus>.Text(s) : null,
            LeadAgencyId, DueBefore, DueAfter, Overdue = Overdue ? 1 : 0, Today, Completed, Cancelled,
        });
        return parameters;
    }
}
