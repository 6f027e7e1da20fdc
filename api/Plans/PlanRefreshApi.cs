using System.ComponentModel;
using System.Text;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Idempotency;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Plans;

internal static class PlanRefreshApi
{
    public const string MarkdownType = "text/markdown";

    public static RouteGroupBuilder MapPlanRefresh(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/plans").WithTags("Plans");

        group.MapPost("/{planId:guid}/refresh", RefreshPlan).WithName("refreshPlan").WithSummary("Refresh a plan into a new draft")
            .WithRequestExample(PlanExamples.Refresh)
            .WithDescription("Copies an approved (or archived) plan into a new draft for the next period, in one step: its summary and findings, " +
                             "priorities, commitments (with partner agencies), indicator links and alignments. The draft's supersedesId is the " +
                             "refreshed plan. Commitment dates move by the offset between the two periods (`shiftDates`, default true). Completed " +
                             "and cancelled commitments are left out unless `include` names them. Commitment statuses reset to not_started, " +
                             "except those listed in carryOver (or all, with carryOverAll), which keep their status and start their history with " +
                             "one update restating it. A draft plan cannot be refreshed (409), nor can a plan into a period that overlaps another " +
                             "draft refreshed from it (409). Send an Idempotency-Key to retry safely.")
            .RequireScope(Scopes.PlansWrite).Validate<PlanRefreshRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{planId:guid}/diff", DiffPlans).WithName("diffPlans").WithSummary("What changed between two plans")
            .WithDescription("Compares this plan with another (`against`; by default the plan this one supersedes): priorities and commitments " +
                             "added, removed and changed field by field (matched by code), and alignments added and removed. With `Accept: " +
                             "text/markdown` the report comes as Markdown, ready to paste into a committee paper. A plan that supersedes none " +
                             "needs `against` (400). Without a key (public read) only approved and archived plans compare.")
            .RequireScope(Scopes.Read).AllowPublicRead()
            .Negotiates(Negotiate.Json, Negotiate.Markdown)
            .Produces<PlanDiffResult>(StatusCodes.Status200OK, "application/json", MarkdownType)
            .AddOpenApiOperationTransformer(DocumentMarkdown)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Results<Created<PlanRefreshResult>, ValidationProblem, ProblemHttpResult>> RefreshPlan(
        Tenant tenant, Guid planId, PlanRefreshRequest request, PlanRefresh refresh,
        [FromHeader(Name = IdempotencyFilter.HeaderName)] string? idempotencyKey, HttpContext http, CancellationToken ct) =>
        // idempotencyKey is read by the idempotency filter; declared here so the contract documents it.
        Respond.Created(http, await refresh.RefreshAsync(tenant, planId, request, ct), "plan " + planId,
            r => $"/v1/partnerships/{tenant.Slug}/plans/{r.Plan.Id}", r => r.Plan.Version);

    private static async Task<Results<Ok<PlanDiffResult>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> DiffPlans(
        Tenant tenant, Guid planId,
        [Description("The plan to compare with (the earlier one); by default the plan this one supersedes (refreshed from).")] Guid? against,
        PlanDiff diffs, PlanQueries plans, HttpContext http, CancellationToken ct)
    {
        // The public compares approved and archived plans only; a draft answers 404 as it does everywhere else.
        if (tenant.Caller.IsAnonymous && await plans.GetAsync(tenant, planId, ct) is not { Status: not PlanStatus.Draft })
            return Errors.NotFound("plan " + planId);
        if (against is not { } otherId)
        {
            // An unknown plan is 404 whatever the query says, as on every route with an id.
            var plan = await plans.GetAsync(tenant, planId, ct);
            if (plan is null) return Errors.NotFound("plan " + planId);
            if (plan.SupersedesId is not { } superseded)
                return Errors.Invalid("against", "'against' is required: this plan supersedes no plan to compare with by default.");
            otherId = superseded;
        }
        if (tenant.Caller.IsAnonymous && await plans.GetAsync(tenant, otherId, ct) is not { Status: not PlanStatus.Draft })
            return Errors.NotFound("plan " + otherId);
        var diff = await diffs.DiffAsync(tenant, planId, otherId, ct);
        if (diff is null) return Errors.NotFound($"plan {planId} or plan {otherId}");
        if (Negotiate.Is(http, MarkdownType)) return TypedResults.Text(PlanDiff.Markdown(diff), MarkdownType + "; charset=utf-8", Encoding.UTF8);
        return TypedResults.Ok(diff);
    }

    /// <summary>Produces gives both media types the JSON schema; the Markdown report is text.</summary>
    private static Task DocumentMarkdown(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
        {
            response.Content ??= new Dictionary<string, OpenApiMediaType>();
            response.Content[MarkdownType] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The diff as a Markdown report (UTF-8)." },
                Example = System.Text.Json.Nodes.JsonValue.Create(
                    "# What changed: Plan 2026-27\n\nCompared with Plan 2025-26.\n\n## Priorities\n\nAdded:\n\n- **P3** Reducing drug-related harm\n"),
            };
        }
        return Task.CompletedTask;
    }
}
