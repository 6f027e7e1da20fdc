using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;

namespace Csp.Api.Quality;

/// <summary>
/// The stored history the push's outlier and large-change checks read, kept between pushes in this process: per (partnership,
/// indicator, area), every stored value from a period on (<see cref="Series.From"/>, no upper end). It is trusted only while the
/// partnership's change token (its latest audit seq) is the one it was filled at: every write writes an audit event, so an
/// equal seq means nothing has changed since, whichever process wrote. A push reads the seq inside its write transaction, takes
/// the cached series and reads only the rest; once it has committed, its written values are applied and the seq it committed
/// becomes the cache's. Any other seq drops the partnership's series (<see cref="State.Epoch"/>). Bounded by
/// <see cref="MaxValues"/> values held, the least recently used series going first.
/// </summary>
public sealed class HistoryCache : IDisposable
{
    /// <summary>How many stored values the cache holds at most, across partnerships (each series counts its values plus one).</summary>
    public const long MaxValues = 500_000;

    /// <summary>A series longer than this is cut to its latest values (its <see cref="Series.From"/> moves on).</summary>
    internal const int KeepValues = 2 * QualityDefaults.OutlierWindow;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = MaxValues, CompactionPercentage = 0.25 });
    private readonly ConcurrentDictionary<Guid, State> states = new();

    internal readonly record struct Key(Guid PartnershipId, Guid IndicatorId, string Area);

    /// <summary>Every stored value of a pair at <see cref="From"/> or later, in one epoch of its partnership. Never changed once
    /// cached (a push that changes it caches a new one).</summary>
    internal sealed record Series(long Epoch, string From, SortedList<string, decimal> Values);

    /// <summary>What the cache of one partnership is: valid at <see cref="Seq"/> (−1: at none), for series of <see cref="Epoch"/>.
    /// Read and changed under its own lock.</summary>
    internal sealed class State
    {
        public long Seq = -1;
        public long Epoch;
    }

    internal State StateOf(Guid partnershipId) => states.GetOrAdd(partnershipId, _ => new State());

    /// <summary>The cached series of <paramref name="key"/> if it belongs to <paramref name="epoch"/> (call under the state's lock).</summary>
    internal Series? Get(Key key, long epoch) => cache.TryGetValue(key, out Series? s) && s is not null && s.Epoch == epoch ? s : null;

    /// <summary>Caches a series (call under the state's lock), cut to its latest <see cref="KeepValues"/> values.</summary>
    internal void Set(Key key, Series series)
    {
        if (series.Values.Count > KeepValues)
        {
            var values = new SortedList<string, decimal>(KeepValues, StringComparer.Ordinal);
            for (var i = series.Values.Count - KeepValues; i < series.Values.Count; i++) values.Add(series.Values.Keys[i], series.Values.Values[i]);
            series = series with { From = values.Keys[0], Values = values };
        }
        cache.Set(key, series, new MemoryCacheEntryOptions { Size = series.Values.Count + 1 });
    }

    internal void Remove(Key key) => cache.Remove(key);

    public void Dispose() => cache.Dispose();
}
