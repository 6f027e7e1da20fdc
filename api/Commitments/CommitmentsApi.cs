using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Plans;
using Csp.Api.Priorities;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;

namespace Csp.Api.Commitments;

internal static class CommitmentsApi
{
    public static IEndpointRouteBuilder MapCommitments(this IEndpointRouteBuilder routes)
    {
        var ofPriority = routes.MapGroup("/priorities/{priorityId:guid}/commitments").WithTags("Commitments");
        ofPriority.MapGet("/", ListCommitments).WithName("listCommitments").WithSummary("List a priority's commitments")
            .WithDescription("Each with its current status and latest update, in creation order, cursor-paginated; filtered by status, lead " +
                             "agency, due date and overdue. With `Accept: text/csv` the page comes as CSV (RFC 4180, header row) and the next " +
                             "page's URL in a `Link: <…>; rel=\"next\"` header.").RequireScope(Scopes.Read)
            .DocumentEnumFilter<CommitmentStatus>("status").ProducesCsv(CommitmentCsv.Table.Header)
            .ProducesProblem(StatusCodes.Status404NotFound);
        ofPriority.MapPost("/", CreateCommitment).WithName("createCommitment").WithSummary("Add a commitment to a priority")
            .WithRequestExample(CommitmentExamples.Create)
            .WithDescription("Starts as not_started. Codes are unique within the priority.")
            .RequireScope(Scopes.PlansWrite).Validate<CommitmentRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        var ofPlan = routes.MapGroup("/plans/{planId:guid}/commitments").WithTags("Commitments");
        ofPlan.MapGet("/", ListPlanCommitments).WithName("listPlanCommitments").WithSummary("List a plan's commitments")
            .WithDescription("The commitments of every priority of the plan, each with its current status and latest update, in creation " +
                             "order, cursor-paginated; filtered by status, lead agency, due date and overdue, so portals can filter across " +
                             "priorities. With `Accept: text/csv` the page comes as CSV (RFC 4180, header row) and the next page's URL in a " +
                             "`Link: <…>; rel=\"next\"` header. Without a key (public read) only approved and archived plans answer.")
            .RequireScope(Scopes.Read).AllowPublicRead()
            .DocumentEnumFilter<CommitmentStatus>("status").ProducesCsv(CommitmentCsv.Table.Header)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var group = routes.MapGroup("/commitments").WithTags("Commitments");
        group.MapGet("/{commitmentId:guid}", GetCommitment).WithName("getCommitment").WithSummary("Get a commitment")
            .WithDescription("With current status, latest update and ETag.").RequireScope(Scopes.Read)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{commitmentId:guid}", UpdateCommitment).WithName("updateCommitment").WithSummary("Replace a commitment")
            .WithDescription("Replaces the descriptive fields; status changes only through updates.")
            .RequireScope(Scopes.PlansWrite).Validate<CommitmentRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapDelete("/{commitmentId:guid}", DeleteCommitment).WithName("deleteCommitment").WithSummary("Remove a commitment")
            .WithDescription("Removes it with its progress history.").RequireScope(Scopes.PlansWrite)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapGet("/{commitmentId:guid}/updates", ListUpdates).WithName("listCommitmentUpdates").WithSummary("Progress history")
            .WithDescription("Every update in the order recorded, oldest first; each says the date its status describes (`asAt`). Without a key " +
                             "(public read) only commitments of approved and archived plans answer.")
            .RequireScope(Scopes.Read).AllowPublicRead().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{commitmentId:guid}/updates", AddUpdate).WithName("addCommitmentUpdate").WithSummary("Record progress")
            .WithRequestExample(CommitmentExamples.Update)
            .WithDescription("Appends to the history (never overwritten), with who reports it (`author`), the date the status describes " +
                             "(`asAt`, today when omitted) and how much is done (`percentComplete`). The commitment's status becomes this " +
                             "update's, unless an update already recorded describes a later date (this one then fills in the history).")
            .RequireScope(Scopes.PlansWrite).Validate<CommitmentUpdateRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return routes;
    }

    private static async Task<Results<Ok<Page<Commitment>>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> ListCommitments(
        Tenant tenant, Guid priorityId, [AsParameters] CommitmentQuery query, PriorityQueries priorities, CommitmentQueries commitments,
        TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (!query.TryGet(clock, out var filter, out var page, out var errors)) return Errors.Invalid(errors);
        if (await priorities.GetAsync(tenant, priorityId, ct) is null) return Errors.NotFound("priority " + priorityId);
        var rows = await commitments.ListByPriorityAsync(tenant, priorityId, filter, page, ct);
        return Csv.PageOr(http, page.ToPage(rows, c => PageRequest.Key(c.Id)), CommitmentCsv.Table,
            Csv.FileName(tenant.Slug, "priority", priorityId.ToString(), "commitments"));
    }

    private static async Task<Results<Ok<Page<Commitment>>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> ListPlanCommitments(
        Tenant tenant, Guid planId, [AsParameters] CommitmentQuery query, PlanQueries plans, CommitmentQueries commitments,
        TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (!query.TryGet(clock, out var filter, out var page, out var errors)) return Errors.Invalid(errors);
        if (await plans.GetAsync(tenant, planId, ct) is not { } plan || (tenant.Caller.IsAnonymous && plan.Status == PlanStatus.Draft))
            return Errors.NotFound("plan " + planId);
        var rows = await commitments.ListByPlanAsync(tenant, planId, filter, page, ct);
        return Csv.PageOr(http, page.ToPage(rows, c => PageRequest.Key(c.Id)), CommitmentCsv.Table,
            Csv.FileName(tenant.Slug, "plan", planId.ToString(), "commitments"));
    }

    private static async Task<Results<Ok<Commitment>, StatusCodeHttpResult, ProblemHttpResult>> GetCommitment(
        Tenant tenant, Guid commitmentId, CommitmentQueries commitments, HttpContext http, CancellationToken ct)
    {
        var commitment = await commitments.GetAsync(tenant, commitmentId, ct);
        if (commitment is null) return Errors.NotFound("commitment " + commitmentId);
        return Respond.WithETag(http, commitment, commitment.Version);
    }

    private static async Task<Results<Created<Commitment>, ValidationProblem, ProblemHttpResult>> CreateCommitment(
        Tenant tenant, Guid priorityId, CommitmentRequest request, CommitmentQueries commitments, HttpContext http, CancellationToken ct) =>
        Respond.Created(http, await commitments.CreateAsync(tenant, priorityId, request, ct), "priority " + priorityId,
            c => $"/v1/partnerships/{tenant.Slug}/commitments/{c.Id}", c => c.Version);

    private static async Task<Results<Ok<Commitment>, ValidationProblem, ProblemHttpResult>> UpdateCommitment(
        Tenant tenant, Guid commitmentId, CommitmentRequest request, CommitmentQueries commitments, HttpContext http, CancellationToken ct) =>
        Respond.Written(http, await commitments.UpdateAsync(tenant, commitmentId, request, ETags.IfMatch(http.Request), ct),
            "commitment " + commitmentId, c => c.Version);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteCommitment(
        Tenant tenant, Guid commitmentId, CommitmentQueries commitments, HttpContext http, CancellationToken ct) =>
        Respond.Deleted(await commitments.DeleteAsync(tenant, commitmentId, ETags.IfMatch(http.Request), ct), "commitment " + commitmentId);

    private static async Task<Results<Ok<Page<CommitmentUpdate>>, ValidationProblem, ProblemHttpResult>> ListUpdates(
        Tenant tenant, Guid commitmentId, [AsParameters] PageQuery query, CommitmentQueries commitments, PriorityQueries priorities,
        PlanQueries plans, CancellationToken ct)
    {
        if (!query.TryGet(out var page, out var errors)) return Errors.Invalid(errors);
        if (await commitments.GetAsync(tenant, commitmentId, ct) is not { } commitment) return Errors.NotFound("commitment " + commitmentId);
        if (tenant.Caller.IsAnonymous && (await priorities.GetAsync(tenant, commitment.PriorityId, ct) is not { } priority
                || await plans.GetAsync(tenant, priority.PlanId, ct) is not { Status: not PlanStatus.Draft }))
            return Errors.NotFound("commitment " + commitmentId);
        var rows = await commitments.ListUpdatesAsync(tenant, commitmentId, page, ct);
        return TypedResults.Ok(page.ToPage(rows, u => PageRequest.Key(u.Id)));
    }

    private static async Task<Results<Created<CommitmentUpdate>, ValidationProblem, ProblemHttpResult>> AddUpdate(
        Tenant tenant, Guid commitmentId, CommitmentUpdateRequest request, CommitmentQueries commitments, HttpContext http, CancellationToken ct)
    {
        var result = await commitments.AddUpdateAsync(tenant, commitmentId, request, ct);
        return Respond.Created(http, result, "commitment " + commitmentId,
            _ => $"/v1/partnerships/{tenant.Slug}/commitments/{commitmentId}/updates", _ => 1);
    }
}
