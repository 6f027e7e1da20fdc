using System.Data.Common;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Audit;

/// <summary>An entity the audited writer can version-check.</summary>
public interface IVersioned
{
    Guid Id { get; }
    long Version { get; }
}

/// <summary>
/// The shape of every simple audited write: in one transaction, load the row, check If-Match, skip
/// the write entirely when nothing would change, otherwise write, record the audit event, commit.
/// </summary>
public sealed class AuditedWriter(Db db, TimeProvider clock)
{
    public delegate Task<T?> Load<T>(DbConnection c, DbTransaction tx);

    public delegate Task Write<in T>(DbConnection c, DbTransaction tx, T entity, DateTimeOffset now);

    public async Task<T> CreateAsync<T>(Tenant tenant, string entityType, T entity, Write<T> insert, CancellationToken ct)
        where T : class, IVersioned
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            var now = clock.GetUtcNow();
            await insert(c, tx, entity, now);
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Create, entityType, entity.Id, AuditLog.Diff(null, entity), now, ct);
            await tx.CommitAsync(ct);
            return entity;
        }
    }

    /// <param name="propose">The entity as the request would leave it (bookkeeping fields aside).</param>
    public async Task<WriteOutcome<T>> UpdateAsync<T>(Tenant tenant, string entityType, long? expectedVersion, Load<T> load,
        Func<T, T> propose, Write<T> update, CancellationToken ct, string action = AuditActions.Update)
        where T : class, IVersioned
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            var current = await load(c, tx);
            if (current is null) return WriteOutcome<T>.Missing;
            if (expectedVersion is { } v && v != current.Version) return WriteOutcome<T>.Stale;
            var proposed = propose(current);
            var changes = AuditLog.Diff(current, proposed);
            if (changes.Count == 0) return WriteOutcome<T>.Done(current);
            var now = clock.GetUtcNow();
            await update(c, tx, proposed, now);
            await AuditLog.RecordAsync(c, tx, tenant, action, entityType, current.Id, changes, now, ct);
            var after = await load(c, tx);
            await tx.CommitAsync(ct);
            return WriteOutcome<T>.Done(after!);
        }
    }

    public async Task<WriteOutcome<bool>> DeleteAsync<T>(Tenant tenant, string entityType, long? expectedVersion, Load<T> load,
        Write<T> delete, CancellationToken ct)
        where T : class, IVersioned
    {
        var (c, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (c)
        await using (tx)
        {
            var current = await load(c, tx);
            if (current is null) return WriteOutcome<bool>.Missing;
            if (expectedVersion is { } v && v != current.Version) return WriteOutcome<bool>.Stale;
            var now = clock.GetUtcNow();
            await delete(c, tx, current, now);
            await AuditLog.RecordAsync(c, tx, tenant, AuditActions.Delete, entityType, current.Id, AuditLog.Diff(current, null), now, ct);
            await tx.CommitAsync(ct);
            return WriteOutcome<bool>.Done(true);
        }
    }
}
