using System.ComponentModel;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Alignments;

internal static class AlignmentsApi
{
    public static RouteGroupBuilder MapAlignments(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/alignments").WithTags("Alignments");

        group.MapGet("/", ListAlignments).WithName("listAlignments").WithSummary("List alignments")
            .WithDescription("Alignments of priorities, commitments and indicators to framework outcomes, in creation order, cursor-paginated. " +
                             "Filter by outcomeId, frameworkId or a target (priorityId, commitmentId, indicatorId).")
            .RequireScope(Scopes.Read);
        group.MapGet("/{alignmentId:guid}", GetAlignment).WithName("getAlignment").WithSummary("Get an alignment")
            .WithDescription("One alignment with its ETag; If-None-Match answers 304.").RequireScope(Scopes.Read)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateAlignment).WithName("createAlignment").WithSummary("Align a priority, commitment or indicator to an outcome")
            .WithRequestExample(AlignmentExamples.Create)
            .WithDescription("Send the outcome and exactly one target (priorityId, commitmentId or indicatorId) with a rationale. " +
                             "A target already aligned to the outcome answers 409; a target in an archived plan answers 409. " +
                             "The documents of the plans that show the alignment get a new ETag.")
            .RequireScope(Scopes.PlansWrite).Validate<AlignmentRequest>()
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{alignmentId:guid}", DeleteAlignment).WithName("deleteAlignment").WithSummary("Remove an alignment")
            .WithDescription("Removes the alignment (not its outcome or target). Send If-Match with its ETag to avoid removing one changed since you read it.")
            .RequireScope(Scopes.PlansWrite)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return group;
    }

    /// <summary>The list's filters, as a partner sends them.</summary>
    internal readonly record struct AlignmentQuery(
        [property: Description("Only alignments to this outcome.")] Guid? OutcomeId,
        [property: Description("Only alignments to outcomes of this framework (version).")] Guid? FrameworkId,
        [property: Description("Only alignments of this priority.")] Guid? PriorityId,
        [property: Description("Only alignments of this commitment.")] Guid? CommitmentId,
        [property: Description("Only alignments of this indicator.")] Guid? IndicatorId,
        [property: Description("Page size, 1–200 (default 50).")] int? Limit,
        [property: Description("The nextCursor of the previous page.")] string? Cursor);

    private static async Task<Results<Ok<Page<Alignment>>, ValidationProblem>> ListAlignments(
        Tenant tenant, [AsParameters] AlignmentQuery query, AlignmentQueries alignments, CancellationToken ct)
    {
        if (!PageRequest.TryCreate(query.Limit, query.Cursor, out var page, out var errors)) return Errors.Invalid(errors);
        var rows = await alignments.ListAsync(tenant,
            new AlignmentFilter(query.OutcomeId, query.FrameworkId, query.PriorityId, query.CommitmentId, query.IndicatorId), page, ct);
        return TypedResults.Ok(page.ToPage(rows, a => PageRequest.Key(a.Id)));
    }

    private static async Task<Results<Ok<Alignment>, StatusCodeHttpResult, ProblemHttpResult>> GetAlignment(
        Tenant tenant, Guid alignmentId, AlignmentQueries alignments, HttpContext http, CancellationToken ct)
    {
        var alignment = await alignments.GetAsync(tenant, alignmentId, ct);
        if (alignment is null) return Errors.NotFound("alignment " + alignmentId);
        return Respond.WithETag(http, alignment, alignment.Version);
    }

    private static async Task<Results<Created<Alignment>, ValidationProblem, ProblemHttpResult>> CreateAlignment(
        Tenant tenant, AlignmentRequest request, AlignmentQueries alignments, HttpContext http, CancellationToken ct) =>
        Respond.Created(http, await alignments.CreateAsync(tenant, request, ct), "alignment",
            a => $"/v1/partnerships/{tenant.Slug}/alignments/{a.Id}", a => a.Version);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAlignment(
        Tenant tenant, Guid alignmentId, AlignmentQueries alignments, HttpContext http, CancellationToken ct) =>
        Respond.Deleted(await alignments.DeleteAsync(tenant, alignmentId, ETags.IfMatch(http.Request), ct), "alignment " + alignmentId);
}
