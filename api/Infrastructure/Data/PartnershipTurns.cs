using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Infrastructure.Data;

/// <summary>
/// SQLite: one partnership's batch pushes one at a time in this process, each from its checks to its commit, so that a push can
/// check its rows (the partnership's rules, the data-quality history) on a reader before it takes the shared write turn
/// (<see cref="FairWriteGate"/>) and hold that turn for its writes alone. The partnership's next push checks its rows once this
/// one has committed, so against what it wrote; other partnerships write meanwhile. A push finds in its turn whether the
/// partnership changed since its checks (<see cref="ChangeTokenAsync"/>: another process, a job, any other write) and checks
/// again if it did. While a partnership's pushes write nothing (a feed resending what is stored), its next push checks its rows
/// before it waits for the turn (<see cref="Quiet"/>): resends check side by side and answer from their snapshot.
/// </summary>
public sealed class PartnershipTurns
{
    private readonly Lock gate = new();
    private readonly Dictionary<Guid, (SemaphoreSlim Turn, int Users)> turns = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, bool> quiet = new();

    /// <summary>Whether the partnership's latest push in this process wrote nothing: a hint, never a guarantee, that its next
    /// push is a resend too (false until a push has said).</summary>
    public bool Quiet(Guid partnershipId) => quiet.TryGetValue(partnershipId, out var q) && q;

    /// <summary>Notes whether a push of the partnership wrote (<see cref="Quiet"/>).</summary>
    public void Pushed(Guid partnershipId, bool wrote) => quiet[partnershipId] = !wrote;

    /// <summary>How many pushes of the partnership hold or wait for its turn (for tests).</summary>
    internal int Users(Guid partnershipId)
    {
        lock (gate) return turns.TryGetValue(partnershipId, out var t) ? t.Users : 0;
    }

    /// <summary>Waits for the partnership's turn; dispose the answer to hand it on. Past <paramref name="timeout"/> it fails as
    /// the write turn does (SQLITE_BUSY).</summary>
    public async Task<IDisposable> EnterAsync(Guid partnershipId, TimeSpan timeout, CancellationToken ct)
    {
        SemaphoreSlim turn;
        lock (gate)
        {
            var (existing, users) = turns.TryGetValue(partnershipId, out var t) ? t : (new SemaphoreSlim(1, 1), 0);
            turns[partnershipId] = (existing, users + 1);
            turn = existing;
        }
        var entered = false;
        try
        {
            entered = await turn.WaitAsync(timeout, ct);
        }
        finally
        {
            if (!entered) Leave(partnershipId);
        }
        return entered
            ? new Held(this, partnershipId, turn)
            : throw new SqliteException($"database is locked: no push turn within {timeout.TotalSeconds:N0} s", 5); // SQLITE_BUSY
    }

    private void Leave(Guid partnershipId)
    {
        lock (gate)
        {
            var (turn, users) = turns[partnershipId];
            if (users == 1) turns.Remove(partnershipId);
            else turns[partnershipId] = (turn, users - 1);
        }
    }

    private sealed class Held(PartnershipTurns owner, Guid partnershipId, SemaphoreSlim turn) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) != 0) return;
            turn.Release();
            owner.Leave(partnershipId);
        }
    }

    /// <summary>
    /// The partnership's change token: its latest audit seq. Every write of a partnership's rows writes an audit event in the same
    /// transaction (<see cref="Audit.AuditedWriter"/>), whichever process makes it, so an equal token means nothing of the
    /// partnership has changed since (the data-quality history cache trusts the same token).
    /// </summary>
    public static async Task<long> ChangeTokenAsync(DbConnection c, DbTransaction? tx, Guid partnershipId, CancellationToken ct) =>
        await c.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(seq) FROM audit_events WHERE partnership_id = @partnershipId",
            new { partnershipId }, tx, cancellationToken: ct)) ?? 0;
}
