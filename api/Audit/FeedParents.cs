using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Audit;

/// <summary>
/// What a change-feed event names besides its entity: the parent it sits under (a priority's plan, a commitment's priority,
/// an update's commitment, an outcome's framework, an alignment's outcome, the indicator of an observation event) and the plan
/// it belongs to, so a portal can place what it fetches, and drop a tombstone's children, without asking anything else.
/// </summary>
public static class FeedParents
{
    /// <summary>The parent's entity type for each entity type that has one.</summary>
    public static readonly IReadOnlyDictionary<string, string> ParentType = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [EntityTypes.Priority] = EntityTypes.Plan,
        [EntityTypes.Commitment] = EntityTypes.Priority,
        [EntityTypes.CommitmentUpdate] = EntityTypes.Commitment,
        [EntityTypes.Outcome] = EntityTypes.Framework,
        [EntityTypes.Alignment] = EntityTypes.Outcome,
        [EntityTypes.Observation] = EntityTypes.Indicator,
    };

    private sealed record Parents(Guid? ParentId, Guid? PlanId);

    // Each reads the entity as it stands in the unit (before a delete, or just written).
    private static readonly Dictionary<string, string> Live = new(StringComparer.Ordinal)
    {
        [EntityTypes.Priority] = """
            SELECT plan_id AS ParentId, plan_id AS PlanId FROM priorities WHERE partnership_id = @PartnershipId AND id = @EntityId
            """,
        [EntityTypes.Commitment] = """
            SELECT c.priority_id AS ParentId, p.plan_id AS PlanId FROM commitments c
            JOIN priorities p ON p.partnership_id = c.partnership_id AND p.id = c.priority_id
            WHERE c.partnership_id = @PartnershipId AND c.id = @EntityId
            """,
        [EntityTypes.CommitmentUpdate] = """
            SELECT u.commitment_id AS ParentId, p.plan_id AS PlanId FROM commitment_updates u
            JOIN commitments c ON c.partnership_id = u.partnership_id AND c.id = u.commitment_id
            JOIN priorities p ON p.partnership_id = c.partnership_id AND p.id = c.priority_id
            WHERE u.partnership_id = @PartnershipId AND u.id = @EntityId
            """,
        [EntityTypes.Outcome] = """
            SELECT framework_id AS ParentId, NULL AS PlanId FROM outcomes WHERE partnership_id = @PartnershipId AND id = @EntityId
            """,
        [EntityTypes.Alignment] = """
            SELECT a.outcome_id AS ParentId, COALESCE(p.plan_id, cp.plan_id) AS PlanId FROM alignments a
            LEFT JOIN priorities p ON p.partnership_id = a.partnership_id AND p.id = a.priority_id
            LEFT JOIN commitments c ON c.partnership_id = a.partnership_id AND c.id = a.commitment_id
            LEFT JOIN priorities cp ON cp.partnership_id = c.partnership_id AND cp.id = c.priority_id
            WHERE a.partnership_id = @PartnershipId AND a.id = @EntityId
            """,
    };

    /// <summary>The entity's parent and plan: read from the entity, or — once it is gone (a delete recorded after its row)
    /// — from its latest earlier event. (null, null) for an entity type without a parent.</summary>
    public static async Task<(Guid? ParentId, Guid? PlanId)> OfAsync(WriteUnit w, string entityType, Guid entityId)
    {
        if (entityType == EntityTypes.Observation) return (entityId, null);
        if (!Live.TryGetValue(entityType, out var sql)) return (null, null);
        var args = new { w.PartnershipId, EntityId = entityId, EntityType = entityType, Limit = 1 };
        var live = await w.QuerySingleOrDefaultAsync<Parents>(sql, args)
            ?? (await w.QueryAsync<Parents>($"""
                SELECT parent_id AS ParentId, plan_id AS PlanId FROM audit_events
                WHERE partnership_id = @PartnershipId AND entity_type = @EntityType AND entity_id = @EntityId AND parent_id IS NOT NULL
                ORDER BY seq DESC {w.Dialect.Limit}
                """, args)).FirstOrDefault();
        return (live?.ParentId, live?.PlanId);
    }
}
