using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Agencies;

internal static class AgenciesApi
{
    public static RouteGroupBuilder MapAgencies(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/agencies").WithTags("Agencies");

        group.MapGet("/", ListAgencies).WithName("listAgencies").WithSummary("List the partnership's agencies")
            .WithDescription("Agencies in creation order, cursor-paginated.").RequireScope(Scopes.Read).AllowPublicRead();
        group.MapGet("/{agencyId:guid}", GetAgency).WithName("getAgency").WithSummary("Get an agency")
            .WithDescription("One agency with its ETag; If-None-Match answers 304.").RequireScope(Scopes.Read).AllowPublicRead()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateAgency).WithName("createAgency").WithSummary("Add an agency")
            .WithRequestExample(AgencyExamples.Create)
            .WithDescription("Adds a partner agency. The code is unique in the partnership.")
            .RequireScope(Scopes.Admin).Validate<AgencyRequest>();
        group.MapPut("/{agencyId:guid}", UpdateAgency).WithName("updateAgency").WithSummary("Replace an agency")
            .WithDescription("Replaces the agency's code, name and kind. Send If-Match with its ETag to avoid overwriting someone else's change.")
            .RequireScope(Scopes.Admin).Validate<AgencyRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapDelete("/{agencyId:guid}", DeleteAgency).WithName("deleteAgency").WithSummary("Remove an agency")
            .WithDescription("Removes an agency that nothing refers to; one still named by a plan, client or indicator answers 409.")
            .RequireScope(Scopes.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return group;
    }

    private static async Task<Results<Ok<Page<Agency>>, ValidationProblem>> ListAgencies(
        Tenant tenant, [AsParameters] PageQuery query, AgencyQueries agencies, CancellationToken ct)
    {
        if (!query.TryGet(out var page, out var errors)) return Errors.Invalid(errors);
        var rows = await agencies.ListAsync(tenant, page, ct);
        return TypedResults.Ok(page.ToPage(rows, a => PageRequest.Key(a.Id)));
    }

    private static async Task<Results<Ok<Agency>, StatusCodeHttpResult, ProblemHttpResult>> GetAgency(
        Tenant tenant, Guid agencyId, AgencyQueries agencies, HttpContext http, CancellationToken ct)
    {
        var agency = await agencies.GetAsync(tenant, agencyId, ct);
        if (agency is null) return Errors.NotFound("agency " + agencyId);
        return Respond.WithETag(http, agency, agency.Version);
    }

    private static async Task<Results<Created<Agency>, ValidationProblem, ProblemHttpResult>> CreateAgency(
        Tenant tenant, AgencyRequest request, AgencyQueries agencies, HttpContext http, CancellationToken ct) =>
        Respond.Created(http, await agencies.CreateAsync(tenant, request, ct), "agency",
            a => $"/v1/partnerships/{tenant.Slug}/agencies/{a.Id}", a => a.Version);

    private static async Task<Results<Ok<Agency>, ValidationProblem, ProblemHttpResult>> UpdateAgency(
        Tenant tenant, Guid agencyId, AgencyRequest request, AgencyQueries agencies, HttpContext http, CancellationToken ct) =>
        Respond.Written(http, await agencies.UpdateAsync(tenant, agencyId, request, ETags.IfMatch(http.Request), ct), "agency " + agencyId,
            a => a.Version);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAgency(
        Tenant tenant, Guid agencyId, AgencyQueries agencies, HttpContext http, CancellationToken ct) =>
        Respond.Deleted(await agencies.DeleteAsync(tenant, agencyId, ETags.IfMatch(http.Request), ct), "agency " + agencyId);
}
