using System.ComponentModel;
using System.Text;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Reports;

internal static class ReportsApi
{
    public static RouteGroupBuilder MapReports(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/plans").WithTags("Reports");

        group.MapGet("/{planId:guid}/report", GetReport).WithName("getPlanReport").WithSummary("The plan's progress report for committee")
            .WithDescription("""
                The report a CSP officer takes to scrutiny: the plan's summary and the strategic assessment's key findings; RAG per
                priority (commitments counted by status, overdue ones too); the commitments off track, at risk or overdue with their
                latest commentary, who wrote it and when; progress (each commitment's latest update, or with `since` every update after
                that day, the last committee); each indicator's performance against target with its chart; the coverage of each
                framework the plan is aligned to (outcomes no commitment delivers); and, when the plan refreshes another, what changed
                without a refresh's routine changes. As one self-contained, printable, accessible HTML page (`text/html`, the default;
                charts as inline SVG), Markdown (`text/markdown`) or Word (`application/vnd.openxmlformats-officedocument.wordprocessingml.document`,
                with native charts); by Accept or `format`. Cached until anything in the partnership changes; the strong ETag answers
                If-None-Match with 304. Without a key (public read) drafts are 404 and authors are not shown.
                """)
            .RequireScope(Scopes.Read).AllowPublicRead()
            .Negotiates(Negotiate.Html, Negotiate.Markdown, Negotiate.Word)
            .Produces<string>(StatusCodes.Status200OK, Negotiate.Html, Negotiate.Markdown, Negotiate.Word)
            .AddOpenApiOperationTransformer(DocumentBodies)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Results<Representation, StatusCodeHttpResult, ValidationProblem, ProblemHttpResult>> GetReport(
        Tenant tenant, Guid planId,
        [Description("Progress only from updates after this day (yyyy-MM-dd), e.g. the last committee's; without it, each commitment's latest update.")]
        string? since,
        ReportQueries reports, TenantQueries tenants, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        DateOnly? after = null;
        if (since is not null)
        {
            if (!DateOnly.TryParseExact(since, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.None, out var day))
                return Errors.Invalid("since", "'since' is a date (yyyy-MM-dd).");
            after = day;
        }
        var asAt = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var token = await tenants.ChangeTokenAsync(http, tenant, ct);
        var mediaType = Negotiate.Chosen(http);
        var body = await reports.RenderedAsync(tenant, planId, after, asAt, token, mediaType, report => mediaType switch
        {
            Negotiate.Markdown => new Representation(Encoding.UTF8.GetBytes(ReportMarkdown.Render(report)), Negotiate.Markdown + "; charset=utf-8"),
            Negotiate.Word => new Representation(ReportWord.Render(report), Negotiate.Word, FileName(report)),
            _ => new Representation(Encoding.UTF8.GetBytes(ReportHtml.Render(report)), Negotiate.Html + "; charset=utf-8"),
        }, ct);
        if (body is null) return Errors.NotFound("plan " + planId);
        return Respond.NotModified(http, body) ? Errors.NotModified() : body;
    }

    private static string FileName(PlanReport report) =>
        $"{report.Slug}-plan-report-{report.AsAt:yyyy-MM-dd}.docx";

    /// <summary>Produces gives each media type a string schema; say what each holds.</summary>
    private static Task DocumentBodies(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (operation.Responses?.TryGetValue("200", out var ok) != true || ok is not OpenApiResponse response) return Task.CompletedTask;
        response.Content = new Dictionary<string, OpenApiMediaType>
        {
            [Negotiate.Html] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The report as one self-contained HTML page (UTF-8)." } },
            [Negotiate.Markdown] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The report as Markdown (UTF-8)." } },
            [Negotiate.Word] = new()
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The report as a Word document (.docx)." },
            },
        };
        return Task.CompletedTask;
    }
}
