using Csp.Api.Commitments;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Priorities;
using Dapper;

namespace Csp.Api.Plans;

/// <summary>The whole plan as portals fetch it, read on one connection in a fixed number of queries.</summary>
public sealed class PlanDocumentQueries(Db db, PlanQueries plans)
{
    public async Task<PlanDocument?> GetAsync(Tenant tenant, Guid planId, CancellationToken ct)
    {
        var plan = await plans.GetAsync(tenant, planId, ct);
        if (plan is null) return null;
        await using var c = await db.OpenAsync(ct);
        var priorities = await c.QueryAsync<Priority>(new CommandDefinition($"""
            SELECT {PriorityQueries.Columns} FROM priorities
            WHERE partnership_id = @PartnershipId AND plan_id = @planId ORDER BY position, id
            """, new { tenant.PartnershipId, planId }, cancellationToken: ct));
        var commitments = (await CommitmentQueries.ListByPlanAsync(c, db.Dialect, tenant.PartnershipId, planId, ct)).ToLookup(x => x.PriorityId);
        return new PlanDocument(plan.Id, plan.Title, plan.PeriodStart, plan.PeriodEnd, plan.Status, plan.ApprovedOn, plan.ApprovedBy,
            plan.SupersedesId, plan.Version, plan.CreatedAt, plan.UpdatedAt,
            priorities.Select(p => new PlanPriority(p.Id, p.Code, p.Title, p.Description, p.LeadAgencyId, p.Position, p.Version,
                commitments[p.Id].ToList())).ToList());
    }
}
