using System.ComponentModel;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Audit;

internal static class AuditApi
{
    public static RouteGroupBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/audit").WithTags("Audit");
        group.MapGet("/", ListAuditEvents).WithName("listAuditEvents").WithSummary("The audit trail")
            .WithDescription("Every change to the partnership's data, oldest first: who (client), what (action, entity), when, and each changed field before → after. " +
                             "Filter by entityType, entityId or clientId.")
            .RequireScope(Scopes.Admin);
        return group;
    }

    private static async Task<Results<Ok<Page<AuditEvent>>, ValidationProblem>> ListAuditEvents(
        Tenant tenant, [AsParameters] PageQuery query,
        [Description("Only events of this entity type (agency, client, plan, priority, commitment, commitment_update, indicator, observation, partnership).")] string? entityType,
        [Description("Only events of this entity.")] Guid? entityId,
        [Description("Only events made with this client's key.")] Guid? clientId,
        AuditQueries audit, CancellationToken ct)
    {
        if (!query.TryGet(out var page, out var errors)) return Errors.Invalid(errors);
        var rows = await audit.ListAsync(tenant, entityType, entityId, clientId, page, ct);
        return TypedResults.Ok(page.ToPage(rows, e => PageRequest.Key(e.Seq, Guid.Empty)));
    }
}
