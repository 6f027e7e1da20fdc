using System.Data.Common;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Plans;
using Dapper;

namespace Csp.Api.Priorities;

public sealed class PriorityQueries(Db db, TimeProvider clock)
{
    internal const string Columns = """
        id AS Id, plan_id AS PlanId, code AS Code, title AS Title, description AS Description, lead_agency_id AS LeadAgencyId,
        position AS Position, version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public async Task<IReadOnlyList<Priority>> ListByPlanAsync(Tenant tenant, Guid planId, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<Priority>(new CommandDefinition($"""
            SELECT {Columns} FROM priorities
            WHERE partnership_id = @PartnershipId AND plan_id = @planId
              AND (@AfterPosition IS NULL OR position > @AfterPosition OR (position = @AfterPosition AND {db.Dialect.IdKey("id")} > {db.Dialect.IdKey("@AfterId")}))
            ORDER BY position, {db.Dialect.IdKey("id")} {db.Dialect.Limit}
            """, new { tenant.PartnershipId, planId, page.AfterPosition, page.AfterId, Limit = page.Fetch }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<Priority?> GetAsync(Tenant tenant, Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await GetAsync(c, null, tenant.PartnershipId, id, ct);
    }

    internal static Task<Priority?> GetAsync(DbConnection c, DbTransaction? tx, Guid partnershipId, Guid id, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<Priority?>(new CommandDefinition(
            $"SELECT {Columns} FROM priorities WHERE partnership_id = @partnershipId AND id = @id",
            new { partnershipId, id }, tx, cancellationToken: ct));

    public async Task<WriteOutcome<Priority>> CreateAsync(Tenant tenant, Guid planId, PriorityRequest request, CancellationToken ct)
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            if (await Writable(c, tx, tenant, planId, ct) is { } refused) return refused;
            var position = request.Position ?? await c.ExecuteScalarAsync<long>(new CommandDefinition("""
                SELECT COALESCE(MAX(position), 0) + 1 FROM priorities WHERE partnership_id = @PartnershipId AND plan_id = @planId
                """, new { tenant.PartnershipId, planId }, tx, cancellationToken: ct));
            var now = clock.GetUtcNow();
            var priority = new Priority(Ids.New(), planId, request.Code, request.Title, request.Description, request.LeadAgencyId,
                position, 1, now, now);
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO priorities (partnership_id, id, plan_id, code, title, description, lead_agency_id, position, version, created_at, updated_at)
                VALUES (@PartnershipId, @Id, @PlanId, @Code, @Title, @Description, @LeadAgencyId, @Position, 1, @CreatedAt, @UpdatedAt)
                """, new
            {
                tenant.PartnershipId, priority.Id, priority.PlanId, priority.Code, priority.Title, priority.Description,
                priority.LeadAgencyId, priority.Position, priority.CreatedAt, priority.UpdatedAt,
            }, tx, cancellationToken: ct));
            await PlanQueries.TouchAsync(c, tx, tenant.PartnershipId, planId, now, ct);
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Create, EntityTypes.Priority, priority.Id, AuditLog.Diff(null, priority), now, ct);
            await tx.CommitAsync(ct);
            return WriteOutcome<Priority>.Done(priority);
        }
    }

    public async Task<WriteOutcome<Priority>> UpdateAsync(Tenant tenant, Guid id, PriorityRequest request, long? expectedVersion, CancellationToken ct)
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            var current = await GetAsync(c, tx, tenant.PartnershipId, id, ct);
            if (current is null) return WriteOutcome<Priority>.Missing;
            if (expectedVersion is { } v && v != current.Version) return WriteOutcome<Priority>.Stale;
            if (await Writable(c, tx, tenant, current.PlanId, ct) is { } refused) return refused;
            var proposed = current with
            {
                Code = request.Code, Title = request.Title, Description = request.Description, LeadAgencyId = request.LeadAgencyId,
                Position = request.Position ?? current.Position,
            };
            var changes = AuditLog.Diff(current, proposed);
            if (changes.Count == 0) return WriteOutcome<Priority>.Done(current);
            var now = clock.GetUtcNow();
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE priorities SET code = @Code, title = @Title, description = @Description, lead_agency_id = @LeadAgencyId,
                       position = @Position, version = version + 1, updated_at = @now
                WHERE partnership_id = @PartnershipId AND id = @id
                """, new
            {
                tenant.PartnershipId, id, request.Code, request.Title, request.Description, request.LeadAgencyId,
                Position = request.Position ?? current.Position, now,
            }, tx, cancellationToken: ct));
            await PlanQueries.TouchAsync(c, tx, tenant.PartnershipId, current.PlanId, now, ct);
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Update, EntityTypes.Priority, id, changes, now, ct);
            var after = await GetAsync(c, tx, tenant.PartnershipId, id, ct);
            await tx.CommitAsync(ct);
            return WriteOutcome<Priority>.Done(after!);
        }
    }

    public async Task<WriteOutcome<bool>> DeleteAsync(Tenant tenant, Guid id, long? expectedVersion, CancellationToken ct)
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            var current = await GetAsync(c, tx, tenant.PartnershipId, id, ct);
            if (current is null) return WriteOutcome<bool>.Missing;
            if (expectedVersion is { } v && v != current.Version) return WriteOutcome<bool>.Stale;
            if (await Writable(c, tx, tenant, current.PlanId, ct) is { } refused) return new(refused.Status, false, refused.Message);
            var now = clock.GetUtcNow();
            // SQL Server cannot cascade priorities to alignments (db/sqlserver/0004): they go first, each with its tombstone.
            await Alignments.AlignmentQueries.RemoveAsync(c, tx, db.Dialect, tenant, Alignments.AlignmentQueries.Owner.Priority, id, now, ct);
            await Tombstones.ForPriorityContentsAsync(c, tx, tenant, id, now, ct);
            await c.ExecuteAsync(new CommandDefinition("DELETE FROM priorities WHERE partnership_id = @PartnershipId AND id = @id",
                new { tenant.PartnershipId, id }, tx, cancellationToken: ct));
            await PlanQueries.TouchAsync(c, tx, tenant.PartnershipId, current.PlanId, now, ct);
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Delete, EntityTypes.Priority, id, AuditLog.Diff(current, null), now, ct);
            await tx.CommitAsync(ct);
            return WriteOutcome<bool>.Done(true);
        }
    }

    /// <summary>Null when the plan exists and is not archived; otherwise the refusal.</summary>
    private static async Task<WriteOutcome<Priority>?> Writable(DbConnection c, DbTransaction tx, Tenant tenant, Guid planId, CancellationToken ct) =>
        await PlanQueries.StatusAsync(c, tx, tenant.PartnershipId, planId, ct) switch
        {
            null => WriteOutcome<Priority>.Missing,
            PlanStatus.Archived => WriteOutcome<Priority>.Conflict("The plan is archived; its contents can no longer change."),
            _ => null,
        };
}
