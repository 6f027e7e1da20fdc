using System.Text.Json.Nodes;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Audit;

public sealed class AuditQueries(Db db)
{
    private sealed record Row(long Seq, DateTimeOffset At, Guid? ClientId, string Action, string EntityType, Guid EntityId, string Changes);

    public async Task<IReadOnlyList<AuditEvent>> ListAsync(Tenant tenant, string? entityType, Guid? entityId, Guid? clientId,
        PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT seq AS Seq, at AS At, client_id AS ClientId, action AS Action, entity_type AS EntityType, entity_id AS EntityId, changes AS Changes
            FROM audit_events
            WHERE partnership_id = @PartnershipId AND (@After IS NULL OR seq > @After)
              AND (@entityType IS NULL OR entity_type = @entityType)
              AND (@entityId IS NULL OR entity_id = @entityId)
              AND (@clientId IS NULL OR client_id = @clientId)
            ORDER BY seq {db.Dialect.Limit}
            """, new { tenant.PartnershipId, After = page.AfterPosition, entityType, entityId, clientId, Limit = page.Fetch },
            cancellationToken: ct));
        return rows.Select(r => new AuditEvent(r.Seq, r.At, r.ClientId, r.Action, r.EntityType, r.EntityId,
            JsonNode.Parse(r.Changes) as JsonObject ?? [])).ToList();
    }
}
