using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Changes;

/// <summary>The change feed reads the audit trail, reduced to what a syncing portal needs.</summary>
/// <remarks>
/// A reader must never see seq N+1 before seq N has committed, or a portal that saves N+1 as its cursor skips N for ever.
/// On SQLite that cannot happen: every write runs in a BEGIN IMMEDIATE transaction (Db.BeginWriteAsync), which takes the
/// database's single write lock before its first statement, so writers run one after another; seq (an INTEGER PRIMARY KEY
/// alias) is assigned inside that lock; and a reader sees a snapshot of whole committed transactions (WAL). So seq order is
/// commit order and the dialect needs no filter. On SQL Server identity values are handed out before commit and concurrent
/// transactions can commit out of order, so the dialect hides events at or after MIN_ACTIVE_ROWVERSION()
/// (SqlDialect.CommittedEventsOnly) until every earlier transaction has finished.
/// </remarks>
public sealed class ChangeQueries(Db db)
{
    public async Task<IReadOnlyList<Change>> AfterAsync(Tenant tenant, long after, int take, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<Change>(new CommandDefinition($"""
            SELECT seq AS Seq, entity_type AS EntityType, entity_id AS EntityId, op AS Op, at AS At, period AS Period, area AS Area
            FROM audit_events
            WHERE partnership_id = @PartnershipId AND seq > @after {db.Dialect.CommittedEventsOnly}
            ORDER BY seq {db.Dialect.Limit}
            """, new { tenant.PartnershipId, after, Limit = take }, cancellationToken: ct));
        return rows.AsList();
    }
}
