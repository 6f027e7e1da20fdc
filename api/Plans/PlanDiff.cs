using System.Data.Common;
using System.Globalization;
using System.Text;
using Csp.Api.Alignments;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Plans;

/// <summary>One field that differs: its value in the earlier plan and in this one (absent = not set).</summary>
/// <param name="Field">Which field: <c>title</c>, <c>description</c>, <c>leadAgency</c>, <c>position</c>, <c>priority</c>,
/// <c>partnerAgencies</c>, <c>startDate</c>, <c>dueDate</c> or <c>status</c>.</param>
/// <param name="Before">Its value in the earlier plan, as text (agencies by code); null when not set.</param>
/// <param name="After">Its value in this plan, as text (agencies by code); null when not set.</param>
public sealed record FieldChange(string Field, string? Before, string? After);

/// <summary>A priority added or removed.</summary>
/// <param name="Code">The priority's code.</param>
/// <param name="Title">The priority's title.</param>
public sealed record PriorityDiffItem(string Code, string Title);

/// <summary>A priority in both plans (same code) whose fields differ.</summary>
/// <param name="Code">The priority's code.</param>
/// <param name="Title">The priority's title in this plan.</param>
/// <param name="Changes">The fields that differ.</param>
public sealed record PriorityDiffChange(string Code, string Title, IReadOnlyList<FieldChange> Changes);

/// <summary>A commitment added or removed, with the code of its priority.</summary>
/// <param name="PriorityCode">The code of the priority it is (or was) under.</param>
/// <param name="Code">The commitment's code.</param>
/// <param name="Title">The commitment's title.</param>
public sealed record CommitmentDiffItem(string PriorityCode, string Code, string Title);

/// <summary>A commitment in both plans (same code) whose fields differ.</summary>
/// <param name="PriorityCode">The code of the priority it is under in this plan.</param>
/// <param name="Code">The commitment's code.</param>
/// <param name="Title">The commitment's title in this plan.</param>
/// <param name="Changes">The fields that differ.</param>
public sealed record CommitmentDiffChange(string PriorityCode, string Code, string Title, IReadOnlyList<FieldChange> Changes);

/// <summary>An alignment present in only one of the plans.</summary>
/// <param name="FrameworkCode">The framework's code.</param>
/// <param name="FrameworkVersionNo">The framework's version number.</param>
/// <param name="FrameworkTitle">The framework's title.</param>
/// <param name="OutcomeCode">The outcome's code.</param>
/// <param name="OutcomeTitle">The outcome's title.</param>
/// <param name="TargetType"><c>priority</c>, <c>commitment</c> or <c>indicator</c>.</param>
/// <param name="TargetCode">The code of the priority, commitment or indicator.</param>
/// <param name="TargetTitle">Its title (an indicator's name).</param>
/// <param name="Rationale">Why it contributes to the outcome.</param>
public sealed record AlignmentDiffItem(string FrameworkCode, long FrameworkVersionNo, string FrameworkTitle, string OutcomeCode, string OutcomeTitle,
    string TargetType, string TargetCode, string TargetTitle, string Rationale);

/// <summary>Priorities added, removed and changed (matched by code).</summary>
/// <param name="Added">In this plan only.</param>
/// <param name="Removed">In the earlier plan only.</param>
/// <param name="Changed">In both, with fields that differ.</param>
public sealed record PriorityDiff(IReadOnlyList<PriorityDiffItem> Added, IReadOnlyList<PriorityDiffItem> Removed, IReadOnlyList<PriorityDiffChange> Changed);

/// <summary>Commitments added, removed and changed (matched by code).</summary>
/// <param name="Added">In this plan only.</param>
/// <param name="Removed">In the earlier plan only.</param>
/// <param name="Changed">In both, with fields that differ.</param>
public sealed record CommitmentDiff(IReadOnlyList<CommitmentDiffItem> Added, IReadOnlyList<CommitmentDiffItem> Removed, IReadOnlyList<CommitmentDiffChange> Changed);

/// <summary>Alignments added and removed.</summary>
/// <param name="Added">In this plan only.</param>
/// <param name="Removed">In the earlier plan only.</param>
public sealed record AlignmentDiff(IReadOnlyList<AlignmentDiffItem> Added, IReadOnlyList<AlignmentDiffItem> Removed);

/// <summary>What changed from one plan (<c>against</c>, usually the one refreshed) to another: priorities and commitments matched by
/// code, compared field by field; alignments added and removed.</summary>
/// <param name="PlanId">This plan.</param>
/// <param name="PlanTitle">This plan's title.</param>
/// <param name="AgainstId">The plan compared with (the <c>against</c> query parameter).</param>
/// <param name="AgainstTitle">Its title.</param>
/// <param name="Priorities">What changed in the priorities.</param>
/// <param name="Commitments">What changed in the commitments.</param>
/// <param name="Alignments">What changed in the alignments.</param>
public sealed record PlanDiffResult(Guid PlanId, string PlanTitle, Guid AgainstId, string AgainstTitle,
    PriorityDiff Priorities, CommitmentDiff Commitments, AlignmentDiff Alignments);

/// <summary>Compares two plans of a partnership for the "what changed in the refreshed plan" report.</summary>
public sealed class PlanDiff(Db db)
{
    private sealed record PlanRow(Guid Id, string Title);
    private sealed record PriorityRow(Guid Id, string Code, string Title, string? Description, string? LeadAgency, long Position);
    private sealed record CommitmentRow(Guid Id, string PriorityCode, long PriorityPosition, string Code, string Title, string? Description,
        string? LeadAgency, DateOnly? StartDate, DateOnly? DueDate, string Status);
    private sealed record PartnerRow(Guid CommitmentId, string Code);
    private sealed record FrameworkRow(Guid Id, string Code, long VersionNo, string Title);
    private sealed record TargetRow(Guid Id, string Code, string Title);

    private sealed record Snapshot(PlanRow Plan, List<PriorityRow> Priorities, List<(CommitmentRow Row, string? Partners)> Commitments,
        List<(string Prefix, CommitmentRow? Commitment, string Code, AlignmentDiffItem Item)> Alignments);

    /// <summary>The diff from <paramref name="againstId"/> to <paramref name="planId"/>; null when either plan does not exist.</summary>
    public async Task<PlanDiffResult?> DiffAsync(Tenant tenant, Guid planId, Guid againstId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var now = await LoadAsync(c, tenant.PartnershipId, planId, ct);
        var then = await LoadAsync(c, tenant.PartnershipId, againstId, ct);
        if (now is null || then is null) return null;

        var byCode = (IEnumerable<CommitmentRow> rows) => rows.GroupBy(r => r.Code).All(g => g.Count() == 1);
        // Codes are unique within a priority; across the plan they usually are too, and then a commitment moved to another
        // priority is a change of its priority rather than a removal and an addition.
        var uniqueCodes = byCode(now.Commitments.Select(x => x.Row)) && byCode(then.Commitments.Select(x => x.Row));
        string Key(CommitmentRow r) => uniqueCodes ? r.Code : r.PriorityCode + "/" + r.Code;

        var priorities = Compare(then.Priorities, now.Priorities, r => r.Code, (b, a) => Changes(
            ("title", b.Title, a.Title), ("description", b.Description, a.Description), ("leadAgency", b.LeadAgency, a.LeadAgency),
            ("position", Text(b.Position), Text(a.Position))));
        var commitments = Compare(then.Commitments, now.Commitments, x => Key(x.Row), (b, a) => Changes(
            ("priority", b.Row.PriorityCode, a.Row.PriorityCode), ("title", b.Row.Title, a.Row.Title),
            ("description", b.Row.Description, a.Row.Description), ("leadAgency", b.Row.LeadAgency, a.Row.LeadAgency),
            ("partnerAgencies", b.Partners, a.Partners), ("startDate", Text(b.Row.StartDate), Text(a.Row.StartDate)),
            ("dueDate", Text(b.Row.DueDate), Text(a.Row.DueDate)), ("status", b.Row.Status, a.Row.Status)));
        string AlignmentKey((string Prefix, CommitmentRow? Commitment, string Code, AlignmentDiffItem) x) =>
            x.Prefix + (x.Commitment is { } cm ? Key(cm) : x.Code);
        var oldAlignments = then.Alignments.Select(AlignmentKey).ToHashSet();
        var newAlignments = now.Alignments.Select(AlignmentKey).ToHashSet();

        return new PlanDiffResult(now.Plan.Id, now.Plan.Title, then.Plan.Id, then.Plan.Title,
            new PriorityDiff(
                priorities.Added.Select(r => new PriorityDiffItem(r.Code, r.Title)).ToList(),
                priorities.Removed.Select(r => new PriorityDiffItem(r.Code, r.Title)).ToList(),
                priorities.Changed.Select(x => new PriorityDiffChange(x.After.Code, x.After.Title, x.Changes)).ToList()),
            new CommitmentDiff(
                commitments.Added.Select(x => new CommitmentDiffItem(x.Row.PriorityCode, x.Row.Code, x.Row.Title)).ToList(),
                commitments.Removed.Select(x => new CommitmentDiffItem(x.Row.PriorityCode, x.Row.Code, x.Row.Title)).ToList(),
                commitments.Changed.Select(x => new CommitmentDiffChange(x.After.Row.PriorityCode, x.After.Row.Code, x.After.Row.Title, x.Changes)).ToList()),
            new AlignmentDiff(
                now.Alignments.Where(x => !oldAlignments.Contains(AlignmentKey(x))).Select(x => x.Item).ToList(),
                then.Alignments.Where(x => !newAlignments.Contains(AlignmentKey(x))).Select(x => x.Item).ToList()));

        async Task<Snapshot?> LoadAsync(DbConnection connection, Guid p, Guid id, CancellationToken token)
        {
            var plan = await connection.QuerySingleOrDefaultAsync<PlanRow>(new CommandDefinition(
                "SELECT id AS Id, title AS Title FROM plans WHERE partnership_id = @p AND id = @id", new { p, id }, cancellationToken: token));
            if (plan is null) return null;
            var priorityRows = (await connection.QueryAsync<PriorityRow>(new CommandDefinition("""
                SELECT pr.id AS Id, pr.code AS Code, pr.title AS Title, pr.description AS Description, ag.code AS LeadAgency, pr.position AS Position
                FROM priorities pr LEFT JOIN agencies ag ON ag.partnership_id = pr.partnership_id AND ag.id = pr.lead_agency_id
                WHERE pr.partnership_id = @p AND pr.plan_id = @id
                ORDER BY pr.position, pr.code
                """, new { p, id }, cancellationToken: token))).AsList();
            var commitmentRows = (await connection.QueryAsync<CommitmentRow>(new CommandDefinition("""
                SELECT cm.id AS Id, pr.code AS PriorityCode, pr.position AS PriorityPosition, cm.code AS Code, cm.title AS Title,
                       cm.description AS Description, ag.code AS LeadAgency, cm.start_date AS StartDate, cm.due_date AS DueDate, cm.status AS Status
                FROM commitments cm
                JOIN priorities pr ON pr.partnership_id = cm.partnership_id AND pr.id = cm.priority_id
                LEFT JOIN agencies ag ON ag.partnership_id = cm.partnership_id AND ag.id = cm.lead_agency_id
                WHERE cm.partnership_id = @p AND pr.plan_id = @id
                ORDER BY pr.position, pr.code, cm.code
                """, new { p, id }, cancellationToken: token))).AsList();
            var partners = (await connection.QueryAsync<PartnerRow>(new CommandDefinition("""
                SELECT cp.commitment_id AS CommitmentId, ag.code AS Code FROM commitment_partners cp
                JOIN agencies ag ON ag.partnership_id = cp.partnership_id AND ag.id = cp.agency_id
                JOIN commitments cm ON cm.partnership_id = cp.partnership_id AND cm.id = cp.commitment_id
                JOIN priorities pr ON pr.partnership_id = cm.partnership_id AND pr.id = cm.priority_id
                WHERE cp.partnership_id = @p AND pr.plan_id = @id
                """, new { p, id }, cancellationToken: token))).ToLookup(x => x.CommitmentId, x => x.Code);

            var alignments = await AlignmentQueries.ForPlanAsync(connection, db.Dialect, p, id, token);
            var frameworks = alignments.Count == 0 ? [] : (await connection.QueryAsync<FrameworkRow>(new CommandDefinition($"""
                SELECT id AS Id, code AS Code, version_no AS VersionNo, title AS Title FROM frameworks WHERE partnership_id = @p AND {db.Dialect.InIds("id", "@ids")}
                """, new { p, ids = SqlDialect.IdList(alignments.Select(a => a.FrameworkId).Distinct()) }, cancellationToken: token))).ToDictionary(f => f.Id);
            var indicatorIds = alignments.Where(a => a.IndicatorId is not null).Select(a => a.IndicatorId!.Value).Distinct().ToArray();
            var indicators = indicatorIds.Length == 0 ? [] : (await connection.QueryAsync<TargetRow>(new CommandDefinition($"""
                SELECT id AS Id, code AS Code, name AS Title FROM indicators WHERE partnership_id = @p AND {db.Dialect.InIds("id", "@ids")}
                """, new { p, ids = SqlDialect.IdList(indicatorIds) }, cancellationToken: token))).ToDictionary(i => i.Id);

            var commitmentsById = commitmentRows.ToDictionary(r => r.Id);
            var prioritiesById = priorityRows.ToDictionary(r => r.Id);
            var items = new List<(string Prefix, CommitmentRow? Commitment, string Code, AlignmentDiffItem Item)>();
            foreach (var a in alignments)
            {
                var f = frameworks[a.FrameworkId];
                var (type, commitment, code, title) = a switch
                {
                    { PriorityId: { } pr } => ("priority", (CommitmentRow?)null, prioritiesById[pr].Code, prioritiesById[pr].Title),
                    { CommitmentId: { } cm } => ("commitment", commitmentsById[cm], commitmentsById[cm].Code, commitmentsById[cm].Title),
                    _ => ("indicator", null, indicators[a.IndicatorId!.Value].Code, indicators[a.IndicatorId!.Value].Title),
                };
                items.Add(($"{a.OutcomeId:D}|{type}|", commitment, code,
                    new AlignmentDiffItem(f.Code, f.VersionNo, f.Title, a.OutcomeCode, a.OutcomeTitle, type, code, title, a.Rationale)));
            }
            var ordered = items.OrderBy(x => x.Item.FrameworkCode, StringComparer.Ordinal).ThenBy(x => x.Item.FrameworkVersionNo)
                .ThenBy(x => x.Item.OutcomeCode, StringComparer.Ordinal).ThenBy(x => x.Item.TargetType, StringComparer.Ordinal)
                .ThenBy(x => x.Item.TargetCode, StringComparer.Ordinal).ToList();
            return new Snapshot(plan, priorityRows,
                commitmentRows.Select(r => (r, string.Join(", ", partners[r.Id].Order(StringComparer.Ordinal)) is { Length: > 0 } s ? s : null)).ToList(),
                ordered);
        }
    }

    private static string? Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? Text(DateOnly? value) => value?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static List<FieldChange> Changes(params (string Field, string? Before, string? After)[] fields) =>
        fields.Where(f => f.Before != f.After).Select(f => new FieldChange(f.Field, f.Before, f.After)).ToList();

    private static (List<T> Added, List<T> Removed, List<(T After, List<FieldChange> Changes)> Changed) Compare<T>(
        IReadOnlyList<T> before, IReadOnlyList<T> after, Func<T, string> key, Func<T, T, List<FieldChange>> changes)
    {
        var old = before.ToDictionary(key);
        var current = after.ToDictionary(key);
        return (
            after.Where(x => !old.ContainsKey(key(x))).ToList(),
            before.Where(x => !current.ContainsKey(key(x))).ToList(),
            after.Where(x => old.ContainsKey(key(x))).Select(x => (x, changes(old[key(x)], x))).Where(x => x.Item2.Count > 0).ToList());
    }

    private static readonly Dictionary<string, string> Labels = new()
    {
        ["title"] = "title", ["description"] = "description", ["leadAgency"] = "lead agency", ["position"] = "position",
        ["priority"] = "priority", ["partnerAgencies"] = "partner agencies", ["startDate"] = "start date", ["dueDate"] = "due date",
        ["status"] = "status",
    };

    private static string Md(string text) => Reports.SafeText.Markdown(text);

    /// <summary>The diff as Markdown for a committee report: one section each for priorities, commitments and alignments. Every value
    /// is escaped (<see cref="Reports.SafeText.Markdown"/>).</summary>
    public static string Markdown(PlanDiffResult d)
    {
        var sb = new StringBuilder();
        sb.Append("# What changed: ").Append(Md(d.PlanTitle)).Append("\n\n");
        sb.Append("Compared with ").Append(Md(d.AgainstTitle)).Append(".\n");

        sb.Append("\n## Priorities\n");
        Section(sb, d.Priorities.Added.Select(p => $"**{Md(p.Code)}** {Md(p.Title)}"), d.Priorities.Removed.Select(p => $"**{Md(p.Code)}** {Md(p.Title)}"),
            d.Priorities.Changed.Select(p => (Line: $"**{Md(p.Code)}** {Md(p.Title)}", p.Changes)));
        sb.Append("\n## Commitments\n");
        Section(sb, d.Commitments.Added.Select(x => $"**{Md(x.Code)}** {Md(x.Title)} (priority {Md(x.PriorityCode)})"),
            d.Commitments.Removed.Select(x => $"**{Md(x.Code)}** {Md(x.Title)} (priority {Md(x.PriorityCode)})"),
            d.Commitments.Changed.Select(x => (Line: $"**{Md(x.Code)}** {Md(x.Title)} (priority {Md(x.PriorityCode)})", x.Changes)));
        sb.Append("\n## Strategy alignments\n");
        string Aligned(AlignmentDiffItem a) =>
            $"{char.ToUpperInvariant(a.TargetType[0])}{a.TargetType[1..]} **{Md(a.TargetCode)}** {Md(a.TargetTitle)} → {Md(a.FrameworkTitle)}: {Md(a.OutcomeTitle)} ({Md(a.OutcomeCode)})";
        Section(sb, d.Alignments.Added.Select(Aligned), d.Alignments.Removed.Select(Aligned), []);
        return sb.ToString();
    }

    private static void Section(StringBuilder sb, IEnumerable<string> added, IEnumerable<string> removed,
        IEnumerable<(string Line, IReadOnlyList<FieldChange> Changes)> changed)
    {
        var a = added.ToList();
        var r = removed.ToList();
        var c = changed.ToList();
        if (a.Count + r.Count + c.Count == 0)
        {
            sb.Append("\nNo changes.\n");
            return;
        }
        void List(string heading, List<string> lines)
        {
            if (lines.Count == 0) return;
            sb.Append('\n').Append(heading).Append(":\n\n");
            foreach (var line in lines) sb.Append("- ").Append(line).Append('\n');
        }
        List("Added", a);
        List("Removed", r);
        if (c.Count == 0) return;
        sb.Append("\nChanged:\n\n");
        foreach (var (line, changes) in c)
        {
            sb.Append("- ").Append(line).Append('\n');
            foreach (var f in changes)
                sb.Append("  - ").Append(Labels.GetValueOrDefault(f.Field, f.Field)).Append(": ")
                    .Append(f.Before is null ? "(none)" : Md(f.Before)).Append(" → ").Append(f.After is null ? "(none)" : Md(f.After)).Append('\n');
        }
    }
}
