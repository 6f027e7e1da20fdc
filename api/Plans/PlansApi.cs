using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Plans;

internal static class PlansApi
{
    public static RouteGroupBuilder MapPlans(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/plans").WithTags("Plans");

        group.MapGet("/", ListPlans).WithName("listPlans").WithSummary("List plans")
            .WithDescription("The partnership's plans (without contents), optionally filtered by status.").RequireScope(Scopes.Read)
            .AddOpenApiOperationTransformer(DocumentStatusFilter);
        group.MapGet("/current", GetCurrentPlan).WithName("getCurrentPlan").WithSummary("Get the current plan")
            .WithDescription("The whole approved plan whose period covers today; 404 when there is none.")
            .RequireScope(Scopes.Read).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{planId:guid}", GetPlan).WithName("getPlan").WithSummary("Get a whole plan")
            .WithDescription("The plan with its priorities (in order), their commitments, each commitment's current status and latest update. " +
                             "The ETag changes whenever anything inside changes; send If-None-Match to get 304.")
            .RequireScope(Scopes.Read).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreatePlan).WithName("createPlan").WithSummary("Create a draft plan")
            .WithDescription("Creates a plan in draft.").RequireScope(Scopes.PlansWrite).Validate<PlanRequest>();
        group.MapPut("/{planId:guid}", UpdatePlan).WithName("updatePlan").WithSummary("Edit a plan's title and period")
            .WithDescription("Drafts and approved plans can be edited (an approved plan's new period may not overlap another approved plan); archived plans cannot.")
            .RequireScope(Scopes.PlansWrite).Validate<PlanRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapDelete("/{planId:guid}", DeletePlan).WithName("deletePlan").WithSummary("Delete a draft plan")
            .WithDescription("Deletes a draft with everything in it. Approved and archived plans cannot be deleted (409).")
            .RequireScope(Scopes.PlansWrite)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapPost("/{planId:guid}/approve", ApprovePlan).WithName("approvePlan").WithSummary("Approve a draft plan")
            .WithDescription("draft → approved. Two approved plans may not overlap in period (409).")
            .RequireScope(Scopes.PlansWrite)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapPost("/{planId:guid}/archive", ArchivePlan).WithName("archivePlan").WithSummary("Archive an approved plan")
            .WithDescription("approved → archived. An archived plan is read-only.")
            .RequireScope(Scopes.PlansWrite)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return group;
    }

    private static async Task<Results<Ok<Page<Plan>>, ValidationProblem>> ListPlans(
        Tenant tenant, [AsParameters] PageQuery query, string? status, PlanQueries plans, CancellationToken ct)
    {
        query.TryGet(out var page, out var errors);
        PlanStatus? filter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (EnumText<PlanStatus>.TryParse(status, out var parsed)) filter = parsed;
            else errors["status"] = [$"'status' must be one of: {string.Join(", ", EnumText<PlanStatus>.All)}."];
        }
        if (errors.Count > 0) return Errors.Invalid(errors);
        var rows = await plans.ListAsync(tenant, filter, page, ct);
        return TypedResults.Ok(page.ToPage(rows, p => PageRequest.Key(p.Id)));
    }

    /// <summary>
    /// Minimal APIs bind an enum parameter by its C# name ("Approved"), so the filter is read as text and
    /// parsed by the contract's names ("approved"); the document still offers those names.
    /// </summary>
    private static Task DocumentStatusFilter(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (operation.Parameters?.FirstOrDefault(p => p.Name == "status") is OpenApiParameter parameter)
            parameter.Schema = new OpenApiSchemaReference(nameof(PlanStatus), context.Document);
        return Task.CompletedTask;
    }

    private static async Task<Results<Ok<PlanDocument>, StatusCodeHttpResult, ProblemHttpResult>> GetPlan(
        Tenant tenant, Guid planId, PlanDocumentQueries documents, HttpContext http, CancellationToken ct)
    {
        var document = await documents.GetAsync(tenant, planId, ct);
        if (document is null) return Errors.NotFound("plan " + planId);
        return Respond.WithETag(http, document, document.Version);
    }

    private static async Task<Results<Ok<PlanDocument>, StatusCodeHttpResult, ProblemHttpResult>> GetCurrentPlan(
        Tenant tenant, PlanQueries plans, PlanDocumentQueries documents, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var id = await plans.CurrentIdAsync(tenant, today, ct);
        var document = id is { } planId ? await documents.GetAsync(tenant, planId, ct) : null;
        if (document is null) return Errors.NotFound($"approved plan covering {today:yyyy-MM-dd}");
        return Respond.WithETag(http, document, document.Version);
    }

    private static async Task<Created<Plan>> CreatePlan(Tenant tenant, PlanRequest request, PlanQueries plans, HttpContext http, CancellationToken ct)
    {
        var plan = await plans.CreateAsync(tenant, request, ct);
        ETags.Set(http.Response, plan.Version);
        return TypedResults.Created($"/v1/partnerships/{tenant.Slug}/plans/{plan.Id}", plan);
    }

    private static async Task<Results<Ok<Plan>, ValidationProblem, ProblemHttpResult>> UpdatePlan(
        Tenant tenant, Guid planId, PlanRequest request, PlanQueries plans, HttpContext http, CancellationToken ct) =>
        Respond.Written(http, await plans.UpdateAsync(tenant, planId, request, ETags.IfMatch(http.Request), ct), "plan " + planId, p => p.Version);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeletePlan(
        Tenant tenant, Guid planId, PlanQueries plans, HttpContext http, CancellationToken ct) =>
        Respond.Deleted(await plans.DeleteAsync(tenant, planId, ETags.IfMatch(http.Request), ct), "plan " + planId);

    private static async Task<Results<Ok<Plan>, ValidationProblem, ProblemHttpResult>> ApprovePlan(
        Tenant tenant, Guid planId, PlanQueries plans, HttpContext http, CancellationToken ct)
    {
        var approvedBy = tenant.Caller.ClientId?.ToString() ?? "platform";
        return Respond.Written(http, await plans.ApproveAsync(tenant, planId, approvedBy, ETags.IfMatch(http.Request), ct), "plan " + planId, p => p.Version);
    }

    private static async Task<Results<Ok<Plan>, ValidationProblem, ProblemHttpResult>> ArchivePlan(
        Tenant tenant, Guid planId, PlanQueries plans, HttpContext http, CancellationToken ct) =>
        Respond.Written(http, await plans.ArchiveAsync(tenant, planId, ETags.IfMatch(http.Request), ct), "plan " + planId, p => p.Version);
}
