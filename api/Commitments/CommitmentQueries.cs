using System.Data.Common;
using Csp.Api.Alignments;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Plans;
using Csp.Api.Priorities;
using Dapper;

namespace Csp.Api.Commitments;

public sealed class CommitmentQueries(Db db, AuditedWriter writer)
{
    private sealed record Row(Guid Id, Guid PriorityId, string Code, string Title, string? Description, Guid? LeadAgencyId,
        DateOnly? StartDate, DateOnly? DueDate, string Status, Guid? LatestUpdateId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    private sealed record UpdateRow(Guid Id, Guid CommitmentId, string Status, string Commentary, string? Author, DateOnly AsAt,
        long? PercentComplete, Guid? ClientId, DateTimeOffset CreatedAt)
    {
        public CommitmentUpdate ToUpdate() => new(Id, CommitmentId, EnumText<CommitmentStatus>.Parse(Status), Commentary, Author, AsAt,
            PercentComplete is { } p ? (int)p : null, ClientId, CreatedAt);
    }

    private sealed record PartnerRow(Guid CommitmentId, Guid AgencyId);

    private const string Columns = """
        c.id AS Id, c.priority_id AS PriorityId, c.code AS Code, c.title AS Title, c.description AS Description,
        c.lead_agency_id AS LeadAgencyId, c.start_date AS StartDate, c.due_date AS DueDate, c.status AS Status,
        c.latest_update_id AS LatestUpdateId, c.version AS Version, c.created_at AS CreatedAt, c.updated_at AS UpdatedAt
        """;

    private const string UpdateColumns = """
        u.id AS Id, u.commitment_id AS CommitmentId, u.status AS Status, u.commentary AS Commentary, u.author AS Author, u.as_at AS AsAt,
        u.percent_complete AS PercentComplete, u.client_id AS ClientId, u.created_at AS CreatedAt
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

    private static async Task<Commitment?> GetAsync(WriteUnit w, Guid id) =>
        (await LoadAsync(w.Connection, w.Transaction, w.Dialect, w.PartnershipId,
            "FROM commitments c WHERE c.partnership_id = @partnershipId AND c.id = @id", new { partnershipId = w.PartnershipId, id }, w.Token))
        .SingleOrDefault();

    private static WriteRefusal CodeTaken(string code) => WriteRefusal.Invalid("code", $"The priority already has a commitment with code '{code}'.");

    private static Task<WriteRefusal?> UnknownAgenciesAsync(WriteUnit w, CommitmentRequest request) =>
        References.Agencies.CheckAsync(w,
            [("leadAgencyId", request.LeadAgencyId), .. (request.PartnerAgencyIds ?? []).Select(id => ("partnerAgencyIds", (Guid?)id))]);

    /// <summary>The plan a commitment's priority belongs to.</summary>
    private static Task<Guid> PlanOfAsync(WriteUnit w, Guid priorityId) =>
        w.Connection.ExecuteScalarAsync<Guid>(w.Command("SELECT plan_id FROM priorities WHERE partnership_id = @PartnershipId AND id = @priorityId",
            new { w.PartnershipId, priorityId }));

    public Task<WriteResult<Commitment>> CreateAsync(Tenant tenant, Guid priorityId, CommitmentRequest request, CancellationToken ct)
    {
        Priority? priority = null;
        return writer.CreateAsync(tenant, new Create<Commitment>(EntityTypes.Commitment, async w =>
        {
            var id = Ids.New();
            await w.ExecuteAsync("""
                INSERT INTO commitments (partnership_id, id, priority_id, code, title, description, lead_agency_id, start_date, due_date,
                                         status, version, created_at, updated_at)
                VALUES (@PartnershipId, @id, @priorityId, @Code, @Title, @Description, @LeadAgencyId, @StartDate, @DueDate,
                        @NotStarted, 1, @Now, @Now)
                """, new
            {
                w.PartnershipId, id, priorityId, request.Code, request.Title, request.Description, request.LeadAgencyId,
                request.StartDate, request.DueDate, NotStarted, w.Now,
            });
            await ReplacePartnersAsync(w, id, request.PartnerAgencyIds);
            await PlanQueries.TouchAsync(w, priority!.PlanId);
            return (await GetAsync(w, id))!;
        })
        {
            Check = async w =>
            {
                if (await UnknownAgenciesAsync(w, request) is { } unknown) return unknown;
                priority = await PriorityQueries.GetAsync(w, priorityId);
                if (priority is null) return WriteRefusal.NotFound("priority " + priorityId);
                return await PlanQueries.ContentsWritableAsync(w, priority.PlanId);
            },
            OnUnique = CodeTaken(request.Code),
        }, ct);
    }

    public Task<WriteResult<Commitment>> UpdateAsync(Tenant tenant, Guid id, CommitmentRequest request, long? ifMatch, CancellationToken ct) =>
        writer.UpdateAsync(tenant, ifMatch, new Update<Commitment>(EntityTypes.Commitment, w => GetAsync(w, id), async (w, _) =>
        {
            await w.ExecuteAsync("""
                UPDATE commitments SET code = @Code, title = @Title, description = @Description, lead_agency_id = @LeadAgencyId,
                       start_date = @StartDate, due_date = @DueDate, version = version + 1, updated_at = @Now
                WHERE partnership_id = @PartnershipId AND id = @id
                """, new
            {
                w.PartnershipId, id, request.Code, request.Title, request.Description, request.LeadAgencyId, request.StartDate, request.DueDate, w.Now,
            });
            await ReplacePartnersAsync(w, id, request.PartnerAgencyIds);
        })
        {
            Check = async (w, current) =>
                await UnknownAgenciesAsync(w, request) ?? await ArchivedAsync(w, await PlanOfAsync(w, current.PriorityId)),
            AfterChange = async (w, current, _) => await PlanQueries.TouchAsync(w, await PlanOfAsync(w, current.PriorityId)),
            OnUnique = CodeTaken(request.Code),
        }, ct);

    public Task<WriteResult<Commitment>> DeleteAsync(Tenant tenant, Guid id, long? ifMatch, CancellationToken ct) =>
        writer.DeleteAsync(tenant, ifMatch, new Delete<Commitment>(EntityTypes.Commitment, w => GetAsync(w, id), async (w, current) =>
        {
            // Its alignments would cascade without a trace; they go first, each with its tombstone for the change feed.
            await AlignmentQueries.RemoveAsync(w, AlignmentQueries.Owner.Commitment, id);
            await w.ExecuteAsync("DELETE FROM commitments WHERE partnership_id = @PartnershipId AND id = @id", new { w.PartnershipId, id });
            await PlanQueries.TouchAsync(w, await PlanOfAsync(w, current.PriorityId));
        })
        {
            Check = async (w, current) => await ArchivedAsync(w, await PlanOfAsync(w, current.PriorityId)),
        }, ct);

    /// <summary>Appends a progress update. It becomes the commitment's latest (and its status the commitment's) unless the latest
    /// describes a later date: an update for an earlier date fills in the history.</summary>
    public Task<WriteResult<CommitmentUpdate>> AddUpdateAsync(Tenant tenant, Guid commitmentId, CommitmentUpdateRequest request, CancellationToken ct)
    {
        Commitment? current = null;
        var planId = Guid.Empty;
        return writer.CreateAsync(tenant, new Create<CommitmentUpdate>(EntityTypes.CommitmentUpdate, async w =>
        {
            var update = new CommitmentUpdate(Ids.New(), commitmentId, request.Status!.Value, request.Commentary, request.Author,
                request.AsAt ?? DateOnly.FromDateTime(w.Now.UtcDateTime), request.PercentComplete, w.Tenant.Caller.ClientId, w.Now);
            var status = EnumText<CommitmentStatus>.Text(update.Status);
            await w.ExecuteAsync("""
                INSERT INTO commitment_updates (partnership_id, id, commitment_id, status, commentary, author, as_at, percent_complete, client_id, created_at)
                VALUES (@PartnershipId, @Id, @CommitmentId, @status, @Commentary, @Author, @AsAt, @PercentComplete, @ClientId, @CreatedAt)
                """, new
            {
                w.PartnershipId, update.Id, update.CommitmentId, status, update.Commentary, update.Author, update.AsAt, update.PercentComplete,
                update.ClientId, update.CreatedAt,
            });
            if (current!.LatestUpdate is { } latest && latest.AsAt > update.AsAt) return update;
            await w.ExecuteAsync("""
                UPDATE commitments SET status = @status, latest_update_id = @Id, version = version + 1, updated_at = @Now
                WHERE partnership_id = @PartnershipId AND id = @commitmentId
                """, new { w.PartnershipId, commitmentId, status, update.Id, w.Now });
            await PlanQueries.TouchAsync(w, planId);
            await AuditLog.RecordAsync(w, AuditActions.Update, EntityTypes.Commitment, commitmentId,
                AuditLog.Diff(current, current with { Status = update.Status, LatestUpdate = update }));
            return update;
        })
        {
            Check = async w =>
            {
                current = await GetAsync(w, commitmentId);
                if (current is null) return WriteRefusal.NotFound("commitment " + commitmentId);
                planId = await PlanOfAsync(w, current.PriorityId);
                return await ArchivedAsync(w, planId);
            },
        }, ct);
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

    private static async Task<WriteRefusal?> ArchivedAsync(WriteUnit w, Guid planId) =>
        await PlanQueries.ContentsWritableAsync(w, planId) is { Status: WriteStatus.Conflict } archived ? archived : null;

    private static async Task ReplacePartnersAsync(WriteUnit w, Guid commitmentId, IReadOnlyList<Guid>? agencyIds)
    {
        await w.ExecuteAsync("DELETE FROM commitment_partners WHERE partnership_id = @PartnershipId AND commitment_id = @commitmentId",
            new { w.PartnershipId, commitmentId });
        if (agencyIds is not { Count: > 0 }) return;
        await w.ExecuteAsync("""
            INSERT INTO commitment_partners (partnership_id, commitment_id, agency_id) VALUES (@PartnershipId, @commitmentId, @agencyId)
            """, agencyIds.Select(agencyId => new { w.PartnershipId, commitmentId, agencyId }));
    }
}

/// <summary>The commitment lists' filters (all optional, combined with AND); dates are inclusive.</summary>
/// <param name="Overdue">Due before <paramref name="Today"/> and neither completed nor cancelled.</param>
public sealed record CommitmentFilter(IReadOnlySet<CommitmentStatus>? Statuses, Guid? LeadAgencyId, DateOnly? DueBefore, DateOnly? DueAfter, bool Overdue, DateOnly Today)
{
    public static readonly CommitmentFilter None = new(null, null, null, null, false, default);

    private static readonly string Completed = EnumText<CommitmentStatus>.Text(CommitmentStatus.Completed);
    private static readonly string Cancelled = EnumText<CommitmentStatus>.Text(CommitmentStatus.Cancelled);

    /// <summary>Appended to a WHERE over commitments aliased <c>c</c>.</summary>
    internal const string Sql = """
        AND (@AnyStatus = 1 OR c.status IN @Statuses)
        AND (@LeadAgencyId IS NULL OR c.lead_agency_id = @LeadAgencyId)
        AND (@DueBefore IS NULL OR c.due_date <= @DueBefore)
        AND (@DueAfter IS NULL OR c.due_date >= @DueAfter)
        AND (@Overdue = 0 OR (c.due_date < @Today AND c.status <> @Completed AND c.status <> @Cancelled))
        """;

    internal DynamicParameters With(DynamicParameters parameters)
    {
        parameters.AddDynamicParams(new
        {
            AnyStatus = Statuses is null ? 1 : 0, Statuses = Statuses?.Select(EnumText<CommitmentStatus>.Text).ToArray() ?? [],
            LeadAgencyId, DueBefore, DueAfter, Overdue = Overdue ? 1 : 0, Today, Completed, Cancelled,
        });
        return parameters;
    }
}
