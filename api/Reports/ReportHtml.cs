using System.Text;
using Csp.Api.Commitments;
using Csp.Api.Indicators;
using static Csp.Api.Reports.SafeText;

namespace Csp.Api.Reports;

/// <summary>
/// The report as one self-contained HTML page: no external asset (styles inline, charts inline SVG), printable on A4, and
/// structured for assistive technology (landmarks, one h1, headings in order, captioned tables with header cells, charts with
/// a title and a description). Every interpolated value goes through <see cref="SafeText.Html"/>.
/// </summary>
public static class ReportHtml
{
    public static string Render(PlanReport r)
    {
        var sb = new StringBuilder(64 * 1024);
        var self = $"/v1/partnerships/{r.Slug}/plans/{r.Plan.Id}/report";
        var since = r.Since is { } s ? $"&since={s:yyyy-MM-dd}" : "";
        sb.Append("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            // No favicon to fetch: the page needs nothing but itself.
            .Append("<link rel=\"icon\" href=\"data:,\">\n")
            .Append("<title>").Append(Html(r.Plan.Title)).Append(" – progress report</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n");

        sb.Append("<header class=\"masthead\">\n<p class=\"org\">").Append(Html(r.PartnershipName)).Append("</p>\n")
            .Append("<h1>").Append(Html(r.Plan.Title)).Append("</h1>\n")
            .Append("<p class=\"lede\">Progress report as at ").Append(PeriodAxis.Date(r.AsAt))
            .Append(r.Since is { } from ? $", with progress since {PeriodAxis.Date(from)}" : "").Append("</p>\n")
            .Append("<dl class=\"meta\">\n<div><dt>Plan period</dt><dd>").Append(Html(ReportText.Period(r.Plan))).Append("</dd></div>\n")
            .Append("<div><dt>Status</dt><dd>").Append(Html(ReportText.PlanStatus(r.Plan))).Append("</dd></div>\n");
        if (r.Plan.Supersedes is { } old) sb.Append("<div><dt>Refreshes</dt><dd>").Append(Html(old)).Append("</dd></div>\n");
        sb.Append("</dl>\n<p class=\"formats\">Also as <a href=\"").Append(Html($"{self}?format=docx{since}")).Append("\">Word</a> or <a href=\"")
            .Append(Html($"{self}?format=markdown{since}")).Append("\">Markdown</a>.</p>\n</header>\n<main>\n");

        var sections = new List<(string Id, string Title)>
        {
            ("summary", "Summary"), ("priorities", "Progress by priority"), ("attention", "Commitments needing attention"),
            ("progress", r.Since is { } after ? $"Progress since {PeriodAxis.Date(after)}" : "Latest progress"),
            ("indicators", "Indicators against target"), ("coverage", "Strategy coverage"),
        };
        if (r.Changes is not null) sections.Add(("changes", "What changed from " + r.Changes.AgainstTitle));
        sb.Append("<nav aria-labelledby=\"contents\" class=\"contents\">\n<h2 id=\"contents\">Contents</h2>\n<ol>\n");
        foreach (var (id, title) in sections) sb.Append("<li><a href=\"#").Append(id).Append("\">").Append(Html(title)).Append("</a></li>\n");
        sb.Append("</ol>\n</nav>\n");
        var n = 0;
        void Heading(string id) => sb.Append("<section aria-labelledby=\"h-").Append(id).Append("\" id=\"").Append(id).Append("\">\n<h2 id=\"h-")
            .Append(id).Append("\">").Append(++n).Append(". ").Append(Html(sections.Single(x => x.Id == id).Title)).Append("</h2>\n");

        Heading("summary");
        var paragraphs = ReportText.Paragraphs(r.Plan.Summary);
        if (paragraphs.Count == 0) sb.Append("<p class=\"none\">The plan has no summary yet.</p>\n");
        foreach (var para in paragraphs) sb.Append("<p>").Append(Html(para)).Append("</p>\n");
        var findings = ReportText.Lines(r.Plan.AssessmentFindings);
        if (findings.Count > 0)
        {
            sb.Append("<h3>Strategic assessment: key findings</h3>\n<ul>\n");
            foreach (var f in findings) sb.Append("<li>").Append(Html(f)).Append("</li>\n");
            sb.Append("</ul>\n");
        }
        sb.Append("</section>\n");

        Heading("priorities");
        sb.Append("<table class=\"rag-table\">\n<caption>Commitments of each priority by status. Red: any off track; amber: any at risk or overdue; ")
            .Append("green: neither.</caption>\n<thead><tr><th scope=\"col\">Priority</th><th scope=\"col\">RAG</th><th scope=\"col\" class=\"num\">Not started</th>")
            .Append("<th scope=\"col\" class=\"num\">On track</th><th scope=\"col\" class=\"num\">At risk</th><th scope=\"col\" class=\"num\">Off track</th>")
            .Append("<th scope=\"col\" class=\"num\">Completed</th><th scope=\"col\" class=\"num\">Cancelled</th><th scope=\"col\" class=\"num\">Overdue</th></tr></thead>\n<tbody>\n");
        foreach (var p in r.Priorities)
        {
            sb.Append("<tr><th scope=\"row\"><span class=\"code\">").Append(Html(p.Code)).Append("</span> ").Append(Html(p.Title));
            if (p.Lead is { } lead) sb.Append("<br><span class=\"lead\">Lead: ").Append(Html(lead)).Append("</span>");
            sb.Append("</th><td>").Append(Badge(p.Rag)).Append("</td>");
            foreach (var count in new[] { p.NotStarted, p.OnTrack, p.AtRisk, p.OffTrack, p.Completed, p.Cancelled, p.Overdue })
                sb.Append("<td class=\"num\">").Append(count).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table>\n</section>\n");

        Heading("attention");
        if (r.Attention.Count == 0) sb.Append("<p class=\"none\">No commitment is off track, at risk or overdue.</p>\n");
        else
        {
            sb.Append("<table>\n<caption>Off track first, then at risk, then overdue; each with its latest update.</caption>\n<thead><tr>")
                .Append("<th scope=\"col\">Commitment</th><th scope=\"col\">Status</th><th scope=\"col\">Due</th><th scope=\"col\">Latest update</th></tr></thead>\n<tbody>\n");
            foreach (var a in r.Attention)
            {
                sb.Append("<tr><th scope=\"row\"><span class=\"code\">").Append(Html(a.Code)).Append("</span> ").Append(Html(a.Title))
                    .Append("<br><span class=\"lead\">Priority ").Append(Html(a.PriorityCode)).Append(a.Lead is { } l ? " · Lead: " + Html(l) : "").Append("</span></th>")
                    .Append("<td>").Append(StatusBadge(a.Status)).Append(a.Overdue ? " <span class=\"badge overdue\">Overdue</span>" : "").Append("</td>")
                    .Append("<td>").Append(Html(ReportText.Date(a.DueDate))).Append("</td><td>");
                if (a.Commentary is { } said) sb.Append(Html(said)).Append("<br><span class=\"by\">").Append(Html(ReportText.By(a.By))).Append("</span>");
                else sb.Append("<span class=\"none\">No update yet.</span>");
                sb.Append("</td></tr>\n");
            }
            sb.Append("</tbody>\n</table>\n");
        }
        sb.Append("</section>\n");

        Heading("progress");
        if (r.Progress.Count == 0)
            sb.Append("<p class=\"none\">").Append(r.Since is null ? "No commitment has a progress update yet." : "No progress updates in this period.").Append("</p>\n");
        else
        {
            sb.Append("<table>\n<caption>").Append(r.Since is null ? "Each commitment's latest update." : "Every update in the period, newest first.")
                .Append("</caption>\n<thead><tr><th scope=\"col\">Commitment</th><th scope=\"col\">Status</th><th scope=\"col\">Update</th><th scope=\"col\">By, as at</th></tr></thead>\n<tbody>\n");
            foreach (var u in r.Progress)
                sb.Append("<tr><th scope=\"row\"><span class=\"code\">").Append(Html(u.Code)).Append("</span> ").Append(Html(u.Title)).Append("</th><td>")
                    .Append(StatusBadge(u.Status)).Append("</td><td>").Append(Html(u.Commentary)).Append("</td><td class=\"by\">").Append(Html(ReportText.By(u.By)))
                    .Append("</td></tr>\n");
            sb.Append("</tbody>\n</table>\n");
        }
        sb.Append("</section>\n");

        Heading("indicators");
        if (r.Indicators.Count == 0) sb.Append("<p class=\"none\">No indicator measures this plan's priorities.</p>\n");
        else
        {
            sb.Append("<table>\n<caption>Latest value in the partnership's area against target; the trend compares it with the period before.</caption>\n")
                .Append("<thead><tr><th scope=\"col\">Indicator</th><th scope=\"col\">Latest</th><th scope=\"col\">Target</th><th scope=\"col\">Status</th>")
                .Append("<th scope=\"col\">Trend</th></tr></thead>\n<tbody>\n");
            foreach (var i in r.Indicators)
            {
                var perf = i.Performance;
                sb.Append("<tr><th scope=\"row\"><a href=\"#ind-").Append(Html(i.Code.ToLowerInvariant())).Append("\">").Append(Html(i.Name)).Append("</a></th><td>")
                    .Append(perf.Latest is { } l ? $"{Html(IndicatorChart.Value(i.Unit, l.Value))} <span class=\"lead\">({Html(ReportText.PeriodLabel(i.Chart, l.Period))})</span>" : "—")
                    .Append("</td><td>")
                    .Append(perf.Target is { } t ? $"{Html(IndicatorChart.Value(i.Unit, t.Value))} <span class=\"lead\">({Html(ReportText.PeriodLabel(i.Chart, t.Period))})</span>" : "—")
                    .Append("</td><td>").Append(PerformanceBadge(perf.Status)).Append("</td><td>").Append(Html(ReportText.Trend(perf.Trend))).Append("</td></tr>\n");
            }
            sb.Append("</tbody>\n</table>\n");
            foreach (var i in r.Indicators)
                sb.Append("<figure class=\"chart\" id=\"ind-").Append(Html(i.Code.ToLowerInvariant())).Append("\">\n<h3>").Append(Html(i.Name))
                    .Append(" <span class=\"code\">").Append(Html(i.Code)).Append("</span></h3>\n").Append(i.ChartSvg).Append("\n<figcaption>")
                    // The link inside the SVG is part of an image to assistive technology; this one is reachable.
                    .Append(Html(i.Description)).Append(" <a class=\"formats\" href=\"").Append(Html(i.CsvPath)).Append("\">The data as CSV</a>.")
                    .Append("</figcaption>\n</figure>\n");
        }
        sb.Append("</section>\n");

        Heading("coverage");
        if (r.Coverage.Count == 0) sb.Append("<p class=\"none\">Nothing in the plan is aligned to a strategy yet.</p>\n");
        foreach (var c in r.Coverage)
        {
            sb.Append("<h3>").Append(Html(c.FrameworkTitle)).Append("</h3>\n<p>").Append(c.Covered).Append(" of ").Append(c.Outcomes)
                .Append(" outcomes have something of the plan aligned to them.</p>\n");
            if (c.WithoutCommitment.Count == 0) sb.Append("<p>Every outcome has at least one commitment delivering it.</p>\n");
            else
            {
                sb.Append("<p>Outcomes no commitment delivers:</p>\n<ul class=\"gaps\">\n");
                foreach (var gap in c.WithoutCommitment) sb.Append("<li>").Append(Html(gap)).Append("</li>\n");
                sb.Append("</ul>\n");
            }
        }
        sb.Append("</section>\n");

        if (r.Changes is { } ch)
        {
            Heading("changes");
            sb.Append("<p class=\"lead\">Routine changes of a refresh (statuses reset to not started, dates moved with the plan's period) are left out.</p>\n");
            if (ch.None) sb.Append("<p class=\"none\">Nothing else changed.</p>\n");
            void List(string heading, IReadOnlyList<string> items)
            {
                if (items.Count == 0) return;
                sb.Append("<h3>").Append(Html(heading)).Append("</h3>\n<ul>\n");
                foreach (var item in items) sb.Append("<li>").Append(Html(item)).Append("</li>\n");
                sb.Append("</ul>\n");
            }
            void Changed(string heading, IReadOnlyList<ChangedItem> items)
            {
                if (items.Count == 0) return;
                sb.Append("<h3>").Append(Html(heading)).Append("</h3>\n<ul>\n");
                foreach (var item in items)
                {
                    sb.Append("<li>").Append(Html(item.Item)).Append("<ul>");
                    foreach (var change in item.Changes) sb.Append("<li>").Append(Html(change)).Append("</li>");
                    sb.Append("</ul></li>\n");
                }
                sb.Append("</ul>\n");
            }
            List("Priorities added", ch.PrioritiesAdded);
            List("Priorities removed", ch.PrioritiesRemoved);
            Changed("Priorities changed", ch.PrioritiesChanged);
            List("Commitments added", ch.CommitmentsAdded);
            List("Commitments removed", ch.CommitmentsRemoved);
            Changed("Commitments changed", ch.CommitmentsChanged);
            sb.Append("</section>\n");
        }

        sb.Append("</main>\n<footer><p>").Append(Html(r.PartnershipName)).Append(" · ").Append(Html(r.Plan.Title)).Append(" · as at ")
            .Append(PeriodAxis.Date(r.AsAt)).Append(". Figures are for the partnership's area; provisional figures may be revised.</p></footer>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static string Badge(Rag rag) =>
        $"<span class=\"badge rag-{ReportText.Rag(rag).ToLowerInvariant()}\">{ReportText.Rag(rag)}</span>";

    private static string StatusBadge(CommitmentStatus s) =>
        $"<span class=\"badge status-{Infrastructure.Data.EnumText<CommitmentStatus>.Text(s).Replace('_', '-')}\">{ReportText.Status(s)}</span>";

    private static string PerformanceBadge(PerformanceStatus? s) =>
        $"<span class=\"badge perf-{(s is { } v ? Infrastructure.Data.EnumText<PerformanceStatus>.Text(v).Replace('_', '-') : "none")}\">{ReportText.Status(s)}</span>";

    private const string Css = """

        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 960px; padding: 24px 32px 48px; font-family: Arial, Helvetica, sans-serif; font-size: 16px;
               line-height: 1.45; color: #0b0c0c; background: #fff; }
        a { color: #1d70b8; }
        a:focus { outline: 3px solid #fd0; background: #fd0; color: #0b0c0c; }
        .masthead { border-bottom: 6px solid #1d70b8; padding-bottom: 12px; margin-bottom: 24px; }
        .org { margin: 0; font-weight: bold; color: #505a5f; text-transform: uppercase; letter-spacing: .04em; font-size: 14px; }
        h1 { font-size: 32px; line-height: 1.15; margin: 6px 0 8px; }
        h2 { font-size: 24px; margin: 36px 0 12px; padding-top: 8px; border-top: 1px solid #b1b4b6; break-after: avoid; }
        h3 { font-size: 19px; margin: 24px 0 8px; break-after: avoid; }
        .lede { font-size: 19px; margin: 0 0 12px; }
        .meta { display: flex; flex-wrap: wrap; gap: 4px 32px; margin: 0 0 8px; }
        .meta div { display: flex; gap: 8px; }
        .meta dt { font-weight: bold; }
        .meta dd { margin: 0; }
        .formats { font-size: 14px; margin: 0; }
        .contents ol { columns: 2; margin: 0; padding-left: 24px; }
        .contents h2 { border-top: 0; margin-top: 0; }
        table { width: 100%; border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
        caption { text-align: left; font-size: 14px; color: #505a5f; padding-bottom: 6px; }
        th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid #b1b4b6; }
        thead th { border-bottom: 2px solid #0b0c0c; }
        tbody th { font-weight: normal; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        .code { font-weight: bold; }
        .lead, .by { color: #505a5f; font-size: 13px; }
        .none { color: #505a5f; font-style: italic; }
        .badge { display: inline-block; padding: 1px 8px; border-radius: 3px; font-size: 13px; font-weight: bold; white-space: nowrap;
                 border: 1px solid currentColor; }
        .rag-red, .status-off-track, .perf-off-target { color: #fff; background: #d4351c; border-color: #d4351c; }
        .rag-amber, .status-at-risk, .perf-near, .overdue { color: #0b0c0c; background: #ffdd00; border-color: #b58800; }
        .rag-green, .status-on-track, .status-completed, .perf-on-target { color: #fff; background: #00703c; border-color: #00703c; }
        .status-not-started, .status-cancelled, .perf-none { color: #0b0c0c; background: #f3f2f1; border-color: #b1b4b6; }
        figure.chart { margin: 16px 0 24px; break-inside: avoid; }
        figure.chart h3 { margin-top: 0; }
        figure.chart svg { display: block; max-width: 100%; height: auto; border: 1px solid #e5e5e5; }
        figcaption { font-size: 14px; color: #0b0c0c; margin-top: 6px; max-width: 600px; }
        .gaps li { color: #942514; }
        footer { margin-top: 40px; border-top: 1px solid #b1b4b6; font-size: 13px; color: #505a5f; }
        @page { size: A4; margin: 16mm 14mm; }
        @media print {
          body { max-width: none; padding: 0; font-size: 11pt; }
          .formats, .contents { display: none; }
          h1 { font-size: 22pt; }
          h2 { font-size: 15pt; }
          h3 { font-size: 12pt; }
          table { font-size: 9.5pt; }
          thead { display: table-header-group; }
          tr, figure { break-inside: avoid; }
          a { color: inherit; text-decoration: none; }
          .badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }

        """;
}
