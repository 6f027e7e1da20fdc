using System.ComponentModel;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Areas;

internal static class AreasApi
{
    public static RouteGroupBuilder MapAreas(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/areas").WithTags("Areas");

        group.MapGet("/", ListAreas).WithName("listAreas").WithSummary("List the partnership's areas")
            .WithDescription("The areas observations may be sent for, by GSS code, cursor-paginated; optionally only those of one type or " +
                             "inside one parent. The partnership's own area is always there.")
            .RequireScope(Scopes.Read).AllowPublicRead().DocumentEnumFilter<AreaType>("type");
        group.MapGet("/{areaCode}", GetArea).WithName("getArea").WithSummary("Get an area")
            .WithDescription("One area with its ETag; If-None-Match answers 304.").RequireScope(Scopes.Read).AllowPublicRead()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateArea).WithName("createArea").WithSummary("Register an area")
            .WithRequestExample(AreaExamples.Create)
            .WithDescription("Registers an area by its ONS GSS code, with its name, type, parent and validity (e.g. wards from the day their " +
                             "boundaries came into force). With the partnership's `areaCheck` strict, the batch push accepts only registered " +
                             "areas, each for periods within its validity.")
            .RequireScope(Scopes.Admin).Validate<AreaRequest>();
        group.MapPut("/{areaCode}", UpdateArea).WithName("updateArea").WithSummary("Replace an area's details")
            .WithDescription("Replaces the area's name, type, parent and validity; its code is permanent. Send If-Match with its ETag. " +
                             "Values already stored are kept whatever the new validity says.")
            .RequireScope(Scopes.Admin).Validate<AreaUpdate>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return group;
    }

    /// <summary>The areas list's filters.</summary>
    internal readonly record struct AreaListQuery(
        [property: Description("Keep areas of one of these types (a comma list): local_authority, ward, lsoa, other.")] string? Type,
        [property: Description("Keep areas whose parent is this GSS code.")] string? ParentCode,
        [property: Description("Page size, 1–200 (default 50).")] int? Limit,
        [property: Description("The nextCursor of the previous page.")] string? Cursor);

    private static async Task<Results<Ok<Page<Area>>, ValidationProblem>> ListAreas(
        Tenant tenant, [AsParameters] AreaListQuery query, AreaQueries areas, CancellationToken ct)
    {
        PageRequest.TryCreate(query.Limit, query.Cursor, AreaQueries.IsKey, out var page, out var errors);
        var types = EnumFilter.ParseSet<AreaType>(query.Type, "type", errors);
        if (query.ParentCode is { } parent && !AreaRules.IsCode(parent)) errors["parentCode"] = ["'parentCode' " + AreaRules.CodeMessage];
        if (errors.Count > 0) return Errors.Invalid(errors);
        var rows = await areas.ListAsync(tenant, types, query.ParentCode, page, ct);
        return TypedResults.Ok(page.ToPage(rows, AreaQueries.Key));
    }

    private static async Task<Results<Ok<Area>, StatusCodeHttpResult, ProblemHttpResult>> GetArea(
        Tenant tenant, string areaCode, AreaQueries areas, HttpContext http, CancellationToken ct)
    {
        if (await areas.GetAsync(tenant, areaCode, ct) is not { } area) return Errors.NotFound("area " + areaCode);
        return Respond.WithETag(http, area, area.Version);
    }

    private static async Task<Results<Created<Area>, ValidationProblem, ProblemHttpResult>> CreateArea(
        Tenant tenant, AreaRequest request, AreaQueries areas, HttpContext http, CancellationToken ct) =>
        Respond.Created(http, await areas.CreateAsync(tenant, request, ct), "area",
            a => $"/v1/partnerships/{tenant.Slug}/areas/{a.Code}", a => a.Version);

    private static async Task<Results<Ok<Area>, ValidationProblem, ProblemHttpResult>> UpdateArea(
        Tenant tenant, string areaCode, AreaUpdate update, AreaQueries areas, HttpContext http, CancellationToken ct) =>
        Respond.Written(http, await areas.UpdateAsync(tenant, areaCode, update, ETags.IfMatch(http.Request), ct), "area " + areaCode, a => a.Version);
}
