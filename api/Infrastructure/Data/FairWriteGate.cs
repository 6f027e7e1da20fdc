using System.Diagnostics;

namespace Csp.Api.Infrastructure.Data;

/// <summary>
/// SQLite's one write turn, shared fairly between partnerships: each partnership's use of the turn is counted (writer time,
/// decaying with a half-life of one second), and when the turn is free it goes to the waiting partnership that has used it
/// least, not to whoever asked first. A partnership writing alone keeps the whole turn; a partnership pushing flat out from
/// many connections queues behind itself, so another partnership's small write waits for at most the write in progress.
/// Writes of one partnership keep their order. Platform writes count as one partnership of their own.
/// </summary>
public sealed class FairWriteGate
{
    private static readonly double HalfLife = Stopwatch.Frequency;

    private readonly Lock gate = new();
    private readonly Dictionary<Guid, LinkedList<Waiter>> waiting = [];
    private readonly Dictionary<Guid, (double Used, long At)> usage = [];
    private readonly Dictionary<Guid, int> turns = [];
    private bool held;
    private Guid holder;
    private long since;

    private sealed class Waiter(Guid key) : TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public Guid Key { get; } = key;
    }

    /// <summary>How many writers wait for the turn (for tests).</summary>
    internal int Waiting
    {
        get
        {
            lock (gate) return waiting.Values.Sum(q => q.Count);
        }
    }

    /// <summary>How many turns <paramref name="key"/> has been given (for tests).</summary>
    internal int Turns(Guid key)
    {
        lock (gate) return turns.GetValueOrDefault(key);
    }

    /// <summary>Waits for the turn; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitAsync(Guid key, TimeSpan timeout, CancellationToken ct)
    {
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (gate)
        {
            if (!held)
            {
                Take(key, Stopwatch.GetTimestamp());
                return true;
            }
            waiter = new Waiter(key);
            if (!waiting.TryGetValue(key, out var queue)) waiting[key] = queue = new LinkedList<Waiter>();
            node = queue.AddLast(waiter);
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        await using (limit.Token.Register(() =>
        {
            lock (gate)
            {
                // Not yet given the turn: leave the queue. (Given it already, the waiter has it and must release it.)
                if (node.List is null) return;
                node.List.Remove(node);
                if (waiting.TryGetValue(waiter.Key, out var queue) && queue.Count == 0) waiting.Remove(waiter.Key);
            }
            waiter.TrySetResult(false);
        }))
        {
            if (await waiter.Task) return true;
        }
        ct.ThrowIfCancellationRequested();
        return false;
    }

    /// <summary>Ends the holder's turn, counts its writer time, and hands the turn on.</summary>
    public void Release()
    {
        lock (gate)
        {
            var now = Stopwatch.GetTimestamp();
            usage[holder] = (Used(holder, now) + (now - since), now);
            if (usage.Count > 10_000) usage.Clear();
            if (turns.Count > 10_000) turns.Clear();
            Waiter? next = null;
            var least = double.MaxValue;
            foreach (var (key, queue) in waiting)
            {
                var used = Used(key, now);
                if (used >= least) continue;
                (least, next) = (used, queue.First!.Value);
            }
            if (next is null)
            {
                held = false;
                return;
            }
            var rest = waiting[next.Key];
            rest.RemoveFirst();
            if (rest.Count == 0) waiting.Remove(next.Key);
            Take(next.Key, now);
            next.TrySetResult(true);
        }
    }

    private void Take(Guid key, long now)
    {
        (held, holder, since) = (true, key, now);
        turns[key] = turns.GetValueOrDefault(key) + 1;
    }

    private double Used(Guid key, long now) =>
        usage.TryGetValue(key, out var u) ? u.Used * Math.Pow(0.5, (now - u.At) / HalfLife) : 0;
}
