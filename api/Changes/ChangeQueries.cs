using System.Text.Json;
using Csp.Api.Audit;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Changes;

/// <summary>The change feed reads the audit trail, reduced to what a syncing portal needs.</summary>
/// <remarks>
/// feed_seq is the partnership's own count (AuditLog.RecordJsonAsync). A reader must never see N+1 before seq N has committed, or a portal that saves N+1 as its cursor skips N for ever.
/// On SQLite that cannot happen: every write runs in a BEGIN IMMEDIATE transaction (Db.BeginWriteAsync), which takes the
/// database's single write lock before its first statement, so writers run one after another; seq (an INTEGER PRIMARY KEY
/// alias) is assigned inside that lock; and a reader sees a snapshot of whole committed transactions (WAL). So seq order is
/// commit order and the dialect needs no filter. On SQL Server identity values are handed out before commit and concurrent
/// transactions can commit out of order, so the dialect hides events at or after MIN_ACTIVE_ROWVERSION()
/// (SqlDialect.CommittedEventsOnly) until every earlier transaction has finished.
/// </remarks>
public sealed class ChangeQueries(Db db)
{
    private sealed record Row(long Seq, string EntityType, Guid EntityId, string Op, DateTimeOffset At, Guid? ParentId, Guid? PlanId,
        string? Period, string? Area, string? Periods, string? Areas);

    private static List<string>? List(string? json) => json is null ? null : JsonSerializer.Deserialize<List<string>>(json);

    public async Task<IReadOnlyList<Change>> AfterAsync(Tenant tenant, long after, int take, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT feed_seq AS Seq, entity_type AS EntityType, entity_id AS EntityId, op AS Op, at AS At, parent_id AS ParentId,
                   plan_id AS PlanId, period AS Period, area AS Area, periods AS Periods, areas AS Areas
            FROM audit_events
            WHERE partnership_id = @PartnershipId AND feed_seq > @after {db.Dialect.CommittedEventsOnly}
            ORDER BY feed_seq {db.Dialect.Limit}
            """, new { tenant.PartnershipId, after, Limit = take }, cancellationToken: ct));
        return rows.Select(r => new Change(r.Seq, EnumText<ChangeEntityType>.Parse(r.EntityType), r.EntityId, EnumText<ChangeOp>.Parse(r.Op), r.At,
                r.ParentId is { } parent ? new ChangeParent(EnumText<ChangeEntityType>.Parse(FeedParents.ParentType[r.EntityType]), parent) : null,
                r.PlanId, r.Period, r.Area, List(r.Periods), List(r.Areas)))
            .ToList();
    }

    /// <summary>The partnership's latest feed position (0 before its first event).</summary>
    public async Task<long> LatestAsync(Tenant tenant, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE(MAX(feed_seq), 0) FROM audit_events WHERE partnership_id = @PartnershipId",
            new { tenant.PartnershipId }, cancellationToken: ct));
    }
}
