using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Csp.Api.Tests.Frameworks;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Reports;

/// <summary>Issue 20, points 1, 5 and 6: the plan's progress report for committee, in HTML, Markdown and Word.</summary>
[Collection(ApiCollection.Name)]
public sealed class ReportTests(CspApiFactory factory)
{
    public const string Word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    internal sealed record Arranged(TestTenant T, Guid PlanId, Guid IndicatorId, Guid OffTrack, HttpClient Officer);

    /// <summary>A plan with a summary and findings; P1 with a commitment off track, one at risk and one overdue, P2 all on track; an
    /// indicator with a year of values and a target; a framework with one outcome covered and one gap. Updates by an officer's key.</summary>
    internal static async Task<Arranged> ArrangeAsync(CspApiFactory factory, string title = "Plan 2026-27", string commentary = "Abstractions to pan-London operations",
        string p1Title = "Tackling VAWG", bool publicRead = false, string summary = "Our plan for a safer borough.\n\nIt answers the strategic assessment.")
    {
        var t = await TestTenant.CreateAsync(factory, publicRead: publicRead);
        var met = await t.CreateAgencyAsync("MET", "police", "Met Central South BCU");
        var (officer, _, _) = await t.KeyAsync(["read", "plans:write"]);
        var plan = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/plans"), new
        {
            title, periodStart = "2026-04-01", periodEnd = "2027-03-31",
            summary,
            assessmentFindings = "Robbery is concentrated in the north-west\nVAWG is under-reported",
        }), HttpStatusCode.Created);
        var p1 = await t.CreatePriorityAsync(plan.Id(), "P1", p1Title, met.Id());
        var p2 = await t.CreatePriorityAsync(plan.Id(), "P2", "Safer estates");
        var off = await t.CreateCommitmentAsync(p1.Id(), "C1", "Hotspot patrols", met.Id(), startDate: "2026-04-01", dueDate: "2027-03-31");
        var risk = await t.CreateCommitmentAsync(p1.Id(), "C2", "VAWG forum", startDate: "2026-04-01", dueDate: "2027-03-31");
        await t.CreateCommitmentAsync(p1.Id(), "C3", "Posters", startDate: "2026-04-01", dueDate: "2026-05-31");
        var fine = await t.CreateCommitmentAsync(p2.Id(), "C4", "CCTV on estates", startDate: "2026-04-01", dueDate: "2027-03-31");
        await t.AddUpdateAsync(off.Id(), "off_track", commentary, officer);
        await t.AddUpdateAsync(risk.Id(), "at_risk", "Venue not yet found", officer);
        await t.AddUpdateAsync(fine.Id(), "on_track", "Cameras installed on two estates", officer);
        var indicator = await t.CreateIndicatorAsync(met.Id(), "ROB-PERSONAL", target: new { value = 150, period = "2026-12" },
            baseline: new { value = 182, period = "2026-01" }, priorityIds: [p1.Id()]);
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], met.Id());
        await pusher.PushOkAsync(t, Enumerable.Range(1, 10).Select(m => IndicatorTestData.Row("ROB-PERSONAL", $"2026-{m:D2}", 182 - 2 * m)));
        var f = await t.CreateFrameworkAsync();
        var safer = await t.CreateOutcomeAsync(f.Id(), "S2030-3", "A safer Southwark");
        await t.CreateOutcomeAsync(f.Id(), "S2030-4", "A strong and fair economy");
        await t.AlignAsync(safer.Id(), priorityId: p1.Id(), rationale: "Women's safety");
        await t.ApprovePlanAsync(plan.Id());
        return new Arranged(t, plan.Id(), indicator.Id(), off.Id(), officer);
    }

    internal static HttpRequestMessage Get(string path, string? accept = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        return request;
    }

    [Fact]
    public async Task The_HTML_report_is_one_self_contained_accessible_page_with_every_section()
    {
        var a = await ArrangeAsync(factory);

        var response = await a.T.Admin.SendAsync(Get(a.T.Path($"/plans/{a.PlanId}/report")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<html lang=\"en-GB\">", html);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<h1>"));
        Assert.Contains("<h1>Plan 2026-27</h1>", html);
        // Self-contained: nothing fetched from elsewhere.
        foreach (var external in new[] { "<script", "src=\"", "href=\"http", "href=\"//", "url(http", "url(//", "@import" })
            Assert.DoesNotContain(external, html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["<link rel=\"icon\" href=\"data:,\">"], System.Text.RegularExpressions.Regex.Matches(html, "<link[^>]*>").Select(m => m.Value));
        Assert.Contains("@media print", html);
        Assert.Contains("<th scope=\"col\">Priority</th>", html);
        Assert.Contains("<th scope=\"row\">", html);
        Assert.Contains("<caption>", html);

        // Summary and findings.
        Assert.Contains("<p>Our plan for a safer borough.</p>", html);
        Assert.Contains("<li>VAWG is under-reported</li>", html);
        // RAG: P1 is red (off track), P2 green; counts and the overdue one.
        Assert.Matches("P1</span> Tackling VAWG.*?rag-red\">Red<.*?<td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">1</td>", html);
        Assert.Matches("P2</span> Safer estates.*?rag-green\">Green<", html);
        // Attention: off track first, then at risk, then overdue, with commentary, author and as-at date.
        var attention = Section(html, "attention");
        Assert.True(attention.IndexOf("Hotspot patrols", StringComparison.Ordinal) < attention.IndexOf("VAWG forum", StringComparison.Ordinal));
        Assert.True(attention.IndexOf("VAWG forum", StringComparison.Ordinal) < attention.IndexOf("Posters", StringComparison.Ordinal));
        Assert.Contains("Abstractions to pan-London operations", attention);
        Assert.Contains("key read+plans:write, " + Plans.PlanTestKit.TodayUtc.Day, attention);
        Assert.Contains("Overdue", attention);
        Assert.DoesNotContain("CCTV on estates", attention);
        // Indicators: the inline chart with its title and description, the summary line.
        var indicators = Section(html, "indicators");
        Assert.Contains("<svg", indicators);
        Assert.Contains("role=\"img\"", indicators);
        Assert.Contains("<desc id=\"chart-rob-personal-desc\">", indicators);
        Assert.Contains("<figcaption>", indicators);
        Assert.Contains("Near target", indicators);
        // The chart's data as CSV, linked where a keyboard and a screen reader reach it (the SVG's own link is inside an image).
        var csvHref = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex
            .Match(indicators, "<figcaption>[^<]*<a class=\"formats\" href=\"([^\"]+)\">The data as CSV</a>").Groups[1].Value);
        Assert.StartsWith($"/v1/partnerships/{a.T.Slug}/indicators/{a.IndicatorId}/observations?", csvHref);
        var csv = await a.T.Admin.GetAsync(csvHref);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal(11, (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        // Coverage: the gap.
        Assert.Contains("A strong and fair economy (S2030-4)", Section(html, "coverage"));
        // The plan refreshes none: no changes section.
        Assert.DoesNotContain("id=\"changes\"", html);
        // Well-formed enough to parse as XML once the doctype is gone (every element closed, every entity known).
        XDocument.Parse(html["<!DOCTYPE html>".Length..].Replace("<br>", "<br/>").Replace("<meta charset=\"utf-8\">", "<meta charset=\"utf-8\"/>")
            .Replace("initial-scale=1\">", "initial-scale=1\"/>").Replace("href=\"data:,\">", "href=\"data:,\"/>"));
    }

    private static string Section(string html, string id)
    {
        var start = html.IndexOf($"<section aria-labelledby=\"h-{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {id}");
        return html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task Markdown_and_Word_carry_the_same_report_and_the_Word_file_is_valid_Open_XML()
    {
        var a = await ArrangeAsync(factory);

        var md = await a.T.Admin.SendAsync(Get(a.T.Path($"/plans/{a.PlanId}/report"), "text/markdown"));
        var docx = await a.T.Admin.GetAsync(a.T.Path($"/plans/{a.PlanId}/report?format=docx"));

        Assert.Equal("text/markdown", md.Content.Headers.ContentType?.MediaType);
        var markdown = await md.Content.ReadAsStringAsync();
        Assert.StartsWith("# Plan 2026-27\n", markdown);
        Assert.Contains("| Priority | RAG |", markdown);
        Assert.Contains("| **P1** Tackling VAWG | Red | 1 | 0 | 1 | 1 | 0 | 0 | 1 |", markdown);
        Assert.Contains($"](</v1/partnerships/{a.T.Slug}/indicators/{a.IndicatorId}/chart.svg>)", markdown);
        Assert.Contains($" [The data as CSV](</v1/partnerships/{a.T.Slug}/indicators/{a.IndicatorId}/observations?area=", markdown);
        Assert.Contains("- A strong and fair economy (S2030-4)", markdown);

        Assert.Equal(HttpStatusCode.OK, docx.StatusCode);
        Assert.Equal(Word, docx.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", docx.Content.Headers.ContentDisposition?.DispositionType);
        var bytes = await docx.Content.ReadAsByteArrayAsync();
        using var doc = WordprocessingDocument.Open(new MemoryStream(bytes), false);
        var errors = new OpenXmlValidator().Validate(doc).Select(e => $"{e.Part?.Uri} {e.Path?.XPath}: {e.Description}").ToList();
        Assert.True(errors.Count == 0, "OpenXmlValidator:\n" + string.Join("\n", errors));
        var text = doc.MainDocumentPart!.Document.Body!.InnerText;
        Assert.Contains("Plan 2026-27", text);
        Assert.Contains("Abstractions to pan-London operations", text);
        Assert.Contains("A strong and fair economy (S2030-4)", text);
        // Headings are styles (navigation pane, screen readers); the chart is a native chart with alt text.
        Assert.Contains(doc.MainDocumentPart.Document.Body.Descendants<DocumentFormat.OpenXml.Wordprocessing.ParagraphStyleId>(), s => s.Val == "Heading1");
        Assert.Single(doc.MainDocumentPart.ChartParts);
        var alt = doc.MainDocumentPart.Document.Body.Descendants<DocumentFormat.OpenXml.Drawing.Wordprocessing.DocProperties>().Single();
        Assert.Contains("lower is better", alt.Description!.Value);
    }

    [Fact]
    public async Task Since_limits_progress_to_the_updates_after_the_last_committee()
    {
        var a = await ArrangeAsync(factory);
        var today = TodayUtc;

        var all = await (await a.T.Admin.GetAsync(a.T.Path($"/plans/{a.PlanId}/report?format=markdown"))).Content.ReadAsStringAsync();
        var sinceYesterday = await (await a.T.Admin.GetAsync(a.T.Path($"/plans/{a.PlanId}/report?format=markdown&since={Day(today.AddDays(-1))}")))
            .Content.ReadAsStringAsync();
        var sinceToday = await (await a.T.Admin.GetAsync(a.T.Path($"/plans/{a.PlanId}/report?format=markdown&since={Day(today)}"))).Content.ReadAsStringAsync();

        Assert.Contains("## 4. Latest progress", all);
        Assert.Contains("Cameras installed on two estates", ProgressOf(all));
        Assert.Contains("Cameras installed on two estates", ProgressOf(sinceYesterday));
        Assert.Contains("Progress since", sinceYesterday);
        Assert.Contains("_No progress updates in this period._", ProgressOf(sinceToday));
        // The attention list still shows the latest commentary whatever the period.
        Assert.Contains("Abstractions to pan-London operations", sinceToday);
        await ExpectInvalid(await a.T.Admin.GetAsync(a.T.Path($"/plans/{a.PlanId}/report?since=last-tuesday")), "since");

        static string ProgressOf(string md)
        {
            var start = md.IndexOf("\n## 4. ", StringComparison.Ordinal);
            return md[start..md.IndexOf("\n## 5. ", StringComparison.Ordinal)];
        }
    }

    [Fact]
    public async Task The_report_is_cached_until_the_partnership_changes_and_its_strong_ETag_answers_304()
    {
        var a = await ArrangeAsync(factory);
        var path = a.T.Path($"/plans/{a.PlanId}/report");

        var first = await a.T.Admin.GetAsync(path);
        var second = await a.T.Admin.GetAsync(path);
        var etag = ETagOf(first);
        Assert.Equal(etag, ETagOf(second));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotModified, (await a.T.Admin.SendAsync(HttpMethod.Get, path, ifNoneMatch: etag)).StatusCode);
        Assert.NotEqual(etag, ETagOf(await a.T.Admin.GetAsync(path + "?format=markdown")));

        await a.T.AddUpdateAsync(a.OffTrack, "off_track", "Patrols resumed in Peckham", a.Officer);

        var changed = await a.T.Admin.SendAsync(HttpMethod.Get, path, ifNoneMatch: etag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, ETagOf(changed));
        Assert.Contains("Patrols resumed in Peckham", await changed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_Accept_the_report_cannot_produce_is_406_naming_what_it_can_and_so_is_it_on_every_negotiating_endpoint()
    {
        var a = await ArrangeAsync(factory);

        var report = await TestTenant.ExpectProblem(await a.T.Admin.SendAsync(Get(a.T.Path($"/plans/{a.PlanId}/report"), "application/json")),
            HttpStatusCode.NotAcceptable);
        Assert.Contains("text/html, text/markdown, " + Word, report.Str("detail"));
        await TestTenant.ExpectProblem(await a.T.Admin.GetAsync(a.T.Path($"/plans/{a.PlanId}/report?format=pdf")), HttpStatusCode.NotAcceptable);

        var csvList = await TestTenant.ExpectProblem(await a.T.Admin.SendAsync(Get(a.T.Path($"/plans/{a.PlanId}/commitments"), "application/xml")),
            HttpStatusCode.NotAcceptable);
        Assert.Contains("application/json, text/csv", csvList.Str("detail"));
        await TestTenant.ExpectProblem(await a.T.Admin.SendAsync(Get(a.T.Path($"/indicators/{a.IndicatorId}/observations"), "text/markdown")),
            HttpStatusCode.NotAcceptable);
        var diff = await TestTenant.ExpectProblem(await a.T.Admin.SendAsync(Get(a.T.Path($"/plans/{a.PlanId}/diff?against={a.PlanId}"), "text/csv")),
            HttpStatusCode.NotAcceptable);
        Assert.Contains("application/json, text/markdown", diff.Str("detail"));
        // What each can produce still answers.
        Assert.Equal(HttpStatusCode.OK, (await a.T.Admin.SendAsync(Get(a.T.Path($"/plans/{a.PlanId}/commitments"), "text/csv"))).StatusCode);
        await ExpectNotFound(await a.T.Admin.GetAsync(a.T.Path($"/plans/{Guid.NewGuid()}/report")));
    }

    [Fact]
    public async Task Hostile_titles_and_commentary_stay_inert_text_in_every_format()
    {
        const string title = "<script>alert('t')</script> [x](javascript:alert(1))";
        const string commentary = "=HYPERLINK(\"http://evil.example\",\"click\") <img src=x onerror=alert(1)> | cell\n# Heading\n- item";
        const string priority = "@SUM(1+1) <b>bold</b> `code` *em*";
        const string summary = "+CMD|' /C calc'!A0\n\n-2+3\n\n1. not a list\n\n> not a quote";
        var a = await ArrangeAsync(factory, title, commentary, priority, summary: summary);
        var path = a.T.Path($"/plans/{a.PlanId}/report");

        var html = await (await a.T.Admin.GetAsync(path)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.DoesNotContain("<b>bold</b>", html);
        Assert.Contains("&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;", html);
        Assert.Contains("<p>+CMD|&#39; /C calc&#39;!A0</p>", html);
        Assert.Contains("=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;) &lt;img src=x onerror=alert(1)&gt;", html);

        var md = await (await a.T.Admin.GetAsync(path + "?format=markdown")).Content.ReadAsStringAsync();
        Assert.DoesNotMatch(@"(?<!\\)<script", md);
        Assert.DoesNotMatch(@"(?<!\\)<img", md);
        Assert.DoesNotContain("](javascript:", md.Replace("\\](javascript:", "", StringComparison.Ordinal));
        Assert.Contains("\\[x\\](javascript:alert(1))", md);
        // A value that would start a formula, a heading or a list is escaped where it starts, and its line breaks are gone.
        Assert.Contains("| \\=HYPERLINK(\"http://evil.example\",\"click\") \\<img src=x onerror=alert(1)\\> \\| cell # Heading - item |", md);
        Assert.Contains("**P1** \\@SUM(1+1) \\<b\\>bold\\</b\\> \\`code\\` \\*em\\*", md);
        Assert.Contains("\n\\+CMD\\|' /C calc'\\!A0\n", md);
        Assert.Contains("\n\\-2+3\n", md);
        Assert.Contains("\n1\\. not a list\n", md);
        Assert.Contains("\n\\> not a quote\n", md);
        Assert.DoesNotContain("\n# Heading", md);
        Assert.DoesNotContain("\n+", md);
        Assert.DoesNotContain("\n-2", md);
        Assert.DoesNotContain("\n=", md);
        Assert.DoesNotContain("\n@", md);

        var docx = await (await a.T.Admin.GetAsync(path + "?format=docx")).Content.ReadAsByteArrayAsync();
        using var doc = WordprocessingDocument.Open(new MemoryStream(docx), false);
        Assert.Empty(new OpenXmlValidator().Validate(doc));
        var texts = doc.MainDocumentPart!.Document.Body!.Descendants<DocumentFormat.OpenXml.Wordprocessing.Text>().Select(t => t.Text).ToList();
        Assert.Contains(title, texts);
        Assert.Contains(texts, t => t.Contains("=HYPERLINK(\"http://evil.example\",\"click\") <img src=x onerror=alert(1)>", StringComparison.Ordinal));
        Assert.Empty(doc.MainDocumentPart.Document.Body.Descendants<DocumentFormat.OpenXml.Wordprocessing.Hyperlink>());

        // The diff's Markdown escapes the same way.
        var refreshed = await TestTenant.Expect(await a.T.Admin.PostAsJsonAsync(a.T.Path($"/plans/{a.PlanId}/refresh"),
            new { title = "Next", periodStart = "2027-04-01", periodEnd = "2028-03-31" }), HttpStatusCode.Created);
        var diff = await (await a.T.Admin.SendAsync(Get(a.T.Path($"/plans/{refreshed["plan"]!.AsObject().Id()}/diff"), "text/markdown"))).Content.ReadAsStringAsync();
        Assert.Contains("Compared with \\<script\\>alert('t')\\</script\\> \\[x\\](javascript:alert(1)).", diff);
    }

    [Fact]
    public async Task A_refreshed_plan_reports_what_changed_without_the_refresh_routine()
    {
        var a = await ArrangeAsync(factory, title: "Plan 2026-27");
        var t = a.T;
        var body = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{a.PlanId}/refresh"),
            new { title = "Plan 2027-28", periodStart = "2027-04-01", periodEnd = "2028-03-31" }), HttpStatusCode.Created);
        var newId = body["plan"]!.AsObject().Id();
        var doc = await t.GetOkAsync($"/plans/{newId}");
        var p2 = doc["priorities"]!.AsArray().Single(p => p!["code"]!.GetValue<string>() == "P2")!.AsObject();
        var c4 = p2["commitments"]!.AsArray().Single()!.AsObject();
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/commitments/{c4.Id()}"),
            new { code = "C4", title = "CCTV on every estate", startDate = "2027-04-01", dueDate = "2027-12-31" }), HttpStatusCode.OK);
        await t.CreateCommitmentAsync(p2.Id(), "C5", "Estate walkabouts");

        var md = await (await t.Admin.GetAsync(t.Path($"/plans/{newId}/report?format=markdown"))).Content.ReadAsStringAsync();

        var changes = md[md.IndexOf("## 7. What changed from Plan 2026-27", StringComparison.Ordinal)..];
        Assert.Contains("- C5 Estate walkabouts (priority P2)", changes);
        Assert.Contains("- C4 CCTV on every estate (priority P2)\n  - title: CCTV on estates → CCTV on every estate\n  - due date: 31 March 2027 → 31 December 2027\n", changes);
        // Statuses reset to not started and dates moved a year are a refresh's routine: not reported.
        Assert.DoesNotContain("status:", changes);
        Assert.DoesNotContain("C1 Hotspot patrols", changes);
        Assert.Contains("- Refreshes: Plan 2026-27", md);
    }

    [Fact]
    public async Task An_update_is_attributed_to_the_author_it_names_as_at_the_date_it_describes()
    {
        var a = await ArrangeAsync(factory);
        async Task Update(object body) =>
            await TestTenant.Expect(await a.Officer.PostAsJsonAsync(a.T.Path($"/commitments/{a.OffTrack}/updates"), body), HttpStatusCode.Created);
        await Update(new { status = "off_track", commentary = "Patrols paused for the autumn", author = "Borough Commander", percentComplete = 20 });
        await Update(new { status = "on_track", commentary = "Patrols ran all summer", author = "Inspector, Central South", asAt = "2026-06-30" });

        var html = await (await a.T.Admin.SendAsync(Get(a.T.Path($"/plans/{a.PlanId}/report")))).Content.ReadAsStringAsync();

        // The latest is the one describing the latest date, attributed to its author as at that date.
        var attention = Section(html, "attention");
        Assert.Contains("Patrols paused for the autumn", attention);
        Assert.Contains($"Borough Commander, {TodayUtc.Day} ", attention);
        Assert.DoesNotContain("Patrols ran all summer", attention);
        // Every update of the period, each with its own author and date.
        var since = await (await a.T.Admin.GetAsync(a.T.Path($"/plans/{a.PlanId}/report?format=markdown&since={Day(TodayUtc.AddDays(-1))}")))
            .Content.ReadAsStringAsync();
        Assert.Contains("Inspector, Central South, 30 June 2026", since);
        Assert.Contains("Borough Commander, ", since);
    }

    [Fact]
    public async Task The_public_reads_an_approved_plans_report_without_authors_but_never_a_drafts()
    {
        var a = await ArrangeAsync(factory, publicRead: true);
        var anonymous = factory.ClientWithKey(null);
        var draft = await a.T.CreatePlanAsync("Draft", "2030-04-01", "2031-03-31");

        var response = await anonymous.GetAsync(a.T.Path($"/plans/{a.PlanId}/report"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public, max-age=60", response.Headers.CacheControl?.ToString());
        Assert.Contains("Accept", response.Headers.Vary);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Abstractions to pan-London operations", html);
        Assert.DoesNotContain("key read+plans:write", html);
        await ExpectNotFound(await anonymous.GetAsync(a.T.Path($"/plans/{draft.Id()}/report")));
        Assert.Equal(HttpStatusCode.OK, (await a.T.Admin.GetAsync(a.T.Path($"/plans/{draft.Id()}/report"))).StatusCode);
    }
}
