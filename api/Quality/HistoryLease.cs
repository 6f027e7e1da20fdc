using Csp.Api.Audit;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Quality;

/// <summary>A value a push wrote (<see cref="Value"/> null: retracted), to apply to the cached series once the push commits.</summary>
public readonly record struct WrittenValue(Guid IndicatorId, string Period, string Area, decimal? Value);

/// <summary>
/// One push's use of the <see cref="HistoryCache"/>: the partnership's state it found (the cache's seq and epoch), the series it
/// read from the database, and, once written, the push's values and the seq its audit events brought. <see cref="Publish"/> hands
/// them to the cache only if the cache is still as the push found it, so a late or failed push never overwrites a newer one. The
/// push publishes when its write unit ends, before it gives up the write turn (<see cref="WriteUnit.OnEnd"/>), so the next push
/// of the partnership finds the cache at the seq it reads.
/// </summary>
public sealed class HistoryLease
{
    private readonly HistoryCache cache;
    private readonly HistoryCache.State state;
    private readonly long epoch;
    private long seqRead, expectedSeq;
    private Dictionary<HistoryCache.Key, HistoryCache.Series> read;
    private readonly Dictionary<Guid, PeriodType> periodTypes;
    // Inside an AuditedWriter.AllOrNothingAsync unit the push's reads may see writes that are not committed yet: nothing is kept.
    private readonly bool joined = AuditedWriter.InUnit;
    private List<WrittenValue>? written;
    private long seqWritten;
    // The outlier outcomes the push worked out for new values, each alone in its series in the push: once written, the value's
    // window is the one it was judged against, so its series keeps the outcome (the next re-send of it is not judged again).
    private Dictionary<(HistoryCache.Key Key, int Period), (decimal Value, HistoryCache.OutlierOutcome Outcome)>? judged;

    internal HistoryLease(HistoryCache cache, HistoryCache.State state, long seqRead, long expectedSeq, long epoch,
        Dictionary<HistoryCache.Key, HistoryCache.Series> read, Dictionary<Guid, PeriodType> periodTypes)
    {
        this.cache = cache;
        this.state = state;
        this.seqRead = seqRead;
        this.expectedSeq = expectedSeq;
        this.epoch = epoch;
        this.read = read;
        this.periodTypes = periodTypes;
    }

    /// <summary>Notes the outlier outcome of <paramref name="value"/> at <paramref name="period"/>, judged against the series' stored
    /// window alone (no other value of the series in the push), to keep with the series if the push writes that value.</summary>
    internal void Judged(HistoryCache.Key key, int period, decimal value, HistoryCache.OutlierOutcome outcome) =>
        (judged ??= [])[(key, period)] = (value, outcome);

    /// <summary>Notes the push's written values and <paramref name="seq"/>, the partnership's change token after its audit events
    /// (read in its transaction, before the commit).</summary>
    public void Written(List<WrittenValue> values, long seq) => (written, seqWritten) = (values, seq);

    /// <summary>Whether the cache is still as the push found it (take the state's lock; it is re-entrant).</summary>
    private bool Holds()
    {
        lock (state) return state.Seq == expectedSeq && state.Epoch == epoch;
    }

    /// <summary>When the push's unit ends: with writes, only if <paramref name="committed"/>, the series read and the values
    /// written become the cache's at the seq written; without, the series read are cached at the seq read (the database is as it
    /// was). Once published, the lease holds the cache as it left it, so a push that commits in several units (in chunks)
    /// publishes each unit's writes in turn.</summary>
    public void Publish(bool committed)
    {
        if (joined || written is not null && !committed) return;
        // Room for the series read, if the lease still holds (a stale one publishes nothing): the partnerships used least lately
        // go first, this one's oldest series last.
        if (read.Count > 0 && Holds()) cache.Trim(keep: state, room: read.Values.Sum(HistoryCache.Size));
        lock (state)
        {
            if (!Holds()) return;
            foreach (var (key, series) in read)
            {
                // A series cached before covers its own periods: what it holds before this read's first period is kept. A pair
                // not cached yet is cached only if it fits (the room made above may have been taken since).
                var old = state.Series.GetValueOrDefault(key);
                if (old is null && !cache.HasRoomFor(series)) continue;
                cache.Set(state, key, old is not null && old.From < series.From ? series.With([], old) : series);
            }
            if (written is { Count: > 0 })
            {
                var changes = new Dictionary<HistoryCache.Key, List<(int Period, decimal? Value)>>();
                foreach (var v in written)
                {
                    if (!periodTypes.TryGetValue(v.IndicatorId, out var type) || PeriodOrdinal.Parse(v.Period, type) is not { } ordinal) continue;
                    var key = new HistoryCache.Key(v.IndicatorId, v.Area);
                    (changes.TryGetValue(key, out var list) ? list : changes[key] = []).Add((ordinal, v.Value));
                }
                foreach (var (key, list) in changes)
                {
                    if (!state.Series.TryGetValue(key, out var series)) continue;
                    if (list.Count > 1) list.Sort((a, b) => a.Period.CompareTo(b.Period));
                    var next = series.With(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
                    if (list is [var (period, value)] && judged is not null && judged.TryGetValue((key, period), out var j) && j.Value == value
                        && Array.BinarySearch(next.Periods, period) is >= 0 and var at)
                        next.RememberOutlier(at, j.Outcome);
                    cache.Set(state, key, next);
                }
            }
            state.Seq = written is null ? seqRead : seqWritten;
            (expectedSeq, seqRead, read, written, judged) = (state.Seq, state.Seq, [], null, null);
        }
        // What the push wrote may have grown the series cached: other partnerships go first, then this one's oldest.
        cache.Trim(keep: state);
    }
}
