using Csp.Api.Audit;
using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Quality;

/// <summary>A value a push wrote (<see cref="Value"/> null: retracted), to apply to the cached series once the push commits.</summary>
public readonly record struct WrittenValue(Guid IndicatorId, string Period, string Area, decimal? Value);

/// <summary>
/// One push's use of the <see cref="HistoryCache"/>: the partnership's state it found (the cache's seq and epoch), the series it
/// read from the database, and, once written, the push's values and the seq its audit events brought. <see cref="Publish"/> hands
/// them to the cache only if the cache is still as the push found it, so a late or failed push never overwrites a newer one.
/// </summary>
public sealed class HistoryLease
{
    private readonly HistoryCache cache;
    private readonly Guid partnershipId;
    private readonly HistoryCache.State state;
    private readonly long seqRead, expectedSeq, epoch;
    private readonly Dictionary<(Guid IndicatorId, string Area), (string From, SortedList<string, decimal> Values)> read;
    // Inside an AuditedWriter.AllOrNothingAsync unit the push's reads may see writes that are not committed yet: nothing is kept.
    private readonly bool joined = AuditedWriter.InUnit;
    private List<WrittenValue>? written;
    private long seqWritten;

    internal HistoryLease(HistoryCache cache, Guid partnershipId, HistoryCache.State state, long seqRead, long expectedSeq, long epoch,
        Dictionary<(Guid IndicatorId, string Area), (string From, SortedList<string, decimal> Values)> read)
    {
        this.cache = cache;
        this.partnershipId = partnershipId;
        this.state = state;
        this.seqRead = seqRead;
        this.expectedSeq = expectedSeq;
        this.epoch = epoch;
        this.read = read;
    }

    /// <summary>Notes the push's written values and the partnership's seq after its audit events (in its transaction, before
    /// the commit).</summary>
    public async Task WrittenAsync(WriteUnit w, List<WrittenValue> values)
    {
        seqWritten = await w.ScalarAsync<long?>("SELECT MAX(seq) FROM audit_events WHERE partnership_id = @PartnershipId",
            new { w.PartnershipId }) ?? 0;
        written = values;
    }

    /// <summary>After the push: with writes, only if <paramref name="committed"/>, the series read and the values written become
    /// the cache's at the seq written; without, the series read are cached at the seq read (the database is as it was).</summary>
    public void Publish(bool committed)
    {
        if (joined || written is not null && !committed) return;
        lock (state)
        {
            if (state.Seq != expectedSeq || state.Epoch != epoch) return;
            var pending = new Dictionary<HistoryCache.Key, (string From, SortedList<string, decimal> Values)>(read.Count);
            foreach (var ((indicatorId, area), (from, values)) in read)
            {
                var key = new HistoryCache.Key(partnershipId, indicatorId, area);
                var merged = new SortedList<string, decimal>(values, StringComparer.Ordinal);
                var mergedFrom = from;
                // A series cached before covers its own periods: what it holds before this read's first period is kept.
                if (cache.Get(key, epoch) is { } old && string.CompareOrdinal(old.From, from) < 0)
                {
                    for (var i = 0; i < old.Values.Count && string.CompareOrdinal(old.Values.Keys[i], from) < 0; i++)
                        merged[old.Values.Keys[i]] = old.Values.Values[i];
                    mergedFrom = old.From;
                }
                pending[key] = (mergedFrom, merged);
            }
            foreach (var v in written ?? [])
            {
                var key = new HistoryCache.Key(partnershipId, v.IndicatorId, v.Area);
                if (!pending.TryGetValue(key, out var series))
                {
                    if (cache.Get(key, epoch) is not { } old) continue;
                    pending[key] = series = (old.From, new SortedList<string, decimal>(old.Values, StringComparer.Ordinal));
                }
                if (string.CompareOrdinal(v.Period, series.From) < 0) continue;
                if (v.Value is { } value) series.Values[v.Period] = value;
                else series.Values.Remove(v.Period);
            }
            foreach (var (key, (from, values)) in pending) cache.Set(key, new HistoryCache.Series(epoch, from, values));
            state.Seq = written is null ? seqRead : seqWritten;
        }
    }
}
