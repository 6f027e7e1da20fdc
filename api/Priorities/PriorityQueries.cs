using Csp.Api.Alignments;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Plans;
using Dapper;

namespace Csp.Api.Priorities;

public sealed class PriorityQueries(Db db, AuditedWriter writer)
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
        return await c.QuerySingleOrDefaultAsync<Priority?>(new CommandDefinition(
            $"SELECT {Columns} FROM priorities WHERE partnership_id = @PartnershipId AND id = @id",
            new { tenant.PartnershipId, id }, cancellationToken: ct));
    }

    internal static Task<Priority?> GetAsync(WriteUnit w, Guid id) =>
        w.QuerySingleOrDefaultAsync<Priority?>($"SELECT {Columns} FROM priorities WHERE partnership_id = @PartnershipId AND id = @id",
            new { w.PartnershipId, id });

    private static WriteRefusal CodeTaken(string code) => WriteRefusal.Invalid("code", $"The plan already has a priority with code '{code}'.");

    private static async Task<WriteRefusal?> CheckAsync(WriteUnit w, Guid planId, PriorityRequest request) =>
        await References.Agencies.CheckAsync(w, [("leadAgencyId", request.LeadAgencyId)]) ?? await PlanQueries.ContentsWritableAsync(w, planId);

    public Task<WriteResult<Priority>> CreateAsync(Tenant tenant, Guid planId, PriorityRequest request, CancellationToken ct) =>
        writer.CreateAsync(tenant, new Create<Priority>(EntityTypes.Priority, async w =>
        {
            var position = request.Position ?? await w.ScalarAsync<long>("""
                SELECT COALESCE(MAX(position), 0) + 1 FROM priorities WHERE partnership_id = @PartnershipId AND plan_id = @planId
                """, new { w.PartnershipId, planId });
            var priority = new Priority(Ids.New(), planId, request.Code, request.Title, request.Description, request.LeadAgencyId,
                position, 1, w.Now, w.Now);
            await w.ExecuteAsync("""
                INSERT INTO priorities (partnership_id, id, plan_id, code, title, description, lead_agency_id, position, version, created_at, updated_at)
                VALUES (@PartnershipId, @Id, @PlanId, @Code, @Title, @Description, @LeadAgencyId, @Position, 1, @CreatedAt, @UpdatedAt)
                """, new
            {
                w.PartnershipId, priority.Id, priority.PlanId, priority.Code, priority.Title, priority.Description,
                priority.LeadAgencyId, priority.Position, priority.CreatedAt, priority.UpdatedAt,
            });
            await PlanQueries.TouchAsync(w, planId);
            return priority;
        })
        {
            Check = w => CheckAsync(w, planId, request),
            OnUnique = CodeTaken(request.Code),
        }, ct);

    public Task<WriteResult<Priority>> UpdateAsync(Tenant tenant, Guid id, PriorityRequest request, long? ifMatch, CancellationToken ct) =>
        writer.UpdateAsync(tenant, ifMatch, new Update<Priority>(EntityTypes.Priority, w => GetAsync(w, id),
            (w, current) => w.ExecuteAsync("""
                UPDATE priorities SET code = @Code, title = @Title, description = @Description, lead_agency_id = @LeadAgencyId,
                       position = @Position, version = version + 1, updated_at = @Now
                WHERE partnership_id = @PartnershipId AND id = @id
                """, new
            {
                w.PartnershipId, id, request.Code, request.Title, request.Description, request.LeadAgencyId,
                Position = request.Position ?? current.Position, w.Now,
            }))
        {
            Check = (w, current) => CheckAsync(w, current.PlanId, request),
            AfterChange = (w, current, _) => PlanQueries.TouchAsync(w, current.PlanId),
            OnUnique = CodeTaken(request.Code),
        }, ct);

    public Task<WriteResult<Priority>> DeleteAsync(Tenant tenant, Guid id, long? ifMatch, CancellationToken ct) =>
        writer.DeleteAsync(tenant, ifMatch, new Delete<Priority>(EntityTypes.Priority, w => GetAsync(w, id), async (w, current) =>
        {
            // SQL Server cannot cascade priorities to alignments (db/sqlserver/0004): they go first, each with its tombstone.
            await AlignmentQueries.RemoveAsync(w, AlignmentQueries.Owner.Priority, id);
            await Tombstones.ForPriorityContentsAsync(w, id);
            await w.ExecuteAsync("DELETE FROM priorities WHERE partnership_id = @PartnershipId AND id = @id", new { w.PartnershipId, id });
            await PlanQueries.TouchAsync(w, current.PlanId);
        })
        {
            Check = (w, current) => PlanQueries.ContentsWritableAsync(w, current.PlanId),
        }, ct);
}
