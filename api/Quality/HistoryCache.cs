using System.Collections.Concurrent;

namespace Csp.Api.Quality;

/// <summary>
/// The stored history the push's outlier and large-change checks read, kept between pushes in this process: per (partnership,
/// indicator, area), every stored value from a period on (<see cref="Series.From"/>, no upper end). It is trusted only while the
/// partnership's change token (its latest audit seq) is the one it was filled at: every write writes an audit event, so an
/// equal seq means nothing has changed since, whichever process wrote. A push reads the seq inside its write transaction, takes
/// the cached series as they are (never copied: a series is never changed once cached) and reads only the rest; once it has
/// committed, still holding the write turn, its written values are applied and the seq it committed becomes the cache's. Any
/// other seq drops the partnership's series. Bounded by <see cref="MaxValues"/> values held: to make room for a push's series the
/// partnerships used least lately give up series, those cached longest ago first, as many as that room takes (not all of theirs:
/// a partnership resending all its rows while another pushes new ones would otherwise lose every series on each of the other's
/// pushes), and the pushing partnership's own last: with no other left, it gives up its oldest series for the push's (never all
/// of them: dropped whole on every push, a partnership larger than the cache found none of its series cached; and never none:
/// keeping what it had and caching no more, a partnership whose series move on, to new areas or indicators, kept series it no
/// longer pushed and read every new one on every push, which took issue 4's `run.sh` from 58-68k to 35k rows/s). A series given
/// up is read again when next needed; the partnership's other series stay valid at its seq.
/// </summary>
public sealed class HistoryCache
{
    /// <summary>How many stored values the cache holds at most, across partnerships (each series counts its values plus one).</summary>
    public const long MaxValues = 500_000;

    /// <summary>A series longer than this is cut to its latest values (its <see cref="Series.From"/> moves on).</summary>
    internal const int KeepValues = 2 * QualityDefaults.OutlierWindow;

    private readonly ConcurrentDictionary<Guid, State> states = new();
    private long held;

    /// <summary>An indicator's series in an area (of one partnership).</summary>
    internal readonly record struct Key(Guid IndicatorId, string Area);

    /// <summary>Every stored value of a pair at period ordinal <see cref="From"/> or later (<see cref="PeriodOrdinal"/>), sorted by
    /// period. Never changed once made: a write makes a new one.</summary>
    internal sealed class Series
    {
        public Series(int from, int[] periods, decimal[] values, double[]? numbers = null)
        {
            From = from;
            Periods = periods;
            Values = values;
            if (numbers is null)
            {
                numbers = new double[values.Length];
                for (var i = 0; i < values.Length; i++) numbers[i] = (double)values[i];
            }
            Numbers = numbers;
        }

        public int From { get; }
        public int[] Periods { get; }
        public decimal[] Values { get; }

        /// <summary><see cref="Values"/> as doubles, converted once (the outlier check's sorting works on them).</summary>
        public double[] Numbers { get; }

        private OutlierOutcome?[]? outliers;

        /// <summary>The outlier check of the stored value at index <paramref name="i"/> against this series' window, if worked out.</summary>
        public OutlierOutcome? OutlierAt(int i) => Volatile.Read(ref outliers)?[i];

        /// <summary>Keeps the outlier check of the stored value at index <paramref name="i"/> (the same whichever push works it out: the
        /// series never changes; a reference is written whole, so a racing reader sees it or nothing).</summary>
        public void RememberOutlier(int i, OutlierOutcome outcome)
        {
            var kept = Volatile.Read(ref outliers) ?? Interlocked.CompareExchange(ref outliers, new OutlierOutcome?[Count], null) ?? outliers!;
            Volatile.Write(ref kept[i], outcome);
        }
        public int Count => Periods.Length;

        /// <summary>The index of the first period at or after <paramref name="ordinal"/>.</summary>
        public int LowerBound(int ordinal)
        {
            int lo = 0, hi = Periods.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (Periods[mid] < ordinal) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }

        public bool TryGet(int ordinal, out decimal value)
        {
            var i = Array.BinarySearch(Periods, ordinal);
            value = i >= 0 ? Values[i] : 0;
            return i >= 0;
        }

        /// <summary>This series with <paramref name="changes"/> (null: removed; sorted by period, one each) laid over it, and with
        /// <paramref name="before"/>'s values ahead of <see cref="From"/> (an older series of the same pair) kept, cut to its latest
        /// <see cref="KeepValues"/> values. A change before the series' first period changes nothing (it is not known there).</summary>
        public Series With(ReadOnlySpan<(int Period, decimal? Value)> changes, Series? before = null)
        {
            var from = From;
            var prefix = 0;
            if (before is not null && before.From < From)
            {
                prefix = before.LowerBound(From);
                from = before.From;
            }
            var baseCount = prefix + Count;
            // Twice over the merge: first to count what it keeps, then to write exactly that (a write makes one series a pair).
            var total = Merge(changes, before, prefix, baseCount, from, null, null, null, 0);
            var skip = Math.Max(0, total - KeepValues);
            var periods = new int[total - skip];
            var values = new decimal[periods.Length];
            var numbers = new double[periods.Length];
            Merge(changes, before, prefix, baseCount, from, periods, values, numbers, skip);
            var next = new Series(skip > 0 ? periods[0] : from, periods, values, numbers);
            // A value's outlier outcome depends on it and the values before it: those ahead of the first change keep theirs.
            var firstChange = changes.Length > 0 ? changes[0].Period : int.MaxValue;
            next.KeepOutliers(this, firstChange);
            if (prefix > 0) next.KeepOutliers(before!, Math.Min(firstChange, From));
            return next;
        }

        /// <summary>Takes <paramref name="source"/>'s outlier outcomes of the periods before <paramref name="until"/> that this series
        /// holds.</summary>
        private void KeepOutliers(Series source, int until)
        {
            if (Volatile.Read(ref source.outliers) is not { } kept) return;
            for (var i = 0; i < source.Count && source.Periods[i] < until; i++)
                if (kept[i] is { } outcome && Array.BinarySearch(Periods, source.Periods[i]) is >= 0 and var at)
                    RememberOutlier(at, outcome);
        }

        /// <summary>Merges the base (<paramref name="before"/>'s first <paramref name="prefix"/> values, then this series') with the
        /// changes in period order, and writes the result after its first <paramref name="skip"/> values into the arrays given;
        /// returns how many values the result has.</summary>
        private int Merge(ReadOnlySpan<(int Period, decimal? Value)> changes, Series? before, int prefix, int baseCount, int from,
            int[]? periods, decimal[]? values, double[]? numbers, int skip)
        {
            int n = 0, b = 0, c = 0;
            int PeriodAt(int k) => k < prefix ? before!.Periods[k] : Periods[k - prefix];
            void Emit(int period, decimal value, double number)
            {
                if (periods is not null && n >= skip)
                {
                    periods[n - skip] = period;
                    values![n - skip] = value;
                    numbers![n - skip] = number;
                }
                n++;
            }
            while (b < baseCount || c < changes.Length)
            {
                if (c == changes.Length || b < baseCount && PeriodAt(b) < changes[c].Period)
                {
                    var (source, k) = b < prefix ? (before!, b) : (this, b - prefix);
                    Emit(source.Periods[k], source.Values[k], source.Numbers[k]);
                    b++;
                    continue;
                }
                var (period, value) = changes[c++];
                if (b < baseCount && PeriodAt(b) == period) b++;
                if (period >= from && value is { } v) Emit(period, v, (double)v);
            }
            return n;
        }
    }

    /// <summary>An outlier check's outcome: how many earlier values the window held, the modified z-score (null when fewer than
    /// <see cref="QualityDefaults.OutlierMinimum"/>) and their median.</summary>
    internal sealed record OutlierOutcome(int Count, double? Z, decimal Median);

    /// <summary>The cache of one partnership: valid at <see cref="Seq"/> (−1: at none). Read and changed under its own lock.</summary>
    internal sealed class State
    {
        public long Seq = -1;

        /// <summary>Moves on each time the series are dropped, so a push that read before cannot publish after.</summary>
        public long Epoch;

        public readonly Dictionary<Key, Series> Series = [];

        /// <summary>The pairs of <see cref="Series"/>, each once, in the order they were cached, oldest first: the order they are
        /// given up in.</summary>
        public readonly Queue<Key> Order = new();

        /// <summary>The partnership's check settings at the seq they were read at (<see cref="QualitySettings.Seq"/>).</summary>
        public QualitySettings? Settings;
        public long Values;
        public long LastUsed;
    }

    internal State StateOf(Guid partnershipId)
    {
        var state = states.GetOrAdd(partnershipId, _ => new State());
        Volatile.Write(ref state.LastUsed, Environment.TickCount64);
        return state;
    }

    /// <summary>Caches <paramref name="series"/> (call under the state's lock).</summary>
    internal void Set(State state, Key key, Series series)
    {
        var delta = Size(series);
        if (state.Series.TryGetValue(key, out var old)) delta -= Size(old);
        else state.Order.Enqueue(key);
        state.Series[key] = series;
        Count(state, delta);
    }

    /// <summary>Drops every series of the partnership (call under the state's lock).</summary>
    internal void Drop(State state)
    {
        state.Series.Clear();
        state.Order.Clear();
        Count(state, -state.Values);
        state.Seq = -1;
        state.Epoch++;
    }

    /// <summary>What a series counts for against <see cref="MaxValues"/>: its values and one more.</summary>
    internal static long Size(Series series) => series.Count + 1L;

    /// <summary>Adds <paramref name="delta"/> values to the partnership's count and the cache's (call under the state's lock).</summary>
    private void Count(State state, long delta)
    {
        state.Values += delta;
        Interlocked.Add(ref held, delta);
    }

    /// <summary>While more than <see cref="MaxValues"/> values are held, or <paramref name="room"/> more would be, drops series of
    /// the partnerships used least lately, <paramref name="keep"/>'s last, as many as that takes (call holding no state's
    /// lock).</summary>
    internal void Trim(State? keep = null, long room = 0)
    {
        if (Interlocked.Read(ref held) + room <= MaxValues) return;
        foreach (var state in states.Values.OrderBy(s => Volatile.Read(ref s.LastUsed)).ToList())
        {
            if (Interlocked.Read(ref held) + room <= MaxValues) return;
            if (state == keep) continue;
            lock (state) Shrink(state, room);
        }
        if (keep is not null && Interlocked.Read(ref held) + room > MaxValues)
            lock (keep) Shrink(keep, room);
    }

    /// <summary>Whether <paramref name="series"/> of a pair not cached yet fits under <see cref="MaxValues"/>.</summary>
    internal bool HasRoomFor(Series series) => Interlocked.Read(ref held) + Size(series) <= MaxValues;

    /// <summary>Drops series of the partnership, those cached longest ago first, until the cache holds no more than
    /// <see cref="MaxValues"/> values less <paramref name="room"/>, or it has none left (call under the state's lock). The epoch
    /// stays: a series dropped is read again when next needed, and one that stays was never changed.</summary>
    internal void Shrink(State state, long room = 0)
    {
        var excess = Interlocked.Read(ref held) + room - MaxValues;
        while (excess > 0 && state.Order.TryDequeue(out var key))
        {
            state.Series.Remove(key, out var series);
            Count(state, -Size(series!));
            excess -= Size(series!);
        }
    }

    /// <summary>How many values the cache holds.</summary>
    internal long Held => Interlocked.Read(ref held);
}
