using System.ComponentModel;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Plans;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Frameworks;

internal static class FrameworksApi
{
    public static RouteGroupBuilder MapFrameworks(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/frameworks").WithTags("Frameworks");

        group.MapGet("/", ListFrameworks).WithName("listFrameworks").WithSummary("List the partnership's frameworks")
            .WithDescription("Strategy frameworks (every version) in creation order, cursor-paginated; current=true keeps only versions not superseded.")
            .RequireScope(Scopes.Read).AllowPublicRead();
        group.MapGet("/{frameworkId:guid}", GetFramework).WithName("getFramework").WithSummary("Get a framework")
            .WithDescription("One framework version with its ETag; If-None-Match answers 304.").RequireScope(Scopes.Read).AllowPublicRead()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateFramework).WithName("createFramework").WithSummary("Add a framework")
            .WithRequestExample(FrameworkExamples.Create)
            .WithDescription("Adds a strategy framework (version 1). The code is unique in the partnership; a new version keeps it.")
            .RequireScope(Scopes.PlansWrite).Validate<FrameworkRequest>();
        group.MapPut("/{frameworkId:guid}", UpdateFramework).WithName("updateFramework").WithSummary("Replace a framework")
            .WithDescription("Replaces the framework version's code, title, publisher, adoption date and URL. Send If-Match with its ETag.")
            .RequireScope(Scopes.PlansWrite).Validate<FrameworkRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapDelete("/{frameworkId:guid}", DeleteFramework).WithName("deleteFramework").WithSummary("Remove a framework version")
            .WithDescription("Removes the framework version with its outcomes and their alignments. A newer version stays and no longer supersedes it.")
            .RequireScope(Scopes.PlansWrite)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapPost("/{frameworkId:guid}/versions", CreateFrameworkVersion).WithName("createFrameworkVersion")
            .WithSummary("Make a new version of a framework")
            .WithDescription("Creates the next version (same code, versionNo + 1, supersedesId = this one) with copies of this version's outcomes. " +
                             "Alignments stay on the old version's outcomes and remain readable; align the new outcomes as the plan moves over. " +
                             "Only the current version can be versioned (409 otherwise).")
            .RequireScope(Scopes.PlansWrite).Validate<FrameworkVersionRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/{frameworkId:guid}/outcomes", ListOutcomes).WithName("listOutcomes").WithSummary("List a framework's outcomes")
            .WithDescription("In framework order (position).").RequireScope(Scopes.Read).AllowPublicRead().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{frameworkId:guid}/outcomes", CreateOutcome).WithName("createOutcome").WithSummary("Add an outcome to a framework")
            .WithRequestExample(FrameworkExamples.CreateOutcome)
            .WithDescription("Codes are unique within the framework version; without a position the outcome goes last.")
            .RequireScope(Scopes.PlansWrite).Validate<OutcomeRequest>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{frameworkId:guid}/coverage", GetCoverage).WithName("getFrameworkCoverage").WithSummary("How a plan covers a framework")
            .WithDescription("For each outcome of the framework: the plan's priorities, commitments and indicators aligned to it and the number of " +
                             "commitments delivering it by status (those aligned and those under an aligned priority); and the gaps — outcomes " +
                             "nothing of the plan is aligned to. Without planId, the current approved plan. Without a key (public read) only approved and " +
                             "archived plans answer.")
            .RequireScope(Scopes.Read).AllowPublicRead().ProducesProblem(StatusCodes.Status404NotFound);

        var outcomes = routes.MapGroup("/outcomes").WithTags("Frameworks");
        outcomes.MapGet("/{outcomeId:guid}", GetOutcome).WithName("getOutcome").WithSummary("Get an outcome")
            .WithDescription("One outcome with its ETag; If-None-Match answers 304.").RequireScope(Scopes.Read).AllowPublicRead()
            .ProducesProblem(StatusCodes.Status404NotFound);
        outcomes.MapPut("/{outcomeId:guid}", UpdateOutcome).WithName("updateOutcome").WithSummary("Replace an outcome")
            .WithDescription("Replaces the outcome's code, title, description and position. Send If-Match with its ETag. " +
                             "Plans showing an alignment to it get a new ETag.")
            .RequireScope(Scopes.PlansWrite).Validate<OutcomeRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        outcomes.MapDelete("/{outcomeId:guid}", DeleteOutcome).WithName("deleteOutcome").WithSummary("Remove an outcome")
            .WithDescription("Removes the outcome and its alignments.").RequireScope(Scopes.PlansWrite)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return group;
    }

    private static async Task<Results<Ok<Page<Framework>>, ValidationProblem>> ListFrameworks(
        Tenant tenant, [AsParameters] PageQuery query,
        [Description("true: only current versions (those no newer version supersedes).")] bool? current,
        FrameworkQueries frameworks, CancellationToken ct)
    {
        if (!query.TryGet(out var page, out var errors)) return Errors.Invalid(errors);
        var rows = await frameworks.ListAsync(tenant, current == true, page, ct);
        return TypedResults.Ok(page.ToPage(rows, f => PageRequest.Key(f.Id)));
    }

    private static async Task<Results<Ok<Framework>, StatusCodeHttpResult, ProblemHttpResult>> GetFramework(
        Tenant tenant, Guid frameworkId, FrameworkQueries frameworks, HttpContext http, CancellationToken ct)
    {
        var framework = await frameworks.GetAsync(tenant, frameworkId, ct);
        if (framework is null) return Errors.NotFound("framework " + frameworkId);
        return Respond.WithETag(http, framework, framework.Version);
    }

    private static async Task<Results<Created<Framework>, ValidationProblem, ProblemHttpResult>> CreateFramework(
        Tenant tenant, FrameworkRequest request, FrameworkQueries frameworks, HttpContext http, CancellationToken ct) =>
        Respond.Created(http, await frameworks.CreateAsync(tenant, request, ct), "framework",
            f => $"/v1/partnerships/{tenant.Slug}/frameworks/{f.Id}", f => f.Version);

    private static async Task<Results<Ok<Framework>, ValidationProblem, ProblemHttpResult>> UpdateFramework(
        Tenant tenant, Guid frameworkId, FrameworkRequest request, FrameworkQueries frameworks, HttpContext http, CancellationToken ct) =>
        Respond.Written(http, await frameworks.UpdateAsync(tenant, frameworkId, request, ETags.IfMatch(http.Request), ct),
            "framework " + frameworkId, f => f.Version);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteFramework(
        Tenant tenant, Guid frameworkId, FrameworkQueries frameworks, HttpContext http, CancellationToken ct) =>
        Respond.Deleted(await frameworks.DeleteAsync(tenant, frameworkId, ETags.IfMatch(http.Request), ct), "framework " + frameworkId);

    private static async Task<Results<Created<Framework>, ValidationProblem, ProblemHttpResult>> CreateFrameworkVersion(
        Tenant tenant, Guid frameworkId, FrameworkVersionRequest request, FrameworkQueries frameworks, HttpContext http, CancellationToken ct) =>
        Respond.Created(http, await frameworks.NewVersionAsync(tenant, frameworkId, request, ct), "framework " + frameworkId,
            f => $"/v1/partnerships/{tenant.Slug}/frameworks/{f.Id}", f => f.Version);

    private static async Task<Results<Ok<Page<Outcome>>, ValidationProblem, ProblemHttpResult>> ListOutcomes(
        Tenant tenant, Guid frameworkId, [AsParameters] PageQuery query, FrameworkQueries frameworks, CancellationToken ct)
    {
        if (!query.TryGet(out var page, out var errors)) return Errors.Invalid(errors);
        if (await frameworks.GetAsync(tenant, frameworkId, ct) is null) return Errors.NotFound("framework " + frameworkId);
        var rows = await frameworks.ListOutcomesAsync(tenant, frameworkId, page, ct);
        return TypedResults.Ok(page.ToPage(rows, o => PageRequest.Key(o.Position, o.Id)));
    }

    private static async Task<Results<Created<Outcome>, ValidationProblem, ProblemHttpResult>> CreateOutcome(
        Tenant tenant, Guid frameworkId, OutcomeRequest request, FrameworkQueries frameworks, HttpContext http, CancellationToken ct) =>
        Respond.Created(http, await frameworks.CreateOutcomeAsync(tenant, frameworkId, request, ct), "framework " + frameworkId,
            o => $"/v1/partnerships/{tenant.Slug}/outcomes/{o.Id}", o => o.Version);

    private static async Task<Results<Ok<Outcome>, StatusCodeHttpResult, ProblemHttpResult>> GetOutcome(
        Tenant tenant, Guid outcomeId, FrameworkQueries frameworks, HttpContext http, CancellationToken ct)
    {
        var outcome = await frameworks.GetOutcomeAsync(tenant, outcomeId, ct);
        if (outcome is null) return Errors.NotFound("outcome " + outcomeId);
        return Respond.WithETag(http, outcome, outcome.Version);
    }

    private static async Task<Results<Ok<Outcome>, ValidationProblem, ProblemHttpResult>> UpdateOutcome(
        Tenant tenant, Guid outcomeId, OutcomeRequest request, FrameworkQueries frameworks, HttpContext http, CancellationToken ct) =>
        Respond.Written(http, await frameworks.UpdateOutcomeAsync(tenant, outcomeId, request, ETags.IfMatch(http.Request), ct),
            "outcome " + outcomeId, o => o.Version);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteOutcome(
        Tenant tenant, Guid outcomeId, FrameworkQueries frameworks, HttpContext http, CancellationToken ct) =>
        Respond.Deleted(await frameworks.DeleteOutcomeAsync(tenant, outcomeId, ETags.IfMatch(http.Request), ct), "outcome " + outcomeId);

    private static async Task<Results<Ok<FrameworkCoverage>, ProblemHttpResult>> GetCoverage(
        Tenant tenant, Guid frameworkId,
        [Description("The plan to measure (default: the current approved plan, whose period covers today).")] Guid? planId,
        FrameworkQueries frameworks, PlanQueries plans, TimeProvider clock, CancellationToken ct)
    {
        var which = planId ?? await plans.CurrentIdAsync(tenant, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), ct);
        if (which is not { } id) return Errors.NotFound("current approved plan");
        if (tenant.Caller.IsAnonymous && await plans.GetAsync(tenant, id, ct) is not { Status: not PlanStatus.Draft })
            return Errors.NotFound("plan " + id);
        var coverage = await frameworks.CoverageAsync(tenant, frameworkId, id, ct);
        if (coverage is null) return Errors.NotFound($"framework {frameworkId} or plan {id}");
        return TypedResults.Ok(coverage);
    }
}
