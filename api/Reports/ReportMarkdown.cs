using System.Globalization;
using System.Text;
using Csp.Api.Indicators;
using static Csp.Api.Reports.SafeText;

namespace Csp.Api.Reports;

/// <summary>
/// The report as Markdown (CommonMark with pipe tables), for officers who paste it into a paper. Charts are images of their own
/// URL (chart.svg) with the chart's description as the alt text. Every interpolated value goes through <see cref="SafeText.Markdown"/>.
/// </summary>
public static class ReportMarkdown
{
    public static string Render(PlanReport r)
    {
        var sb = new StringBuilder(16 * 1024);
        sb.Append("# ").Append(Markdown(r.Plan.Title)).Append("\n\n");
        sb.Append("**").Append(Markdown(r.PartnershipName)).Append("** · progress report as at ").Append(PeriodAxis.Date(r.AsAt))
            .Append(r.Since is { } from ? $", with progress since {PeriodAxis.Date(from)}" : "").Append("\n\n");
        sb.Append("- Plan period: ").Append(Markdown(ReportText.Period(r.Plan))).Append('\n')
            .Append("- Status: ").Append(Markdown(ReportText.PlanStatus(r.Plan))).Append('\n');
        if (r.Plan.Supersedes is { } old) sb.Append("- Refreshes: ").Append(Markdown(old)).Append('\n');

        var n = 0;
        void Heading(string title) => sb.Append("\n## ").Append(++n).Append(". ").Append(Markdown(title)).Append("\n\n");

        Heading("Summary");
        var paragraphs = ReportText.Paragraphs(r.Plan.Summary);
        if (paragraphs.Count == 0) sb.Append("_The plan has no summary yet._\n\n");
        foreach (var p in paragraphs) sb.Append(Markdown(p)).Append("\n\n");
        var findings = ReportText.Lines(r.Plan.AssessmentFindings);
        if (findings.Count > 0)
        {
            sb.Append("### Strategic assessment: key findings\n\n");
            foreach (var f in findings) sb.Append("- ").Append(Markdown(f)).Append('\n');
            sb.Append('\n');
        }

        Heading("Progress by priority");
        sb.Append("| Priority | RAG | Not started | On track | At risk | Off track | Completed | Cancelled | Overdue |\n")
            .Append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var p in r.Priorities)
            sb.Append("| **").Append(Markdown(p.Code)).Append("** ").Append(Markdown(p.Title)).Append(" | ").Append(ReportText.Rag(p.Rag))
                .Append(CultureInfo.InvariantCulture, $" | {p.NotStarted} | {p.OnTrack} | {p.AtRisk} | {p.OffTrack} | {p.Completed} | {p.Cancelled} | {p.Overdue} |\n");
        sb.Append("\nRed: any commitment off track; amber: any at risk or overdue; green: neither.\n");

        Heading("Commitments needing attention");
        if (r.Attention.Count == 0) sb.Append("_No commitment is off track, at risk or overdue._\n");
        else
        {
            sb.Append("| Commitment | Status | Due | Latest update | By, as at |\n| --- | --- | --- | --- | --- |\n");
            foreach (var a in r.Attention)
                sb.Append("| **").Append(Markdown(a.Code)).Append("** ").Append(Markdown(a.Title)).Append(" | ").Append(ReportText.Status(a.Status))
                    .Append(a.Overdue ? ", overdue" : "").Append(" | ").Append(ReportText.Date(a.DueDate)).Append(" | ")
                    .Append(a.Commentary is { } said ? Markdown(said) : "_No update yet._").Append(" | ").Append(Markdown(ReportText.By(a.By))).Append(" |\n");
        }

        Heading(r.Since is { } since ? $"Progress since {PeriodAxis.Date(since)}" : "Latest progress");
        if (r.Progress.Count == 0) sb.Append(r.Since is null ? "_No commitment has a progress update yet._\n" : "_No progress updates in this period._\n");
        else
        {
            sb.Append("| Commitment | Status | Update | By, as at |\n| --- | --- | --- | --- |\n");
            foreach (var u in r.Progress)
                sb.Append("| **").Append(Markdown(u.Code)).Append("** ").Append(Markdown(u.Title)).Append(" | ").Append(ReportText.Status(u.Status)).Append(" | ")
                    .Append(Markdown(u.Commentary)).Append(" | ").Append(Markdown(ReportText.By(u.By))).Append(" |\n");
        }

        Heading("Indicators against target");
        if (r.Indicators.Count == 0) sb.Append("_No indicator measures this plan's priorities._\n");
        else
        {
            sb.Append("| Indicator | Latest | Target | Status | Trend |\n| --- | --- | --- | --- | --- |\n");
            foreach (var i in r.Indicators)
            {
                var perf = i.Performance;
                sb.Append("| ").Append(Markdown(i.Name)).Append(" | ")
                    .Append(perf.Latest is { } l ? Markdown($"{IndicatorChart.Value(i.Unit, l.Value)} ({ReportText.PeriodLabel(i.Chart, l.Period)})") : "—").Append(" | ")
                    .Append(perf.Target is { } t ? Markdown($"{IndicatorChart.Value(i.Unit, t.Value)} ({ReportText.PeriodLabel(i.Chart, t.Period)})") : "—").Append(" | ")
                    .Append(ReportText.Status(perf.Status)).Append(" | ").Append(ReportText.Trend(perf.Trend)).Append(" |\n");
            }
            foreach (var i in r.Indicators)
                sb.Append("\n### ").Append(Markdown(i.Name)).Append("\n\n![").Append(Markdown(i.Description)).Append("](<").Append(i.ChartPath).Append(">)\n\n")
                    .Append(Markdown(i.Description)).Append(" [The data as CSV](<").Append(i.CsvPath).Append(">).\n");
        }

        Heading("Strategy coverage");
        if (r.Coverage.Count == 0) sb.Append("_Nothing in the plan is aligned to a strategy yet._\n");
        foreach (var c in r.Coverage)
        {
            sb.Append("### ").Append(Markdown(c.FrameworkTitle)).Append("\n\n").Append(c.Covered).Append(" of ").Append(c.Outcomes)
                .Append(" outcomes have something of the plan aligned to them.\n\n");
            if (c.WithoutCommitment.Count == 0) sb.Append("Every outcome has at least one commitment delivering it.\n\n");
            else
            {
                sb.Append("Outcomes no commitment delivers:\n\n");
                foreach (var gap in c.WithoutCommitment) sb.Append("- ").Append(Markdown(gap)).Append('\n');
                sb.Append('\n');
            }
        }

        if (r.Changes is { } ch)
        {
            Heading("What changed from " + ch.AgainstTitle);
            sb.Append("Routine changes of a refresh (statuses reset to not started, dates moved with the plan's period) are left out.\n\n");
            if (ch.None) sb.Append("_Nothing else changed._\n");
            void List(string heading, IReadOnlyList<string> items)
            {
                if (items.Count == 0) return;
                sb.Append("### ").Append(heading).Append("\n\n");
                foreach (var item in items) sb.Append("- ").Append(Markdown(item)).Append('\n');
                sb.Append('\n');
            }
            void Changed(string heading, IReadOnlyList<ChangedItem> items)
            {
                if (items.Count == 0) return;
                sb.Append("### ").Append(heading).Append("\n\n");
                foreach (var item in items)
                {
                    sb.Append("- ").Append(Markdown(item.Item)).Append('\n');
                    foreach (var change in item.Changes) sb.Append("  - ").Append(Markdown(change)).Append('\n');
                }
                sb.Append('\n');
            }
            List("Priorities added", ch.PrioritiesAdded);
            List("Priorities removed", ch.PrioritiesRemoved);
            Changed("Priorities changed", ch.PrioritiesChanged);
            List("Commitments added", ch.CommitmentsAdded);
            List("Commitments removed", ch.CommitmentsRemoved);
            Changed("Commitments changed", ch.CommitmentsChanged);
        }
        return sb.ToString().TrimEnd('\n') + "\n";
    }
}
