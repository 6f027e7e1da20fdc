using System.Data.Common;
using Csp.Api.Infrastructure.Auth;
using Dapper;

namespace Csp.Api.Audit;

/// <summary>
/// Deletes that cascade in the database (a plan's priorities, a priority's commitments) still need
/// their own delete events, or a portal syncing from the change feed would keep them forever.
/// </summary>
public static class Tombstones
{
    public static async Task ForPlanContentsAsync(DbConnection c, DbTransaction tx, Tenant tenant, Guid planId, DateTimeOffset at, CancellationToken ct)
    {
        await RecordAsync(c, tx, tenant, EntityTypes.Commitment, """
            SELECT c.id FROM commitments c
            JOIN priorities p ON p.partnership_id = c.partnership_id AND p.id = c.priority_id
            WHERE c.partnership_id = @PartnershipId AND p.plan_id = @parentId
            """, planId, at, ct);
        await RecordAsync(c, tx, tenant, EntityTypes.Priority,
            "SELECT id FROM priorities WHERE partnership_id = @PartnershipId AND plan_id = @parentId", planId, at, ct);
    }

    public static Task ForPriorityContentsAsync(DbConnection c, DbTransaction tx, Tenant tenant, Guid priorityId, DateTimeOffset at, CancellationToken ct) =>
        RecordAsync(c, tx, tenant, EntityTypes.Commitment,
            "SELECT id FROM commitments WHERE partnership_id = @PartnershipId AND priority_id = @parentId", priorityId, at, ct);

    private static async Task RecordAsync(DbConnection c, DbTransaction tx, Tenant tenant, string entityType, string sql, Guid parentId,
        DateTimeOffset at, CancellationToken ct)
    {
        var ids = await c.QueryAsync<Guid>(new CommandDefinition(sql, new { tenant.PartnershipId, parentId }, tx, cancellationToken: ct));
        foreach (var id in ids)
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Delete, entityType, id, [], at, ct);
    }
}
