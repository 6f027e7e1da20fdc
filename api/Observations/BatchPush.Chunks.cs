using Csp.Api.Audit;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Quality;

namespace Csp.Api.Observations;

/// <summary>
/// SQLite: a large push that is not atomic commits in chunks, each in a write turn of its own, so that other partnerships' writes
/// go in between (<see cref="FairWriteGate"/> hands a free turn to the partnership that has used it least). One 10,000-row write
/// held the turn for 100-400 ms; a chunk of 2,000 rows (<see cref="ObservationOptions.WriteChunkRows"/>) holds it for a fifth of
/// that. A push that is not atomic is row by row already (each valid row is kept whatever the others do), so only its commit is
/// split: a push that fails part way (a turn not had in time, a full disk) has kept the chunks before, and sending it again is
/// safe (their rows count as unchanged). <c>?atomic=true</c> keeps one transaction.
/// </summary>
public sealed partial class BatchPush
{
    /// <summary>The most rows of a push one write turn holds (a push of more rows that is not atomic commits in chunks).</summary>
    private int WriteChunkRows => settings.Value.WriteChunkRows;

    /// <summary>Whether a push of <paramref name="total"/> rows, checked before the turn, commits in chunks.</summary>
    private bool Chunked(int total, bool atomic, CheckedRows? before) => !atomic && total > WriteChunkRows && before?.Stored is not null;

    /// <summary>
    /// Writes the rows checked before the turn (<paramref name="before"/>) chunk by chunk: in each chunk's turn, if the partnership's
    /// change token is what the previous chunk left (nothing else of the partnership was written meanwhile) and it is the same day,
    /// the chunk's rows are diffed against the stored rows read before the turn and written; otherwise the chunk's rows are checked
    /// and read again in the turn, and so are every later chunk's. (A push rejected as a whole, which writes nothing, has been
    /// answered before the turn: <see cref="AnswerWithoutWriting"/>.)
    /// </summary>
    private async Task<WriteResult<BatchResult>> PushInChunksAsync(Tenant tenant, IReadOnlyList<ObservationInput> rows, CheckedRows before,
        bool force, bool failOnWarnings, CancellationToken ct)
    {
        var stored = before.Stored!;
        var conflicts = new List<ObservationConflict>(before.Conflicts);
        var warnings = new List<ObservationWarning>(before.Warnings);
        var (created, updated, deleted, unchanged, wrote) = (0, 0, 0, 0, false);
        var (expected, lease, next, size) = (before.ChangeToken, before.Lease, 0, WriteChunkRows);
        PushScope? scope = null; // once a chunk had to check its rows again: the keys claimed so far
        WriteResult<BatchResult>? pushed = null;
        for (var start = 0; start < rows.Count; start += size)
        {
            var end = Math.Min(start + size, rows.Count);
            var slice = new List<Accepted>();
            for (; next < before.Accepted.Count && before.Accepted[next].Index < end; next++) slice.Add(before.Accepted[next]);
            pushed = await writer.RunAsync(tenant, WriteOp.Plain, async w =>
            {
                Part part;
                var token = scope is null ? await PartnershipTurns.ChangeTokenAsync(w.Connection, w.Transaction, tenant.PartnershipId, ct) : -1;
                if (token == expected && before.Today == DateOnly.FromDateTime(w.Now.UtcDateTime))
                {
                    if (lease is not null) w.OnEnd(lease.Publish);
                    var found = new List<ObservationConflict>();
                    var plan = Diff(tenant, slice, stored, force, found, w.Now);
                    if (plan.Writes) expected = await WritePlanAsync(w, plan, lease);
                    part = new Part(plan.Inserts.Count, plan.Updates.Count, plan.Deletes.Count, plan.Unchanged, found, plan.Writes, []);
                }
                else
                {
                    // The partnership changed since the checks: this chunk's rows (and every later chunk's) are checked again, after
                    // the keys of the rows before them, and replace what the checks before the turn found for them.
                    if (scope is null)
                    {
                        scope = new PushScope();
                        foreach (var (key, index) in before.Scope.FirstOfKey)
                            if (index < start) scope.FirstOfKey[key] = index;
                    }
                    scope.Offset = start;
                    conflicts.RemoveAll(c => c.Index >= start && c.Index < end);
                    warnings.RemoveAll(x => x.Index >= start && x.Index < end);
                    part = await WriteAsync(w, [.. rows.Skip(start).Take(end - start)], scope, force, _ => false, failOnWarnings, null, ct);
                    warnings.AddRange(part.Warnings);
                }
                conflicts.AddRange(part.Conflicts);
                (created, updated, deleted, unchanged) = (created + part.Created, updated + part.Updated, deleted + part.Deleted, unchanged + part.Unchanged);
                wrote |= part.Wrote;
                var summary = Summarise(rows.Count, new Part(created, updated, deleted, unchanged, conflicts, wrote, warnings), atomic: false, dryRun: false);
                return part.Wrote ? WriteResult<BatchResult>.Done(summary) : WriteResult<BatchResult>.Unchanged(summary);
            }, ct, answers: end == rows.Count);
            if (pushed.Value.Refusal is not null) return pushed.Value; // refused (a constraint): the chunks before stay, as said above
        }
        var result = pushed!.Value.Value!;
        return wrote ? WriteResult<BatchResult>.Done(result) : WriteResult<BatchResult>.Unchanged(result);
    }

    /// <summary>
    /// Writes a job's chunk of a push (<see cref="Jobs.PushJobs"/>) as a synchronous push writes its rows: on SQLite they are
    /// checked, and their keys' stored rows read, on a reader before the write turn (in the partnership's push turn), and the turn
    /// only writes them, unless the partnership changed meanwhile (then they are checked again in the turn). <paramref name="inTurn"/>
    /// adds the job's progress to the same transaction, which commits whether or not the rows changed anything. Rows rejected
    /// do not stop the chunk (a job is not atomic here). <paramref name="scope"/> is the job's: its <see cref="PushScope.Offset"/>
    /// is the chunk's first row.
    /// </summary>
    /// <returns>Null once the chunk has committed; the refusal when a constraint refused its write (nothing of it committed).</returns>
    internal async Task<WriteRefusal?> WriteChunkAsync(Tenant tenant, IReadOnlyList<ObservationInput> rows, PushScope scope, bool force,
        bool failOnWarnings, Func<WriteUnit, Part, Task> inTurn, CancellationToken ct)
    {
        using var pushTurn = await db.PushTurnAsync(tenant, ct);
        var before = pushTurn is null ? null : await CheckBeforeTurnAsync(tenant, rows, failOnWarnings, ct, scope);
        var written = await writer.RunAsync(tenant, WriteOp.Plain, async w =>
        {
            var part = await WriteAsync(w, rows, scope, force, conflicts => Rejects(rows.Count, conflicts, atomic: false), failOnWarnings, before, ct);
            await inTurn(w, part);
            return WriteResult<Part>.Done(part);
        }, ct);
        return written.Refusal;
    }
}
