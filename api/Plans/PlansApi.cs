using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
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
            .WithDescription("The partnership's plans (without contents), optionally filtered by status. Without a key (public read) only " +
                             "approved and archived plans are listed.").RequireScope(Scopes.Read).AllowPublicRead()
            .DocumentEnumFilter<PlanStatus>("status");
        group.MapGet("/current", GetCurrentPlan).WithName("getCurrentPlan").WithSummary("Get the current plan")
            .WithDescription("The whole approved plan whose period covers today (as getPlan); 404 when there is none.")
            .RequireScope(Scopes.Read).WithMetadata(new PublicReadAllowed()).ProducesProblem(StatusCodes.Status404NotFound)
            .AddOpenApiOperationTransformer(DocumentContentCoding);
        group.MapGet("/{planId:guid}", GetPlan).WithName("getPlan").WithSummary("Get a whole plan")
            .WithDescription("The plan with its priorities (in order), their commitments, each commitment's current status and latest update, " +
                             "the indicators linked to its priorities with their latest observation and performance (in the partnership's area), " +
                             "and the alignments of its priorities, commitments and indicators. The strong ETag changes whenever anything " +
                             "inside changes; send If-None-Match to get 304. Without a key (public read) drafts are 404. Public answers may be " +
                             "cached for 60 s; keyed ones are private and must be revalidated. Sent compressed (`br`, or `gzip`) when " +
                             "Accept-Encoding accepts it; each coding has its own ETag, and If-None-Match with any of them gives 304.")
            .RequireScope(Scopes.Read).WithMetadata(new PublicReadAllowed()).ProducesProblem(StatusCodes.Status404NotFound)
            .AddOpenApiOperationTransformer(DocumentContentCoding);
        group.MapPost("/", CreatePlan).WithName("createPlan").WithSummary("Create a draft plan")
            .WithRequestExample(PlanExamples.Create)
            .WithDescription("Creates a plan in draft.").RequireScope(Scopes.PlansWrite).Validate<PlanRequest>();
        group.MapPut("/{planId:guid}", UpdatePlan).WithName("updatePlan").WithSummary("Edit a plan's title, period, summary and findings")
            .WithDescription("Drafts and approved plans can be edited (an approved plan's new period may not overlap another approved plan); archived plans " +
                             "cannot. The summary and the strategic assessment's findings open the plan's report; a PUT without them clears them.")
            .RequireScope(Scopes.PlansWrite).Validate<PlanRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapDelete("/{planId:guid}", DeletePlan).WithName("deletePlan").WithSummary("Delete a draft plan")
            .WithDescription("Deletes a draft with everything in it. Approved and archived plans cannot be deleted (409).")
            .RequireScope(Scopes.PlansWrite)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapPost("/{planId:guid}/approve", ApprovePlan).WithName("approvePlan").WithSummary("Approve a draft plan")
            .WithRequestExample(PlanExamples.Approve)
            .WithDescription("draft → approved, recording the decision: the body that approved the plan (`approvedBy`), the date of its " +
                             "meeting (`approvedOn`) and, optionally, where the minute is published (`minuteUrl`). Two approved plans may " +
                             "not overlap in period (409). Deprecated: without a body the plan is approved today by a body not named.")
            .RequireScope(Scopes.PlansWrite).ValidateIfSent<PlanApprovalRequest>()
            .DocumentsDeprecation("the request had no body (an approval that does not name who decided)")
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
        var filter = EnumFilter.ParseSet<PlanStatus>(status, "status", errors);
        if (errors.Count > 0) return Errors.Invalid(errors);
        // The public sees approved and archived plans only.
        var rows = await plans.ListAsync(tenant, filter, page, ct, excludeDrafts: tenant.Caller.IsAnonymous);
        return TypedResults.Ok(page.ToPage(rows, p => PageRequest.Key(p.Id)));
    }

    /// <summary>The whole plan is sent in the coding Accept-Encoding asks for (see <see cref="Cached"/>): its 200 and 304 say so.</summary>
    private static Task DocumentContentCoding(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (status is not ("200" or "304") || response is not OpenApiResponse r) continue;
            r.Headers ??= new Dictionary<string, IOpenApiHeader>();
            if (status == "200")
                r.Headers.TryAdd("Content-Encoding", new OpenApiHeader
                {
                    Description = "`br` or `gzip` when Accept-Encoding accepts it (br when both are accepted with the same q-value); " +
                                  "absent when the document is sent as is.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            r.Headers.TryAdd("Vary", new OpenApiHeader
            {
                Description = "`Origin, X-Api-Key, Accept-Encoding`: the answer depends on the caller and on the codings it accepts.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }
        return Task.CompletedTask;
    }

    private static async Task<Results<CachedJson<PlanDocument>, StatusCodeHttpResult, ProblemHttpResult>> GetPlan(
        Tenant tenant, Guid planId, PlanDocumentQueries documents, TenantQueries tenants, HttpContext http, CancellationToken ct)
    {
        var token = await tenants.ChangeTokenAsync(http, tenant, ct);
        var document = await documents.GetAsync(tenant, planId, token, ct);
        if (document is null || (tenant.Caller.IsAnonymous && document.Status == PlanStatus.Draft)) return Errors.NotFound("plan " + planId);
        return Cached(http, document);
    }

    private static async Task<Results<CachedJson<PlanDocument>, StatusCodeHttpResult, ProblemHttpResult>> GetCurrentPlan(
        Tenant tenant, PlanQueries plans, PlanDocumentQueries documents, TenantQueries tenants, TimeProvider clock, HttpContext http,
        CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var token = await tenants.ChangeTokenAsync(http, tenant, ct);
        var id = await documents.CurrentIdAsync(tenant, today, token, plans, ct);
        var document = id is { } planId ? await documents.GetAsync(tenant, planId, token, ct) : null;
        if (document is null) return Errors.NotFound($"approved plan covering {today:yyyy-MM-dd}");
        return Cached(http, document);
    }

    /// <summary>The cached bytes in the coding Accept-Encoding prefers, with that representation's ETag, Cache-Control and
    /// Vary, or 304 when If-None-Match has the ETag of any representation of this version (the client holds the current
    /// document, whichever coding it came in). (The hottest read sets Cache-Control itself rather than through
    /// AllowPublicRead's endpoint filter.)</summary>
    private static Results<CachedJson<PlanDocument>, StatusCodeHttpResult, ProblemHttpResult> Cached(HttpContext http, CachedPlanDocument document)
    {
        var body = document.Body;
        var coding = AcceptEncoding.Negotiate(http.Request.Headers.AcceptEncoding);
        var etag = body.ETag(coding);
        http.Response.Headers.ETag = etag;
        PublicRead.SetCacheControl(http, byContentCoding: true);
        if (ETags.IfNoneMatch(http.Request, etag, body.ETags)) return Errors.NotModified();
        return new CachedJson<PlanDocument>(body.Bytes(coding), PrecompressedBody.ContentEncoding(coding));
    }

    private static async Task<Results<Created<Plan>, ValidationProblem, ProblemHttpResult>> CreatePlan(
        Tenant tenant, PlanRequest request, PlanQueries plans, HttpContext http, CancellationToken ct) =>
        Respond.Created(http, await plans.CreateAsync(tenant, request, ct), "plan", p => $"/v1/partnerships/{tenant.Slug}/plans/{p.Id}",
            p => p.Version);

    private static async Task<Results<Ok<Plan>, ValidationProblem, ProblemHttpResult>> UpdatePlan(
        Tenant tenant, Guid planId, PlanRequest request, PlanQueries plans, HttpContext http, CancellationToken ct) =>
        Respond.Written(http, await plans.UpdateAsync(tenant, planId, request, ETags.IfMatch(http.Request), ct), "plan " + planId, p => p.Version);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeletePlan(
        Tenant tenant, Guid planId, PlanQueries plans, HttpContext http, CancellationToken ct) =>
        Respond.Deleted(await plans.DeleteAsync(tenant, planId, ETags.IfMatch(http.Request), ct), "plan " + planId);

    private static async Task<Results<Ok<Plan>, ValidationProblem, ProblemHttpResult>> ApprovePlan(
        Tenant tenant, Guid planId, PlanApprovalRequest? approval, PlanQueries plans, HttpContext http, CancellationToken ct)
    {
        if (approval is null) Deprecation.Mark(http.Response);
        return Respond.Written(http, await plans.ApproveAsync(tenant, planId, approval, ETags.IfMatch(http.Request), ct), "plan " + planId, p => p.Version);
    }

    private static async Task<Results<Ok<Plan>, ValidationProblem, ProblemHttpResult>> ArchivePlan(
        Tenant tenant, Guid planId, PlanQueries plans, HttpContext http, CancellationToken ct) =>
        Respond.Written(http, await plans.ArchiveAsync(tenant, planId, ETags.IfMatch(http.Request), ct), "plan " + planId, p => p.Version);
}
