using System.Data.Common;
using Csp.Api.Audit;
using Csp.Api.Commitments;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Priorities;
using Dapper;
using FluentValidation;

namespace Csp.Api.Plans;

/// <summary>Refresh an approved plan into a new draft for the next period.</summary>
/// <param name="Title">The new plan's title, e.g. "Southwark Community Safety Partnership Plan 2026–27".</param>
/// <param name="PeriodStart">First day the new plan covers.</param>
/// <param name="PeriodEnd">Last day the new plan covers (on or after the start).</param>
/// <param name="CarryOver">Commitments of the refreshed plan (ids) whose status carries over; every other copy starts as not_started.</param>
/// <param name="CarryOverAll">True: every commitment's status carries over (carryOver is then not needed).</param>
/// <param name="ShiftDates">True (the default): commitments' start and due dates move by the offset between the two plans' periods (whole
/// months when both periods start on the same day of the month, as financial years do; otherwise days). False: copied as they are.</param>
/// <param name="Include">Which finished commitments to copy as well: <c>completed</c> and/or <c>cancelled</c>. By default they are left out
/// (a commitment named in carryOver is always copied).</param>
public sealed record PlanRefreshRequest(string Title, DateOnly? PeriodStart, DateOnly? PeriodEnd, IReadOnlyList<Guid>? CarryOver, bool? CarryOverAll,
    bool? ShiftDates = null, IReadOnlyList<CommitmentStatus>? Include = null);

/// <summary>The new draft and what was copied into it.</summary>
/// <param name="Plan">The new draft plan; its supersedesId is the refreshed plan.</param>
/// <param name="Priorities">Priorities copied.</param>
/// <param name="Commitments">Commitments copied.</param>
/// <param name="LeftOut">Commitments not copied: completed or cancelled ones that <c>include</c> did not ask for.</param>
/// <param name="CarriedOver">Commitments whose status carried over (the others start as not_started).</param>
/// <param name="IndicatorLinks">Indicator-to-priority links copied.</param>
/// <param name="Alignments">Alignments of priorities and commitments copied (an indicator's alignments are its own and need no copy).</param>
public sealed record PlanRefreshResult(Plan Plan, int Priorities, int Commitments, int CarriedOver, int IndicatorLinks, int Alignments, int LeftOut);

public sealed class PlanRefreshRequestValidator : AbstractValidator<PlanRefreshRequest>
{
    public PlanRefreshRequestValidator()
    {
        RuleFor(x => x.Title).ValidName();
        RuleFor(x => x.PeriodStart).NotNull();
        RuleFor(x => x.PeriodEnd).NotNull()
            .GreaterThanOrEqualTo(x => x.PeriodStart).When(x => x.PeriodStart is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("'periodEnd' must be on or after 'periodStart'.");
        RuleFor(x => x.CarryOver).Must(ids => ids!.Count <= 1000 && ids.Distinct().Count() == ids.Count)
            .When(x => x.CarryOver is not null).WithMessage("'carryOver' must list each commitment once (at most 1,000).");
        RuleFor(x => x.Include).Must(statuses => statuses!.All(s => s is CommitmentStatus.Completed or CommitmentStatus.Cancelled))
            .When(x => x.Include is not null).WithMessage("'include' lists finished statuses only: completed, cancelled.");
    }
}

/// <summary>
/// The annual refresh: copies an approved (or archived) plan — priorities, commitments with their partners, indicator
/// links and alignments — into a new draft that supersedes it, in one transaction, with an audit event for everything
/// created or changed. Completed and cancelled commitments are left out unless asked for. Commitment statuses reset to
/// not_started unless carried over; a carried-over commitment starts its new history with one update that restates its
/// status and last commentary, so its status is always that of its latest update. Commitment dates move with the period
/// (unless shiftDates is false); codes and everything else are copied as they are, for officers to edit in the draft.
/// Two drafts refreshed from one plan may not overlap in period.
/// </summary>
public sealed class PlanRefresh(AuditedWriter writer)
{
    private sealed record PlanRow(Guid Id, string Title, string Status, DateOnly PeriodStart, DateOnly PeriodEnd, string? Summary,
        string? AssessmentFindings);

    private sealed record CommitmentRow(Guid Id, Guid PriorityId, string Code, string Title, string? Description, Guid? LeadAgencyId,
        DateOnly? StartDate, DateOnly? DueDate, string Status, string? LatestCommentary, string? LatestAuthor, DateOnly? LatestAsAt,
        long? LatestPercentComplete);

    private sealed record LinkRow(Guid IndicatorId, Guid PriorityId);

    private sealed record AlignmentRow(Guid OutcomeId, Guid? PriorityId, Guid? CommitmentId, string Rationale);

    private sealed record PartnerRow(Guid CommitmentId, Guid AgencyId);

    public Task<WriteResult<PlanRefreshResult>> RefreshAsync(Tenant tenant, Guid planId, PlanRefreshRequest request, CancellationToken ct) =>
        writer.RunAsync(tenant, WriteOp.Plain, w => RefreshAsync(w, planId, request), ct);

    private static async Task<WriteResult<PlanRefreshResult>> RefreshAsync(WriteUnit w, Guid planId, PlanRefreshRequest request)
    {
        var p = w.PartnershipId;
        var tenant = w.Tenant;
        var source = await w.Connection.QuerySingleOrDefaultAsync<PlanRow>(w.Command(
            """
            SELECT id AS Id, title AS Title, status AS Status, period_start AS PeriodStart, period_end AS PeriodEnd, summary AS Summary,
                   assessment_findings AS AssessmentFindings
            FROM plans WHERE partnership_id = @p AND id = @planId
            """, new { p, planId }));
        if (source is null) return WriteRefusal.NotFound();
        if (EnumText<PlanStatus>.Parse(source.Status) == PlanStatus.Draft)
            return WriteRefusal.Conflict("Only an approved (or archived) plan can be refreshed; this one is a draft.");
        var (start, end) = (request.PeriodStart!.Value, request.PeriodEnd!.Value);
        if (await w.Connection.QueryFirstOrDefaultAsync<Guid?>(w.Command("""
                SELECT id FROM plans
                WHERE partnership_id = @p AND supersedes_id = @planId AND status = @draft AND period_start <= @end AND period_end >= @start
                """, new { p, planId, draft = EnumText<PlanStatus>.Text(PlanStatus.Draft), start, end })) is { } other)
            return WriteRefusal.Conflict($"Draft plan {other}, refreshed from this plan too, already covers part of {start:yyyy-MM-dd}–{end:yyyy-MM-dd}. " +
                                         "Edit or delete that draft instead.");

        var priorities = (await w.Connection.QueryAsync<Priority>(w.Command($"""
            SELECT {PriorityQueries.Columns} FROM priorities WHERE partnership_id = @p AND plan_id = @planId ORDER BY position, {w.Dialect.IdKey("id")}
            """, new { p, planId }))).AsList();
        var commitments = (await w.Connection.QueryAsync<CommitmentRow>(w.Command($"""
            SELECT cm.id AS Id, cm.priority_id AS PriorityId, cm.code AS Code, cm.title AS Title, cm.description AS Description,
                   cm.lead_agency_id AS LeadAgencyId, cm.start_date AS StartDate, cm.due_date AS DueDate, cm.status AS Status,
                   u.commentary AS LatestCommentary, u.author AS LatestAuthor, u.as_at AS LatestAsAt, u.percent_complete AS LatestPercentComplete
            FROM commitments cm
            JOIN priorities p ON p.partnership_id = cm.partnership_id AND p.id = cm.priority_id
            LEFT JOIN commitment_updates u ON u.partnership_id = cm.partnership_id AND u.id = cm.latest_update_id
            WHERE cm.partnership_id = @p AND p.plan_id = @planId
            ORDER BY {w.Dialect.IdKey("cm.id")}
            """, new { p, planId }))).AsList();
        var unknown = (request.CarryOver ?? []).Where(id => commitments.All(x => x.Id != id)).ToList();
        if (unknown.Count > 0)
            return WriteRefusal.Invalid("carryOver", $"Not commitments of plan {planId}: {string.Join(", ", unknown)}.");
        var named = (request.CarryOver ?? []).ToHashSet();
        var include = (request.Include ?? []).ToHashSet();
        var all = commitments.Count;
        commitments = commitments.Where(x => named.Contains(x.Id) || EnumText<CommitmentStatus>.Parse(x.Status) is var status
            && (status is not (CommitmentStatus.Completed or CommitmentStatus.Cancelled) || include.Contains(status))).ToList();
        var carry = request.CarryOverAll == true ? commitments.Select(x => x.Id).ToHashSet() : named;
        var shift = RefreshShift.Between(source.PeriodStart, start, request.ShiftDates ?? true);

        var now = w.Now;
        var plan = new Plan(Ids.New(), request.Title, start, end, PlanStatus.Draft, null, null, planId, 1, now, now, source.Summary,
            source.AssessmentFindings);
        await w.Connection.ExecuteAsync(w.Command("""
            INSERT INTO plans (partnership_id, id, title, period_start, period_end, status, supersedes_id, version, created_at, updated_at,
                               summary, assessment_findings)
            VALUES (@p, @Id, @Title, @PeriodStart, @PeriodEnd, @Draft, @SupersedesId, 1, @now, @now, @Summary, @AssessmentFindings)
            """, new
        {
            p, plan.Id, plan.Title, plan.PeriodStart, plan.PeriodEnd, Draft = EnumText<PlanStatus>.Text(PlanStatus.Draft), plan.SupersedesId, now,
            plan.Summary, plan.AssessmentFindings,
        }));
        await AuditLog.RecordAsync(w, AuditActions.Create, EntityTypes.Plan, plan.Id, AuditLog.Diff(null, plan));

        var priorityMap = new Dictionary<Guid, Guid>();
        foreach (var old in priorities)
        {
            var copy = old with { Id = Ids.New(), PlanId = plan.Id, Version = 1, CreatedAt = now, UpdatedAt = now };
            priorityMap[old.Id] = copy.Id;
            await w.Connection.ExecuteAsync(w.Command("""
                INSERT INTO priorities (partnership_id, id, plan_id, code, title, description, lead_agency_id, position, version, created_at, updated_at)
                VALUES (@p, @Id, @PlanId, @Code, @Title, @Description, @LeadAgencyId, @Position, 1, @now, @now)
                """, new { p, copy.Id, copy.PlanId, copy.Code, copy.Title, copy.Description, copy.LeadAgencyId, copy.Position, now }));
            await AuditLog.RecordAsync(w, AuditActions.Create, EntityTypes.Priority, copy.Id, AuditLog.Diff(null, copy));
        }

        var partners = (await w.Connection.QueryAsync<PartnerRow>(w.Command($"""
            SELECT cp.commitment_id AS CommitmentId, cp.agency_id AS AgencyId FROM commitment_partners cp
            JOIN commitments cm ON cm.partnership_id = cp.partnership_id AND cm.id = cp.commitment_id
            JOIN priorities p ON p.partnership_id = cm.partnership_id AND p.id = cm.priority_id
            WHERE cp.partnership_id = @p AND p.plan_id = @planId
            ORDER BY {w.Dialect.IdKey("cp.commitment_id")}, {w.Dialect.IdKey("cp.agency_id")}
            """, new { p, planId }))).ToLookup(x => x.CommitmentId, x => x.AgencyId);
        var commitmentMap = new Dictionary<Guid, Guid>();
        var carried = 0;
        foreach (var old in commitments)
        {
            var id = Ids.New();
            commitmentMap[old.Id] = id;
            var keeps = carry.Contains(old.Id);
            var status = keeps ? EnumText<CommitmentStatus>.Parse(old.Status) : CommitmentStatus.NotStarted;
            var (startDate, dueDate) = (shift.Apply(old.StartDate), shift.Apply(old.DueDate));
            await w.Connection.ExecuteAsync(w.Command("""
                INSERT INTO commitments (partnership_id, id, priority_id, code, title, description, lead_agency_id, start_date, due_date,
                                         status, version, created_at, updated_at)
                VALUES (@p, @id, @priorityId, @Code, @Title, @Description, @LeadAgencyId, @StartDate, @DueDate, @status, 1, @now, @now)
                """, new
            {
                p, id, priorityId = priorityMap[old.PriorityId], old.Code, old.Title, old.Description, old.LeadAgencyId, StartDate = startDate,
                DueDate = dueDate, status = EnumText<CommitmentStatus>.Text(status), now,
            }));
            var partnerIds = partners[old.Id].ToList();
            if (partnerIds.Count > 0)
                await w.Connection.ExecuteAsync(w.Command(
                    "INSERT INTO commitment_partners (partnership_id, commitment_id, agency_id) VALUES (@p, @id, @agencyId)",
                    partnerIds.Select(agencyId => new { p, id, agencyId })));

            CommitmentUpdate? latest = null;
            if (keeps)
            {
                carried++;
                if (status != CommitmentStatus.NotStarted || old.LatestCommentary is not null)
                {
                    // The status carried is the one the last update described, as of its date and by its author.
                    latest = new CommitmentUpdate(Ids.New(), id, status,
                        $"Carried over from {source.Title}." + (old.LatestCommentary is { } said ? $" Last update: {said}" : ""),
                        old.LatestAuthor, old.LatestAsAt ?? DateOnly.FromDateTime(now.UtcDateTime),
                        old.LatestPercentComplete is { } done ? (int)done : null, tenant.Caller.ClientId, now);
                    await w.Connection.ExecuteAsync(w.Command("""
                        INSERT INTO commitment_updates (partnership_id, id, commitment_id, status, commentary, author, as_at, percent_complete,
                                                        client_id, created_at)
                        VALUES (@p, @Id, @CommitmentId, @status, @Commentary, @Author, @AsAt, @PercentComplete, @ClientId, @CreatedAt)
                        """, new
                    {
                        p, latest.Id, latest.CommitmentId, status = EnumText<CommitmentStatus>.Text(status), latest.Commentary, latest.Author,
                        latest.AsAt, latest.PercentComplete, latest.ClientId, latest.CreatedAt,
                    }));
                    await w.Connection.ExecuteAsync(w.Command(
                        "UPDATE commitments SET latest_update_id = @updateId WHERE partnership_id = @p AND id = @id",
                        new { p, id, updateId = latest.Id }));
                }
            }
            var created = new Commitment(id, priorityMap[old.PriorityId], old.Code, old.Title, old.Description, old.LeadAgencyId,
                partnerIds, startDate, dueDate, status, latest, 1, now, now);
            await AuditLog.RecordAsync(w, AuditActions.Create, EntityTypes.Commitment, id, AuditLog.Diff(null, created));
            if (latest is not null)
                await AuditLog.RecordAsync(w, AuditActions.Create, EntityTypes.CommitmentUpdate, latest.Id, AuditLog.Diff(null, latest));
        }

        var links = await CopyIndicatorLinksAsync(w, priorityMap);
        var alignments = await CopyAlignmentsAsync(w, planId, priorityMap, commitmentMap);

        return WriteResult<PlanRefreshResult>.Done(new PlanRefreshResult(plan, priorities.Count, commitments.Count, carried, links, alignments,
            all - commitments.Count));
    }

    /// <summary>Links each indicator to the copies of its priorities; the indicator changes (its priorityIds), so it gets a new version and an event.</summary>
    private static async Task<int> CopyIndicatorLinksAsync(WriteUnit w, Dictionary<Guid, Guid> priorityMap)
    {
        var p = w.PartnershipId;
        var now = w.Now;
        if (priorityMap.Count == 0) return 0;
        var links = (await w.Connection.QueryAsync<LinkRow>(w.Command($"""
            SELECT indicator_id AS IndicatorId, priority_id AS PriorityId FROM indicator_priorities
            WHERE partnership_id = @p AND indicator_id IN (SELECT ip.indicator_id FROM indicator_priorities ip
                WHERE ip.partnership_id = @p AND {w.Dialect.InIds("ip.priority_id", "@old")})
            ORDER BY {w.Dialect.IdKey("indicator_id")}, {w.Dialect.IdKey("priority_id")}
            """, new { p, old = SqlDialect.IdList(priorityMap.Keys) }))).AsList();
        var copied = 0;
        foreach (var indicator in links.GroupBy(l => l.IndicatorId))
        {
            var before = indicator.Select(l => l.PriorityId).ToList();
            var added = before.Where(priorityMap.ContainsKey).Select(id => priorityMap[id]).ToList();
            await w.Connection.ExecuteAsync(w.Command(
                "INSERT INTO indicator_priorities (partnership_id, indicator_id, priority_id) VALUES (@p, @indicatorId, @priorityId)",
                added.Select(priorityId => new { p, indicatorId = indicator.Key, priorityId })));
            await w.Connection.ExecuteAsync(w.Command(
                "UPDATE indicators SET version = version + 1, updated_at = @now WHERE partnership_id = @p AND id = @id",
                new { p, id = indicator.Key, now }));
            var after = before.Concat(added).Order().ToList();
            await AuditLog.RecordAsync(w, AuditActions.Update, EntityTypes.Indicator, indicator.Key,
                AuditLog.Diff(new Links(before.Order().ToList()), new Links(after)));
            copied += added.Count;
        }
        return copied;
    }

    private sealed record Links(IReadOnlyList<Guid> PriorityIds);

    private static async Task<int> CopyAlignmentsAsync(WriteUnit w, Guid planId, Dictionary<Guid, Guid> priorityMap,
        Dictionary<Guid, Guid> commitmentMap)
    {
        var p = w.PartnershipId;
        var now = w.Now;
        var rows = (await w.Connection.QueryAsync<AlignmentRow>(w.Command($"""
            SELECT a.outcome_id AS OutcomeId, a.priority_id AS PriorityId, a.commitment_id AS CommitmentId, a.rationale AS Rationale
            FROM alignments a
            WHERE a.partnership_id = @partnershipId
              AND (a.priority_id IN (SELECT p.id FROM priorities p WHERE p.partnership_id = @partnershipId AND p.plan_id = @planId)
               OR a.commitment_id IN (SELECT cm.id FROM commitments cm
                    JOIN priorities p ON p.partnership_id = cm.partnership_id AND p.id = cm.priority_id
                    WHERE cm.partnership_id = @partnershipId AND p.plan_id = @planId))
            ORDER BY {w.Dialect.IdKey("a.id")}
            """, new { partnershipId = p, planId }))).AsList();
        // Alignments of commitments left out stay with the old plan.
        rows = rows.Where(r => r.CommitmentId is not { } left || commitmentMap.ContainsKey(left)).ToList();
        foreach (var row in rows)
        {
            var id = Ids.New();
            var priorityId = row.PriorityId is { } pr ? priorityMap[pr] : (Guid?)null;
            var commitmentId = row.CommitmentId is { } cm ? commitmentMap[cm] : (Guid?)null;
            await w.Connection.ExecuteAsync(w.Command("""
                INSERT INTO alignments (partnership_id, id, outcome_id, priority_id, commitment_id, indicator_id, rationale, version, created_at, updated_at)
                VALUES (@p, @id, @OutcomeId, @priorityId, @commitmentId, NULL, @Rationale, 1, @now, @now)
                """, new { p, id, row.OutcomeId, priorityId, commitmentId, row.Rationale, now }));
            var created = await w.Connection.QuerySingleAsync<Alignments.Alignment>(w.Command($"""
                SELECT {Alignments.AlignmentQueries.Columns} FROM alignments a JOIN outcomes o ON o.partnership_id = a.partnership_id AND o.id = a.outcome_id
                WHERE a.partnership_id = @p AND a.id = @id
                """, new { p, id }));
            await AuditLog.RecordAsync(w, AuditActions.Create, EntityTypes.Alignment, id, AuditLog.Diff(null, created));
        }
        return rows.Count;
    }
}

/// <summary>How a refresh moves commitment dates: by whole months when both plans' periods start on the same day of the month (a
/// financial year to the next: 31 March stays 31 March, 29 February becomes 28), otherwise by days; not at all when not asked.</summary>
public readonly record struct RefreshShift(int Months, int Days)
{
    public static RefreshShift Between(DateOnly from, DateOnly to, bool shift) =>
        !shift ? default
        : from.Day == to.Day ? new RefreshShift((to.Year - from.Year) * 12 + to.Month - from.Month, 0)
        : new RefreshShift(0, to.DayNumber - from.DayNumber);

    public DateOnly? Apply(DateOnly? date) => date?.AddMonths(Months).AddDays(Days);

    /// <summary>Whether <paramref name="after"/> is just <paramref name="before"/> moved by this shift (a refresh's routine change).</summary>
    public bool Moved(DateOnly? before, DateOnly? after) => Apply(before) == after;
}
