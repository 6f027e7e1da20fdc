using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Changes;

/// <summary>The change feed reads the audit trail, reduced to what a syncing portal needs.</summary>
public sealed class ChangeQueries(Db db)
{
    public async Task<IReadOnlyList<Change>> AfterAsync(Tenant tenant, long after, int take, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<Change>(new CommandDefinition($"""
            SELECT seq AS Seq, entity_type AS EntityType, entity_id AS EntityId, op AS Op, at AS At
            FROM audit_events
            WHERE partnership_id = @PartnershipId AND seq > @after {db.Dialect.CommittedEventsOnly}
            ORDER BY seq {db.Dialect.Limit}
            """, new { tenant.PartnershipId, after, Limit = take }, cancellationToken: ct));
        return rows.AsList();
    }
}
