using System.Data.Common;
using System.Text.Json;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Infrastructure.Idempotency;
using Csp.Api.Infrastructure.Observability;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Csp.Api.Audit;

/// <summary>An entity with an id the audit trail can name.</summary>
public interface IEntity
{
    Guid Id { get; }
}

/// <summary>An entity the audited writer can version-check (If-Match).</summary>
public interface IVersioned : IEntity
{
    long Version { get; }
}

/// <summary>What a database constraint refusing a write means for the client: every write names the meaning of a unique or
/// foreign-key violation it can run into, and the writer turns the database's error into that refusal.</summary>
public record WriteOp
{
    /// <summary>The write met a row with the same unique key (a code already taken).</summary>
    public WriteRefusal? OnUnique { get; init; }

    /// <summary>The write named a row that is not there, or removed one that others still refer to.</summary>
    public WriteRefusal? OnForeignKey { get; init; }

    /// <summary>No constraint the feature expects: a violation still becomes a conflict, never a 500.</summary>
    public static readonly WriteOp Plain = new();
}

/// <summary>Creates one row: <paramref name="Insert"/> writes it (and whatever the feature writes with it) and returns it as
/// created; <see cref="Check"/> (optional) refuses first.</summary>
public sealed record Create<T>(string EntityType, Func<WriteUnit, Task<T>> Insert) : WriteOp where T : class, IEntity
{
    public Func<WriteUnit, Task<WriteRefusal?>>? Check { get; init; }
}

/// <summary>Changes one row: <paramref name="Load"/> reads it inside the unit, <paramref name="Write"/> writes the change.
/// <see cref="Check"/> refuses in the light of the current row; <see cref="AfterChange"/> runs follow-up writes (another row's
/// version, a plan's ETag) only when the row really changed.</summary>
public sealed record Update<T>(string EntityType, Func<WriteUnit, Task<T?>> Load, Func<WriteUnit, T, Task> Write) : WriteOp
    where T : class, IVersioned
{
    public Func<WriteUnit, T, Task<WriteRefusal?>>? Check { get; init; }
    public Func<WriteUnit, T, T, Task>? AfterChange { get; init; }

    /// <summary>The audit action (approve, archive, revoke… are updates with a name of their own).</summary>
    public string Action { get; init; } = AuditActions.Update;
}

/// <summary>Removes one row: <paramref name="Remove"/> deletes it and whatever goes with it (recording tombstones for rows the
/// database would cascade).</summary>
public sealed record Delete<T>(string EntityType, Func<WriteUnit, Task<T?>> Load, Func<WriteUnit, T, Task> Remove) : WriteOp
    where T : class, IVersioned
{
    public Func<WriteUnit, T, Task<WriteRefusal?>>? Check { get; init; }
}

/// <summary>
/// The one write path of tenant rows. Every write opens the partnership's write unit, loads, checks If-Match, runs the
/// feature's rule check, writes, records the audit event and commits; a write that changes nothing is rolled back (no new
/// version, no event), and a unique or foreign-key violation becomes the refusal the feature declared. Features supply the
/// SQL and the rules (<see cref="Create{T}"/>, <see cref="Update{T}"/>, <see cref="Delete{T}"/>), or a whole multi-row step
/// (<see cref="RunAsync{T}"/>).
/// </summary>
public sealed class AuditedWriter(Db db, IOptions<JsonOptions> json)
{
    public Task<WriteResult<T>> CreateAsync<T>(Tenant tenant, Create<T> op, CancellationToken ct) where T : class, IEntity =>
        RunAsync(tenant, op, async w =>
        {
            if (op.Check is { } check && await check(w) is { } refused) return refused;
            var created = await op.Insert(w);
            await AuditLog.RecordAsync(w, AuditActions.Create, op.EntityType, created.Id, AuditLog.Diff(null, created));
            return WriteResult<T>.Done(created);
        }, ct);

    /// <param name="ifMatch">The version If-Match asks for (null: none), see <see cref="Infrastructure.ETags.IfMatch"/>.</param>
    public Task<WriteResult<T>> UpdateAsync<T>(Tenant tenant, long? ifMatch, Update<T> op, CancellationToken ct) where T : class, IVersioned =>
        RunAsync(tenant, op, async w =>
        {
            var (current, refused) = await LoadCheckedAsync(w, ifMatch, op.Load, op.Check);
            if (refused is not null) return refused;
            await op.Write(w, current!);
            var after = await op.Load(w) ?? throw new InvalidOperationException($"The {op.EntityType} {current!.Id} vanished in its own update.");
            var changes = AuditLog.Diff(current, after);
            if (changes.Count == 0) return WriteResult<T>.Unchanged(current!);
            if (op.AfterChange is { } follow) await follow(w, current!, after);
            await AuditLog.RecordAsync(w, op.Action, op.EntityType, current!.Id, changes);
            return WriteResult<T>.Done(after);
        }, ct);

    /// <returns>Done with the row as it was before it went.</returns>
    public Task<WriteResult<T>> DeleteAsync<T>(Tenant tenant, long? ifMatch, Delete<T> op, CancellationToken ct) where T : class, IVersioned =>
        RunAsync(tenant, op, async w =>
        {
            var (current, refused) = await LoadCheckedAsync(w, ifMatch, op.Load, op.Check);
            if (refused is not null) return refused;
            await op.Remove(w, current!);
            await AuditLog.RecordAsync(w, AuditActions.Delete, op.EntityType, current!.Id, AuditLog.Diff(current, null));
            return WriteResult<T>.Done(current);
        }, ct);

    /// <summary>The row to change, or why it may not be: not there, If-Match stale, or the feature's rule.</summary>
    private static async Task<(T? Current, WriteRefusal? Refused)> LoadCheckedAsync<T>(WriteUnit w, long? ifMatch, Func<WriteUnit, Task<T?>> load,
        Func<WriteUnit, T, Task<WriteRefusal?>>? check) where T : class, IVersioned
    {
        var current = await load(w);
        if (current is null) return (null, WriteRefusal.NotFound());
        if (ifMatch is { } v && v != current.Version) return (current, WriteRefusal.PreconditionFailed);
        return (current, check is null ? null : await check(w, current));
    }

    /// <summary>
    /// A write of many rows in one step (a plan refresh, the batch push, a new framework version): <paramref name="step"/> runs
    /// inside the unit, writes and records its audit events through it, and returns the result; the writer commits when the
    /// result says something changed, rolls back otherwise, and turns constraint violations into <paramref name="op"/>'s refusals.
    /// </summary>
    /// <param name="answers">Whether the result is the request's answer, recorded with the write for its Idempotency-Key; false
    /// for the units of a request that commits in several (a large push in chunks), whose last one records the answer.</param>
    public async Task<WriteResult<T>> RunAsync<T>(Tenant tenant, WriteOp op, Func<WriteUnit, Task<WriteResult<T>>> step, CancellationToken ct,
        bool answers = true)
    {
        if (Ambient.Value is { } outer) return await JoinAsync(outer.For(tenant), op, step);
        var idempotency = IdempotencyContext.Current;
        if (idempotency?.CommittedResult is { } committed)
            return WriteResult<T>.Done(JsonSerializer.Deserialize<T>(committed, json.Value.SerializerOptions)!);
        using var span = CspTelemetry.StartSpan("audited write", tenant.Slug);
        try
        {
            await using var w = await db.BeginWriteAsync(tenant, ct);
            var result = await step(w);
            span?.SetTag("csp.write.changed", result.Changed);
            if (!result.Changed) return result;
            // The answer's substance commits with the write, so a retry after a crash can replay it (the operator's own key,
            // which has no partnership, keeps its record outside this partnership's unit).
            if (answers && idempotency is not null && idempotency.Scope.PartnershipId == tenant.PartnershipId)
            {
                var answer = JsonSerializer.SerializeToUtf8Bytes(result.Value, json.Value.SerializerOptions);
                await IdempotencyQueries.MarkCommittedAsync(w, idempotency.Scope, idempotency.Key, answer.Length > IdempotencyFilter.MaxStoredBodyBytes
                    ? BoundedAnswer.Summary(answer) ?? "null"
                    : System.Text.Encoding.UTF8.GetString(answer));
            }
            await w.CommitAsync();
            return result;
        }
        catch (DbException e) when (Refusal(op, e) is { } refused)
        {
            return refused;
        }
    }

    private WriteRefusal? Refusal(WriteOp op, DbException e) =>
        db.Dialect.IsUniqueViolation(e)
            ? op.OnUnique ?? WriteRefusal.Conflict("The write conflicts with an existing row (a value that must be unique is taken).")
            : db.Dialect.IsForeignKeyViolation(e)
                ? op.OnForeignKey ?? WriteRefusal.Conflict("The write names something that does not exist, or removes something still referred to.")
                : null;

    // The unit of an AllOrNothingAsync in progress on this flow, which every write joins.
    private static readonly AsyncLocal<WriteUnit?> Ambient = new();

    /// <summary>Whether this flow is inside an <see cref="AllOrNothingAsync{T}"/> unit (whose writes commit only at its end).</summary>
    internal static bool InUnit => Ambient.Value is not null;

    /// <summary>
    /// Runs <paramref name="body"/>'s writes as one unit: every write through this writer inside it joins the same
    /// transaction, and they commit together when it returns or not at all (the Development demo seed). Each joined write
    /// sits in a savepoint, so one that changes nothing or is refused still leaves nothing behind.
    /// </summary>
    public async Task<T> AllOrNothingAsync<T>(Tenant tenant, Func<WriteUnit, Task<T>> body, CancellationToken ct)
    {
        using var span = CspTelemetry.StartSpan("audited write", tenant.Slug);
        await using var w = await db.BeginWriteAsync(tenant, ct);
        Ambient.Value = w;
        try
        {
            var result = await body(w);
            await w.CommitAsync();
            return result;
        }
        finally
        {
            Ambient.Value = null;
        }
    }

    private async Task<WriteResult<T>> JoinAsync<T>(WriteUnit w, WriteOp op, Func<WriteUnit, Task<WriteResult<T>>> step)
    {
        var (mark, rollBack, release) = w.Dialect.Savepoint("joined_write");
        var restoreFeed = w.FeedEventsRestorer();
        async Task EndAsync(bool keep)
        {
            if (!keep)
            {
                await w.ExecuteAsync(rollBack);
                restoreFeed(); // the change-feed events of the rolled-back statements are gone with them
            }
            if (release.Length > 0) await w.ExecuteAsync(release);
        }
        await w.ExecuteAsync(mark);
        try
        {
            var result = await step(w);
            await EndAsync(keep: result.Changed);
            return result;
        }
        catch (DbException e) when (Refusal(op, e) is { } refused)
        {
            await EndAsync(keep: false);
            return refused;
        }
    }
}
