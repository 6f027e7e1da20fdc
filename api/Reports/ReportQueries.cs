using Csp.Api.Commitments;
using Csp.Api.Frameworks;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Observations;
using Csp.Api.Plans;
using Dapper;
using Microsoft.Extensions.Caching.Memory;

namespace Csp.Api.Reports;

/// <summary>
/// Builds a plan's committee report (<see cref="PlanReport"/>) from the whole plan and what the report adds to it (who wrote each
/// update, the updates since the last committee, each indicator's series, framework coverage, what changed from the plan it
/// refreshed), and keeps each rendered report in memory against the partnership's change token, as the plan document is kept.
/// </summary>
public sealed class ReportQueries(Db db, PlanDocumentQueries documents, FrameworkQueries frameworks, PlanDiff diffs, TimeProvider clock) : IDisposable
{
    private const long CacheBytes = 32L * 1024 * 1024;

    public void Dispose() => cache.Dispose();

    /// <summary>Periods of each indicator the report draws: from a year before the plan starts, at most this many.</summary>
    public const int ChartPeriods = 36;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = CacheBytes });

    /// <summary>What a rendered report depends on besides the data (the data is the change token's business).</summary>
    private sealed record Key(Guid PartnershipId, Guid PlanId, DateOnly? Since, string MediaType, bool PublicView, DateOnly AsAt);

    /// <param name="ValidUntil">For a public report: the next release time, when the same data would show more.</param>
    private sealed record Entry(long Token, Representation Body, DateTimeOffset? ValidUntil);

    /// <summary>
    /// The report rendered by <paramref name="render"/>, from the cache while the partnership's change token has not moved since it
    /// was rendered; null when the plan does not exist (or is a draft and the reader has no key).
    /// </summary>
    public async Task<Representation?> RenderedAsync(Tenant tenant, Guid planId, DateOnly? since, DateOnly asAt, long token, string mediaType,
        Func<PlanReport, Representation> render, CancellationToken ct)
    {
        var key = new Key(tenant.PartnershipId, planId, since, mediaType, tenant.Caller.IsAnonymous, asAt);
        if (cache.TryGetValue(key, out Entry? hit) && hit!.Token >= token && (hit.ValidUntil is not { } until || clock.GetUtcNow() < until))
            return hit.Body;
        var (report, validUntil) = await BuildWithValidityAsync(tenant, planId, since, asAt, ct);
        if (report is null) return null;
        var body = render(report);
        cache.Set(key, new Entry(token, body, validUntil), new MemoryCacheEntryOptions { Size = body.Body.Length + 256, SlidingExpiration = TimeSpan.FromMinutes(30) });
        return body;
    }

    private sealed record NameRow(Guid Id, string Name);

    private sealed record UpdateRow(Guid CommitmentId, string Status, string Commentary, string? Author, DateOnly AsAt, Guid? ClientId,
        DateTimeOffset CreatedAt);

    /// <summary>The report's data; null when the plan does not exist, or is a draft and the reader has no key.</summary>
    public async Task<PlanReport?> BuildAsync(Tenant tenant, Guid planId, DateOnly? since, DateOnly asAt, CancellationToken ct) =>
        (await BuildWithValidityAsync(tenant, planId, since, asAt, ct)).Report;

    /// <summary>The report's data, and for the public until when it holds (the next release time); see <see cref="BuildAsync"/>.</summary>
    public async Task<(PlanReport? Report, DateTimeOffset? ValidUntil)> BuildWithValidityAsync(Tenant tenant, Guid planId, DateOnly? since,
        DateOnly asAt, CancellationToken ct)
    {
        var publicView = tenant.Caller.IsAnonymous;
        var (plan, validUntil) = await documents.LoadWithValidityAsync(tenant, planId, ct);
        if (plan is null || (publicView && plan.Status == PlanStatus.Draft)) return (null, null);
        var p = tenant.PartnershipId;

        Dictionary<Guid, string> agencies, clients;
        string partnershipName;
        string? supersedes = null;
        DateOnly? supersededStart = null;
        List<UpdateRow> updates;
        ILookup<Guid, Observation> series;
        await using (var c = await db.OpenAsync(tenant, ct))
        {
            partnershipName = await c.QuerySingleAsync<string>(new CommandDefinition(
                "SELECT name FROM partnerships WHERE id = @p", new { p }, cancellationToken: ct));
            agencies = (await c.QueryAsync<NameRow>(new CommandDefinition(
                "SELECT id AS Id, name AS Name FROM agencies WHERE partnership_id = @p", new { p }, cancellationToken: ct))).ToDictionary(a => a.Id, a => a.Name);
            clients = publicView ? [] : (await c.QueryAsync<NameRow>(new CommandDefinition(
                "SELECT id AS Id, name AS Name FROM clients WHERE partnership_id = @p", new { p }, cancellationToken: ct))).ToDictionary(a => a.Id, a => a.Name);
            if (plan.SupersedesId is { } old && await PlanQueries.GetAsync(c, null, p, old, ct) is { } previous)
                (supersedes, supersededStart) = (previous.Title, previous.PeriodStart);
            // The reporting period's updates (since the last committee), newest first; without since, none beyond the latest.
            updates = since is null ? [] : (await c.QueryAsync<UpdateRow>(new CommandDefinition("""
                SELECT u.commitment_id AS CommitmentId, u.status AS Status, u.commentary AS Commentary, u.author AS Author, u.as_at AS AsAt,
                       u.client_id AS ClientId, u.created_at AS CreatedAt
                FROM commitment_updates u
                JOIN commitments cm ON cm.partnership_id = u.partnership_id AND cm.id = u.commitment_id
                JOIN priorities pr ON pr.partnership_id = cm.partnership_id AND pr.id = cm.priority_id
                WHERE u.partnership_id = @p AND pr.plan_id = @planId AND u.created_at >= @after
                ORDER BY u.created_at DESC
                """, new { p, planId, after = new DateTimeOffset(since.Value.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) },
                cancellationToken: ct))).AsList();
            // The public's charts draw the published series: released periods, suppressed values left unplotted.
            series = publicView
                ? await Publication.Publisher.SeriesAsync(c, db.Dialect, tenant,
                    await Publication.Publisher.ViewAsync(c, db.Dialect, tenant, plan.Indicators.Select(i => i.Indicator.Id).ToList(), clock.GetUtcNow(), ct),
                    plan.Indicators.Select(i => i.Indicator).ToList(), tenant.AreaCode, plan.PeriodStart.AddYears(-1), null, ct)
                : await ObservationQueries.SeriesAsync(c, db.Dialect, p, tenant.AreaCode, plan.Indicators.Select(i => i.Indicator.Id).ToList(),
                    plan.PeriodStart.AddYears(-1), null, ct);
        }

        // Who wrote an update and the day it speaks for, the one place the report reads them: the author it names (else the client
        // that recorded it) and the date its status describes.
        Attribution By(string? author, Guid? clientId, DateOnly asAt) =>
            new(publicView ? null : author ?? (clientId is { } id ? clients.GetValueOrDefault(id) : "the platform operator"), asAt);
        string? Agency(Guid? id) => id is { } a ? agencies.GetValueOrDefault(a) : null;
        bool IsOverdue(Commitment cm) => cm.DueDate < asAt && cm.Status is not (CommitmentStatus.Completed or CommitmentStatus.Cancelled);

        var rag = plan.Priorities.Select(pr =>
        {
            int N(CommitmentStatus s) => pr.Commitments.Count(cm => cm.Status == s);
            return new PriorityRag(pr.Code, pr.Title, Agency(pr.LeadAgencyId), N(CommitmentStatus.NotStarted), N(CommitmentStatus.OnTrack),
                N(CommitmentStatus.AtRisk), N(CommitmentStatus.OffTrack), N(CommitmentStatus.Completed), N(CommitmentStatus.Cancelled),
                pr.Commitments.Count(IsOverdue));
        }).ToList();

        var attention = plan.Priorities.SelectMany(pr => pr.Commitments.Select(cm => (pr, cm)))
            .Where(x => x.cm.Status is CommitmentStatus.OffTrack or CommitmentStatus.AtRisk || IsOverdue(x.cm))
            .OrderBy(x => x.cm.Status switch { CommitmentStatus.OffTrack => 0, CommitmentStatus.AtRisk => 1, _ => 2 })
            .ThenBy(x => x.pr.Position).ThenBy(x => x.cm.Code, StringComparer.Ordinal)
            .Select(x => new AttentionItem(x.pr.Code, x.cm.Code, x.cm.Title, Agency(x.cm.LeadAgencyId), x.cm.Status, x.cm.DueDate, IsOverdue(x.cm),
                x.cm.LatestUpdate?.Commentary, x.cm.LatestUpdate is { } u ? By(u.Author, u.ClientId, u.AsAt) : null))
            .ToList();

        var commitments = plan.Priorities.SelectMany(pr => pr.Commitments.Select(cm => (pr, cm))).ToDictionary(x => x.cm.Id);
        var progress = since is null
            ? commitments.Values.Where(x => x.cm.LatestUpdate is not null).OrderBy(x => x.pr.Position).ThenBy(x => x.cm.Code, StringComparer.Ordinal)
                .Select(x => new ProgressItem(x.pr.Code, x.cm.Code, x.cm.Title, x.cm.LatestUpdate!.Status, x.cm.LatestUpdate.Commentary,
                    By(x.cm.LatestUpdate.Author, x.cm.LatestUpdate.ClientId, x.cm.LatestUpdate.AsAt))).ToList()
            : updates.Where(u => commitments.ContainsKey(u.CommitmentId)).Select(u =>
            {
                var (pr, cm) = commitments[u.CommitmentId];
                return new ProgressItem(pr.Code, cm.Code, cm.Title, EnumText<CommitmentStatus>.Parse(u.Status), u.Commentary, By(u.Author, u.ClientId, u.AsAt));
            }).ToList();

        var indicators = plan.Indicators.Select(i =>
        {
            var data = ChartData.From(i.Indicator, tenant.AreaCode, tenant.AreaCode, series[i.Indicator.Id].TakeLast(ChartPeriods).ToList());
            var chartPath = $"/v1/partnerships/{tenant.Slug}/indicators/{i.Indicator.Id}/chart.svg";
            var csvPath = IndicatorsApi.ChartCsvHref(tenant, data);
            return new IndicatorLine(i.Indicator.Code, i.Indicator.Name, i.Indicator.Unit, i.Performance, data,
                IndicatorChart.Svg(data, "chart-" + i.Indicator.Code.ToLowerInvariant(), csvPath, standalone: false),
                chartPath, csvPath, IndicatorChart.Describe(data));
        }).ToList();

        var coverage = new List<CoverageLine>();
        foreach (var frameworkId in plan.Alignments.Select(a => a.FrameworkId).Distinct())
        {
            if (await frameworks.CoverageAsync(tenant, frameworkId, planId, ct) is not { } cov) continue;
            var withoutCommitment = cov.Outcomes.Where(o => o.CommitmentStatusCounts is { NotStarted: 0, OnTrack: 0, AtRisk: 0, OffTrack: 0, Completed: 0, Cancelled: 0 })
                .Select(o => $"{o.Title} ({o.Code})").ToList();
            coverage.Add(new CoverageLine(cov.FrameworkTitle, cov.FrameworkVersionNo, cov.OutcomeCount, cov.CoveredCount, withoutCommitment));
        }
        coverage = coverage.OrderBy(x => x.FrameworkTitle, StringComparer.Ordinal).ToList();

        ReportChanges? changes = null;
        if (plan.SupersedesId is { } against && supersededStart is { } fromStart && await diffs.DiffAsync(tenant, planId, against, ct) is { } diff)
            changes = Changes(diff, RefreshShift.Between(fromStart, plan.PeriodStart, shift: true));

        var agencyOfApprover = plan.ApprovedBy is { } approver && Guid.TryParse(approver, out var approverId) ? clients.GetValueOrDefault(approverId) : plan.ApprovedBy;
        return (new PlanReport(partnershipName, tenant.Slug,
            new ReportPlan(plan.Id, plan.Title, plan.PeriodStart, plan.PeriodEnd, plan.Status, plan.ApprovedOn, publicView ? null : agencyOfApprover,
                plan.Summary, plan.AssessmentFindings, supersedes),
            asAt, since, publicView, rag, attention, progress, indicators, coverage, changes), validUntil);
    }

    private static readonly Dictionary<string, string> FieldNames = new()
    {
        ["title"] = "title", ["description"] = "description", ["leadAgency"] = "lead agency", ["position"] = "position", ["priority"] = "priority",
        ["partnerAgencies"] = "partner agencies", ["startDate"] = "start date", ["dueDate"] = "due date", ["status"] = "status",
    };

    /// <summary>The diff without what every refresh changes: statuses reset to not started, and dates moved by the refresh's shift.</summary>
    private static ReportChanges Changes(PlanDiffResult d, RefreshShift shift)
    {
        static DateOnly? Day(string? text) => DateOnly.TryParseExact(text, "yyyy-MM-dd", out var day) ? day : null;
        bool Routine(FieldChange f) =>
            (f.Field == "status" && f.After == "not_started")
            || (f.Field is "startDate" or "dueDate" && shift.Moved(Day(f.Before), Day(f.After)));
        // Values as a reader says them: dates in full, statuses in words.
        static string Say(string field, string? value) => (field, value) switch
        {
            (_, null) => "(none)",
            ("startDate" or "dueDate", _) when Day(value) is { } day => PeriodAxis.Date(day),
            ("status", _) when EnumText<CommitmentStatus>.TryParse(value, out var status) => ReportText.Status(status).ToLowerInvariant(),
            _ => value,
        };
        static string Words(FieldChange f) =>
            $"{FieldNames.GetValueOrDefault(f.Field, f.Field)}: {Say(f.Field, f.Before)} → {Say(f.Field, f.After)}";
        var commitments = d.Commitments.Changed
            .Select(x => new ChangedItem($"{x.Code} {x.Title} (priority {x.PriorityCode})", x.Changes.Where(f => !Routine(f)).Select(Words).ToList()))
            .Where(x => x.Changes.Count > 0).ToList();
        return new ReportChanges(d.AgainstTitle,
            d.Priorities.Added.Select(x => $"{x.Code} {x.Title}").ToList(),
            d.Priorities.Removed.Select(x => $"{x.Code} {x.Title}").ToList(),
            d.Priorities.Changed.Select(x => new ChangedItem($"{x.Code} {x.Title}", x.Changes.Select(Words).ToList())).ToList(),
            d.Commitments.Added.Select(x => $"{x.Code} {x.Title} (priority {x.PriorityCode})").ToList(),
            d.Commitments.Removed.Select(x => $"{x.Code} {x.Title} (priority {x.PriorityCode})").ToList(),
            commitments);
    }
}
