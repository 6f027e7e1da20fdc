using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Partnerships;

internal static class PartnershipsApi
{
    /// <summary>The platform-level routes: creating and listing partnerships (operator key).</summary>
    public static RouteGroupBuilder MapPartnerships(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/partnerships").WithTags("Partnerships");

        group.MapPost("/", CreatePartnership).WithName("createPartnership").WithSummary("Create a partnership")
            .WithRequestExample(PartnershipExamples.Create)
            .WithDescription("Creates a tenant. Needs the operator (platform) key.")
            .RequireScope(Scopes.Platform).Validate<PartnershipRequest>()
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListPartnerships).WithName("listPartnerships").WithSummary("List partnerships")
            .WithDescription("Every tenant, for the operator (platform) key.").RequireScope(Scopes.Platform);
        return group;
    }

    /// <summary>The routes of one partnership itself, inside the tenant group.</summary>
    public static RouteGroupBuilder MapPartnership(this RouteGroupBuilder tenantGroup)
    {
        tenantGroup.MapGet("/", GetPartnership).WithName("getPartnership").WithSummary("Get the partnership")
            .WithDescription("The partnership named in the path.").WithTags("Partnerships").RequireScope(Scopes.Read);
        tenantGroup.MapPut("/", UpdatePartnership).WithName("updatePartnership").WithSummary("Update the partnership")
            .WithDescription("Changes name, area code and the public read setting. The slug never changes.")
            .WithTags("Partnerships").RequireScope(Scopes.Admin).Validate<PartnershipUpdate>()
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return tenantGroup;
    }

    private static async Task<Results<Created<Partnership>, ValidationProblem, ProblemHttpResult>> CreatePartnership(
        PartnershipRequest request, PartnershipQueries partnerships, HttpContext http, CancellationToken ct) =>
        Respond.Created(http, await partnerships.CreateAsync(request, ct), "partnership", p => $"/v1/partnerships/{p.Slug}", p => p.Version);

    private static async Task<Results<Ok<Page<Partnership>>, ValidationProblem>> ListPartnerships(
        [AsParameters] PageQuery query, PartnershipQueries partnerships, CancellationToken ct)
    {
        if (!query.TryGet(out var page, out var errors)) return Errors.Invalid(errors);
        var rows = await partnerships.ListAsync(page, ct);
        return TypedResults.Ok(page.ToPage(rows, p => PageRequest.Key(p.Id)));
    }

    private static async Task<Results<Ok<Partnership>, StatusCodeHttpResult, ProblemHttpResult>> GetPartnership(
        Tenant tenant, PartnershipQueries partnerships, HttpContext http, CancellationToken ct)
    {
        var p = await partnerships.GetAsync(tenant, ct);
        if (p is null) return Errors.NotFound("partnership " + tenant.Slug);
        return Respond.WithETag(http, p, p.Version);
    }

    private static async Task<Results<Ok<Partnership>, ValidationProblem, ProblemHttpResult>> UpdatePartnership(
        Tenant tenant, PartnershipUpdate update, PartnershipQueries partnerships, HttpContext http, CancellationToken ct)
    {
        var outcome = await partnerships.UpdateAsync(tenant, update, ETags.IfMatch(http.Request), ct);
        return Respond.Written(http, outcome, "partnership " + tenant.Slug, p => p.Version);
    }
}
