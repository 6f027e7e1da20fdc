using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Plans;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Priorities;

internal static class PrioritiesApi
{
    public static IEndpointRouteBuilder MapPriorities(this IEndpointRouteBuilder routes)
    {
        var ofPlan = routes.MapGroup("/plans/{planId:guid}/priorities").WithTags("Priorities");
        ofPlan.MapGet("/", ListPriorities).WithName("listPriorities").WithSummary("List a plan's priorities")
            .WithDescription("In plan order (position).").RequireScope(Scopes.Read).ProducesProblem(StatusCodes.Status404NotFound);
        ofPlan.MapPost("/", CreatePriority).WithName("createPriority").WithSummary("Add a priority to a plan")
            .WithRequestExample(PriorityExamples.Create)
            .WithDescription("Codes are unique within the plan. Archived plans cannot change (409).")
            .RequireScope(Scopes.PlansWrite).Validate<PriorityRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        var group = routes.MapGroup("/priorities").WithTags("Priorities");
        group.MapGet("/{priorityId:guid}", GetPriority).WithName("getPriority").WithSummary("Get a priority")
            .WithDescription("One priority with its ETag.").RequireScope(Scopes.Read).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{priorityId:guid}", UpdatePriority).WithName("updatePriority").WithSummary("Replace a priority")
            .WithDescription("Send If-Match with its ETag.").RequireScope(Scopes.PlansWrite).Validate<PriorityRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapDelete("/{priorityId:guid}", DeletePriority).WithName("deletePriority").WithSummary("Remove a priority")
            .WithDescription("Removes the priority and its commitments.").RequireScope(Scopes.PlansWrite)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return routes;
    }

    private static async Task<Results<Ok<Page<Priority>>, ValidationProblem, ProblemHttpResult>> ListPriorities(
        Tenant tenant, Guid planId, [AsParameters] PageQuery query, PlanQueries plans, PriorityQueries priorities, CancellationToken ct)
    {
        if (!query.TryGet(out var page, out var errors)) return Errors.Invalid(errors);
        if (await plans.GetAsync(tenant, planId, ct) is null) return Errors.NotFound("plan " + planId);
        var rows = await priorities.ListByPlanAsync(tenant, planId, page, ct);
        return TypedResults.Ok(page.ToPage(rows, p => PageRequest.Key(p.Position, p.Id)));
    }

    private static async Task<Results<Ok<Priority>, StatusCodeHttpResult, ProblemHttpResult>> GetPriority(
        Tenant tenant, Guid priorityId, PriorityQueries priorities, HttpContext http, CancellationToken ct)
    {
        var priority = await priorities.GetAsync(tenant, priorityId, ct);
        if (priority is null) return Errors.NotFound("priority " + priorityId);
        return Respond.WithETag(http, priority, priority.Version);
    }

    private static async Task<Results<Created<Priority>, ValidationProblem, ProblemHttpResult>> CreatePriority(
        Tenant tenant, Guid planId, PriorityRequest request, PriorityQueries priorities, HttpContext http, CancellationToken ct) =>
        Respond.Created(http, await priorities.CreateAsync(tenant, planId, request, ct), "plan " + planId,
            p => $"/v1/partnerships/{tenant.Slug}/priorities/{p.Id}", p => p.Version);

    private static async Task<Results<Ok<Priority>, ValidationProblem, ProblemHttpResult>> UpdatePriority(
        Tenant tenant, Guid priorityId, PriorityRequest request, PriorityQueries priorities, HttpContext http, CancellationToken ct) =>
        Respond.Written(http, await priorities.UpdateAsync(tenant, priorityId, request, ETags.IfMatch(http.Request), ct), "priority " + priorityId,
            p => p.Version);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeletePriority(
        Tenant tenant, Guid priorityId, PriorityQueries priorities, HttpContext http, CancellationToken ct) =>
        Respond.Deleted(await priorities.DeleteAsync(tenant, priorityId, ETags.IfMatch(http.Request), ct), "priority " + priorityId);
}
