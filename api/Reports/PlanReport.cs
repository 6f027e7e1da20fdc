using Csp.Api.Commitments;
using Csp.Api.Indicators;
using Csp.Api.Plans;

namespace Csp.Api.Reports;

/// <summary>
/// The committee report of a plan, as data: what the HTML, Markdown and Word renderers all print, and nothing they compute
/// themselves. Built by <see cref="ReportQueries.BuildAsync"/>.
/// </summary>
/// <param name="AsAt">The day the report describes (overdue is judged against it).</param>
/// <param name="Since">Progress is limited to updates after this day (the last committee); null: each commitment's latest update.</param>
/// <param name="PublicView">Built for a reader without a key: who wrote each update is not shown.</param>
public sealed record PlanReport(
    string PartnershipName,
    string Slug,
    ReportPlan Plan,
    DateOnly AsAt,
    DateOnly? Since,
    bool PublicView,
    IReadOnlyList<PriorityRag> Priorities,
    IReadOnlyList<AttentionItem> Attention,
    IReadOnlyList<ProgressItem> Progress,
    IReadOnlyList<IndicatorLine> Indicators,
    IReadOnlyList<CoverageLine> Coverage,
    ReportChanges? Changes);

/// <param name="Supersedes">The title of the plan this one refreshed; null when it refreshed none.</param>
public sealed record ReportPlan(Guid Id, string Title, DateOnly PeriodStart, DateOnly PeriodEnd, PlanStatus Status, DateOnly? ApprovedOn,
    string? ApprovedBy, string? Summary, string? AssessmentFindings, string? Supersedes);

/// <summary>A priority's commitments counted by status: the RAG line of the report.</summary>
public sealed record PriorityRag(string Code, string Title, string? Lead, int NotStarted, int OnTrack, int AtRisk, int OffTrack, int Completed,
    int Cancelled, int Overdue)
{
    public int Total => NotStarted + OnTrack + AtRisk + OffTrack + Completed + Cancelled;

    /// <summary>Red when anything is off track, amber when anything is at risk or overdue, green otherwise.</summary>
    public Rag Rag => OffTrack > 0 ? Rag.Red : AtRisk > 0 || Overdue > 0 ? Rag.Amber : Rag.Green;
}

public enum Rag { Green, Amber, Red }

/// <summary>Who wrote an update and the day it speaks for.</summary>
/// <param name="Author">Null in a public view, or when unknown.</param>
public sealed record Attribution(string? Author, DateOnly AsAt);

/// <summary>A commitment off track, at risk or overdue, with its latest commentary.</summary>
public sealed record AttentionItem(string PriorityCode, string Code, string Title, string? Lead, CommitmentStatus Status, DateOnly? DueDate,
    bool Overdue, string? Commentary, Attribution? By);

/// <summary>One progress update of the reporting period.</summary>
public sealed record ProgressItem(string PriorityCode, string Code, string Title, CommitmentStatus Status, string Commentary, Attribution By);

/// <summary>An indicator's performance against target, with its chart.</summary>
/// <param name="ChartSvg">The chart as an SVG element to inline in HTML.</param>
/// <param name="ChartPath">The chart's own URL (chart.svg), for formats that link to it.</param>
/// <param name="CsvPath">The chart's data as CSV (the observations list).</param>
public sealed record IndicatorLine(string Code, string Name, IndicatorUnit Unit, Performance Performance, ChartData Chart, string ChartSvg,
    string ChartPath, string CsvPath, string Description);

/// <summary>How the plan covers one framework it is aligned to, and the outcomes no commitment delivers.</summary>
public sealed record CoverageLine(string FrameworkTitle, long VersionNo, int Outcomes, int Covered, IReadOnlyList<string> WithoutCommitment);

/// <summary>What changed from the plan this one refreshed, without a refresh's routine changes (statuses reset to not started,
/// dates moved with the period).</summary>
public sealed record ReportChanges(string AgainstTitle, IReadOnlyList<string> PrioritiesAdded, IReadOnlyList<string> PrioritiesRemoved,
    IReadOnlyList<ChangedItem> PrioritiesChanged, IReadOnlyList<string> CommitmentsAdded, IReadOnlyList<string> CommitmentsRemoved,
    IReadOnlyList<ChangedItem> CommitmentsChanged)
{
    public bool None => PrioritiesAdded.Count + PrioritiesRemoved.Count + PrioritiesChanged.Count + CommitmentsAdded.Count
                        + CommitmentsRemoved.Count + CommitmentsChanged.Count == 0;
}

/// <summary>Something in both plans, and how it changed (one line per field, in words).</summary>
public sealed record ChangedItem(string Item, IReadOnlyList<string> Changes);

/// <summary>The words the renderers share.</summary>
public static class ReportText
{
    public static string Status(CommitmentStatus s) => s switch
    {
        CommitmentStatus.NotStarted => "Not started",
        CommitmentStatus.OnTrack => "On track",
        CommitmentStatus.AtRisk => "At risk",
        CommitmentStatus.OffTrack => "Off track",
        CommitmentStatus.Completed => "Completed",
        _ => "Cancelled",
    };

    public static string Status(PerformanceStatus? s) => s switch
    {
        PerformanceStatus.OnTarget => "On target",
        PerformanceStatus.Near => "Near target",
        PerformanceStatus.OffTarget => "Off target",
        _ => "No target",
    };

    public static string Trend(PerformanceTrend? t) => t switch
    {
        PerformanceTrend.Improving => "Improving",
        PerformanceTrend.Stable => "Stable",
        PerformanceTrend.Worsening => "Worsening",
        _ => "—",
    };

    public static string Rag(Rag r) => r switch { Reports.Rag.Red => "Red", Reports.Rag.Amber => "Amber", _ => "Green" };

    public static string Period(ReportPlan p) => $"{PeriodAxis.Date(p.PeriodStart)} to {PeriodAxis.Date(p.PeriodEnd)}";

    /// <summary>A canonical period of the indicator as the charts label it (<c>Nov 2026</c>).</summary>
    public static string PeriodLabel(ChartData chart, string period) =>
        Indicators.Period.Parse(period, chart.PeriodType) is { Ok: true } p ? PeriodAxis.Label(p.Period) : period;

    public static string Date(DateOnly? d) => d is { } day ? PeriodAxis.Date(day) : "—";

    public static string By(Attribution? by) => by is null ? "" : by.Author is { } a ? $"{a}, {PeriodAxis.Date(by.AsAt)}" : PeriodAxis.Date(by.AsAt);

    public static string PlanStatus(ReportPlan p) => p.Status switch
    {
        Plans.PlanStatus.Draft => "Draft",
        Plans.PlanStatus.Approved => p.ApprovedOn is { } on ? $"Approved {PeriodAxis.Date(on)}" + (p.ApprovedBy is { } by ? $" by {by}" : "") : "Approved",
        _ => "Archived",
    };

    /// <summary>Paragraphs of officers' plain text (split on blank lines; single line breaks kept as spaces).</summary>
    public static IReadOnlyList<string> Paragraphs(string? text) =>
        string.IsNullOrWhiteSpace(text) ? []
        : text.ReplaceLineEndings("\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => string.Join(' ', p.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))).ToList();

    /// <summary>Findings, one per non-empty line.</summary>
    public static IReadOnlyList<string> Lines(string? text) =>
        string.IsNullOrWhiteSpace(text) ? []
        : text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.TrimStart('-', '*', '•', ' ')).Where(l => l.Length > 0).ToList();
}
