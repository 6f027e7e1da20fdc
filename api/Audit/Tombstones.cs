using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Audit;

/// <summary>
/// Deletes that cascade in the database (a plan's priorities, a priority's commitments) still need
/// their own delete events, or a portal syncing from the change feed would keep them forever.
/// </summary>
public static class Tombstones
{
    public static async Task ForPlanContentsAsync(WriteUnit w, Guid planId)
    {
        await RecordAsync(w, EntityTypes.Commitment, """
            SELECT c.id FROM commitments c
            JOIN priorities p ON p.partnership_id = c.partnership_id AND p.id = c.priority_id
            WHERE c.partnership_id = @PartnershipId AND p.plan_id = @parentId
            """, planId);
        await RecordAsync(w, EntityTypes.Priority,
            "SELECT id FROM priorities WHERE partnership_id = @PartnershipId AND plan_id = @parentId", planId);
    }

    public static Task ForPriorityContentsAsync(WriteUnit w, Guid priorityId) =>
        RecordAsync(w, EntityTypes.Commitment,
            "SELECT id FROM commitments WHERE partnership_id = @PartnershipId AND priority_id = @parentId", priorityId);

    /// <summary>A delete event, with no field-by-field changes, for each id <paramref name="sql"/> selects.</summary>
    public static async Task RecordAsync(WriteUnit w, string entityType, string sql, Guid parentId)
    {
        var ids = await w.QueryAsync<Guid>(sql, new { w.PartnershipId, parentId });
        foreach (var id in ids)
            await AuditLog.RecordAsync(w, AuditActions.Delete, entityType, id, []);
    }
}
