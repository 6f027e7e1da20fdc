using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Csp.Api.Areas;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Quality;

/// <summary>A row of a push that passed the row checks, as the quality checks see it.</summary>
/// <param name="Delete">A retraction: it removes the stored value and is not itself checked.</param>
public readonly record struct PushedValue(int Index, Guid IndicatorId, Period Period, string Area, decimal Value, bool Delete);

/// <summary>
/// The data-quality warnings of a push: bounds, outliers, large changes and validation rules, judged on the values as the push
/// leaves them (the stored ones with the batch's rows over them). Whatever the batch's size, the indicators' settings, the rules
/// and (with an aggregate rule) the areas are read once, and every stored value the checks need in one query: per (indicator, area)
/// of the batch, the periods from 24 before its earliest to its latest.
/// </summary>
public sealed class PushQuality(Db db, HistoryCache cache)
{
    private sealed record IndicatorChecks(Guid Id, string Code, decimal? BoundsMin, decimal? BoundsMax, decimal OutlierThreshold,
        decimal? LargeChangePercent)
    {
        public bool NeedsHistory => OutlierThreshold > 0 || LargeChangePercent is not null;
    }

    private readonly record struct Pair(Guid IndicatorId, string Area);

    // Per indicator, the periods from one on in every area: a range of the clustered primary key (indicator, period, area), read in
    // order. Seeking each (indicator, area) through the area index instead costs a lookup into the table for every value, about
    // twice the time for a batch that covers the areas (a month's push does); values of areas the batch does not touch are
    // dropped as they are read.
    private readonly string valuesSql = $"""
        SELECT o.indicator_id, o.period, o.area, o.value
        FROM {db.Dialect.JsonRows("@keys", ("i", "UNIQUEIDENTIFIER"), ("f", "NVARCHAR(16)"))} k
        CROSS JOIN observations o
        WHERE o.partnership_id = @PartnershipId AND o.indicator_id = k.i AND o.period >= k.f
        """;

    private const string SeqSql = "SELECT MAX(a.seq) FROM audit_events a WHERE a.partnership_id = @PartnershipId";

    /// <summary>The warnings of <paramref name="rows"/>; with a transaction (a push, not a dry run), also the push's lease on the
    /// <see cref="HistoryCache"/>, to publish once it is over.</summary>
    public async Task<(List<ObservationWarning> Warnings, HistoryLease? Lease)> CheckAsync(DbConnection c, DbTransaction? tx, Tenant tenant,
        IReadOnlyList<PushedValue> rows, CancellationToken ct)
    {
        var warnings = new List<ObservationWarning>();
        if (rows.Count == 0) return (warnings, null);
        var indicators = (await c.QueryAsync<IndicatorChecks>(new CommandDefinition("""
            SELECT id AS Id, code AS Code, bounds_min AS BoundsMin, bounds_max AS BoundsMax, outlier_threshold AS OutlierThreshold,
                   large_change_percent AS LargeChangePercent
            FROM indicators WHERE partnership_id = @PartnershipId
            """, new { tenant.PartnershipId }, tx, cancellationToken: ct))).ToDictionary(i => i.Id);
        var rules = await ValidationRuleQueries.AllAsync(c, tx, tenant.PartnershipId, ct);
        var byCode = indicators.Values.ToDictionary(i => i.Code, i => i.Id, StringComparer.Ordinal);
        var rulesOf = new Dictionary<Guid, List<CompiledRule>>();
        foreach (var rule in rules)
            foreach (var code in rule.Codes.Distinct())
                if (byCode.TryGetValue(code, out var id))
                    (rulesOf.TryGetValue(id, out var list) ? list : rulesOf[id] = []).Add(rule);
        var hierarchy = rules.Exists(r => r.Rule.Aggregate != RuleAggregate.None) ? Hierarchy.Of(await AreaQueries.AllAsync(c, tx, tenant.PartnershipId, ct)) : null;

        // What to read: per (indicator, area), a range of periods.
        var ranges = new Dictionary<Pair, (string From, string To)>();
        void Need(Guid indicatorId, string area, string from, string to)
        {
            var pair = new Pair(indicatorId, area);
            ranges[pair] = ranges.TryGetValue(pair, out var r)
                ? (string.CompareOrdinal(from, r.From) < 0 ? from : r.From, string.CompareOrdinal(to, r.To) > 0 ? to : r.To)
                : (from, to);
        }
        var instances = new HashSet<(CompiledRule Rule, string Period, string Area, Period Of)>();
        foreach (var row in rows)
        {
            if (row.Delete || !indicators.TryGetValue(row.IndicatorId, out var indicator)) continue;
            var period = row.Period.Canonical;
            if (indicator.NeedsHistory) Need(row.IndicatorId, row.Area, Back(row.Period, QualityDefaults.OutlierWindow).Canonical, period);
            if (!rulesOf.TryGetValue(row.IndicatorId, out var touched)) continue;
            foreach (var rule in touched)
            {
                var areas = new List<string>();
                if (rule.Rule.Aggregate == RuleAggregate.None) areas.Add(row.Area);
                else if (hierarchy is not null)
                {
                    if (hierarchy.ParentOf(row.Area, row.Period) is { } parent) areas.Add(parent);
                    if (hierarchy.ChildrenOf(row.Area, row.Period).Count > 0) areas.Add(row.Area);
                }
                foreach (var area in areas)
                {
                    if (!instances.Add((rule, period, area, row.Period))) continue;
                    foreach (var code in rule.Codes)
                    {
                        if (!byCode.TryGetValue(code, out var id)) continue;
                        Need(id, area, period, period);
                        if (rule.Rule.Aggregate != RuleAggregate.None)
                            foreach (var child in hierarchy!.ChildrenOf(area, row.Period)) Need(id, child, period, period);
                    }
                }
            }
        }

        var (series, lease) = await LoadAsync(c, tx, tenant, ranges, ct);
        var sent = new Dictionary<(Guid, string, string), int>(rows.Count);
        foreach (var row in rows)
        {
            var period = row.Period.Canonical;
            if (!row.Delete) sent[(row.IndicatorId, period, row.Area)] = row.Index;
            if (!series.TryGetValue(new Pair(row.IndicatorId, row.Area), out var values)) continue;
            if (row.Delete) values.Remove(period);
            else values[period] = row.Value;
        }

        foreach (var row in rows)
        {
            if (row.Delete || !indicators.TryGetValue(row.IndicatorId, out var indicator)) continue;
            Bounds(row, indicator, warnings);
            if (indicator.NeedsHistory && series.TryGetValue(new Pair(row.IndicatorId, row.Area), out var values))
                History(row, indicator, values, warnings);
        }

        foreach (var (rule, period, area, of) in instances)
        {
            decimal? ValueOf(string code, string at) =>
                byCode.TryGetValue(code, out var id) && series.TryGetValue(new Pair(id, at), out var values) && values.TryGetValue(period, out var v)
                    ? v
                    : null;
            var children = rule.Rule.Aggregate == RuleAggregate.None ? [] : hierarchy!.ChildrenOf(area, of);
            var violation = rule.Rule.Aggregate == RuleAggregate.None
                ? RuleEngine.Compare(rule, period, area, ValueOf)
                : RuleEngine.ChildrenSum(rule, period, area, children, ValueOf);
            if (violation is null) continue;
            // Each row of the batch the broken rule reads is told.
            var involved = new SortedSet<int>();
            foreach (var code in rule.Codes)
            {
                if (!byCode.TryGetValue(code, out var id)) continue;
                if (sent.TryGetValue((id, period, area), out var index)) involved.Add(index);
                foreach (var child in children)
                    if (sent.TryGetValue((id, period, child), out var childIndex)) involved.Add(childIndex);
            }
            foreach (var index in involved)
                warnings.Add(new ObservationWarning(index, WarningCode.RuleViolation, violation.Message, violation.RightValue, rule.Rule.Code));
        }
        warnings.Sort((a, b) => a.Index != b.Index ? a.Index.CompareTo(b.Index) : a.Code.CompareTo(b.Code));
        return (warnings, lease);
    }

    private static void Bounds(PushedValue row, IndicatorChecks indicator, List<ObservationWarning> warnings)
    {
        if (indicator.BoundsMin is { } min && row.Value < min)
            warnings.Add(new ObservationWarning(row.Index, WarningCode.OutsideBounds,
                $"{Text(row.Value)} is below the smallest plausible value of {indicator.Code}, {Text(min)}.", min));
        else if (indicator.BoundsMax is { } max && row.Value > max)
            warnings.Add(new ObservationWarning(row.Index, WarningCode.OutsideBounds,
                $"{Text(row.Value)} is above the largest plausible value of {indicator.Code}, {Text(max)}.", max));
    }

    private static void History(PushedValue row, IndicatorChecks indicator, SortedList<string, decimal> values, List<ObservationWarning> warnings)
    {
        var period = row.Period.Canonical;
        var from = Back(row.Period, QualityDefaults.OutlierWindow).Canonical;
        if (indicator.LargeChangePercent is { } percent && values.TryGetValue(row.Period.Previous().Canonical, out var previous) && previous != 0)
        {
            var change = Math.Abs(row.Value - previous) / Math.Abs(previous) * 100;
            if (change > percent)
                warnings.Add(new ObservationWarning(row.Index, WarningCode.LargeChange,
                    $"{Text(row.Value)} differs from {row.Period.Previous().Canonical}'s {Text(previous)} in {row.Area} by {Math.Round(change, 1).ToString(CultureInfo.InvariantCulture)}%, more than the {Text(percent)}% {indicator.Code} allows without a warning.",
                    previous));
        }
        if (indicator.OutlierThreshold <= 0) return;
        var prior = new List<decimal>(QualityDefaults.OutlierWindow);
        var keys = values.Keys;
        for (var i = 0; i < keys.Count; i++)
        {
            var p = keys[i];
            if (string.CompareOrdinal(p, from) >= 0 && string.CompareOrdinal(p, period) < 0) prior.Add(values.Values[i]);
        }
        if (prior.Count < QualityDefaults.OutlierMinimum) return;
        if (Outliers.ModifiedZ(row.Value, prior, out var median) is { } z && Math.Abs(z) > (double)indicator.OutlierThreshold)
            warnings.Add(new ObservationWarning(row.Index, WarningCode.Outlier,
                $"{Text(row.Value)} is an outlier against the {prior.Count} earlier periods of {indicator.Code} in {row.Area} (median {Text(median)}): its modified z-score is {(double.IsInfinity(z) ? "unbounded" : Math.Round(z, 1).ToString(CultureInfo.InvariantCulture))}, above {Text(indicator.OutlierThreshold)}.",
                median));
    }

    /// <summary>The period <paramref name="count"/> periods before <paramref name="period"/>.</summary>
    internal static Period Back(Period period, int count)
    {
        // By arithmetic on months and quarters (this runs for every row of every push); years and financial years step by year.
        var per = period.Type switch { PeriodType.Month => 12, PeriodType.Quarter => 4, _ => 0 };
        if (per == 0) return period with { Year = period.Year - count };
        var n = period.Year * per + (period.Index - 1) - count;
        return period with { Year = n / per, Index = n % per + 1 };
    }

    /// <summary>
    /// Every stored value of each pair from its range's first period on (the checks look no later than the batch's periods, so
    /// what lies after changes nothing). Taken from the <see cref="HistoryCache"/> when it holds the pair and the partnership's
    /// seq is the cache's; the rest in one query. A dry run (no transaction) reads the cache but never changes it.
    /// </summary>
    private async Task<(Dictionary<Pair, SortedList<string, decimal>> Series, HistoryLease? Lease)> LoadAsync(DbConnection c, DbTransaction? tx,
        Tenant tenant, Dictionary<Pair, (string From, string To)> ranges, CancellationToken ct)
    {
        var series = new Dictionary<Pair, SortedList<string, decimal>>(ranges.Count);
        if (ranges.Count == 0) return (series, null);
        var dryRun = tx is null;
        // Inside the push's transaction the partnership's writes take turns, so this is the latest seq and nothing moves it
        // but this push; a dry run reads what is committed.
        var seq = await c.ExecuteScalarAsync<long?>(new CommandDefinition(dryRun ? SeqSql + " " + db.Dialect.CommittedEventsOnly : SeqSql,
            new { tenant.PartnershipId }, tx, cancellationToken: ct)) ?? 0;
        var state = cache.StateOf(tenant.PartnershipId);
        var missing = new List<Pair>();
        long expectedSeq, epoch;
        lock (state)
        {
            if (state.Seq == seq)
            {
                foreach (var (pair, (from, _)) in ranges)
                {
                    if (cache.Get(new HistoryCache.Key(tenant.PartnershipId, pair.IndicatorId, pair.Area), state.Epoch) is { } cached
                        && string.CompareOrdinal(cached.From, from) <= 0)
                    {
                        var values = new SortedList<string, decimal>(QualityDefaults.OutlierWindow + 1, StringComparer.Ordinal);
                        for (var i = 0; i < cached.Values.Count; i++)
                            if (string.CompareOrdinal(cached.Values.Keys[i], from) >= 0) values.Add(cached.Values.Keys[i], cached.Values.Values[i]);
                        series[pair] = values;
                    }
                    else missing.Add(pair);
                }
            }
            else
            {
                // Something was written since (here or by another process), or the cache was never filled: drop it all.
                if (!dryRun)
                {
                    state.Epoch++;
                    state.Seq = -1;
                }
                missing.AddRange(ranges.Keys);
            }
            (expectedSeq, epoch) = (state.Seq, state.Epoch);
        }

        var byIndicator = new Dictionary<Guid, string>();
        foreach (var pair in missing)
        {
            var from = ranges[pair].From;
            series[pair] = new SortedList<string, decimal>(StringComparer.Ordinal);
            byIndicator[pair.IndicatorId] = byIndicator.TryGetValue(pair.IndicatorId, out var f) && string.CompareOrdinal(f, from) < 0 ? f : from;
        }
        if (byIndicator.Count > 0)
        {
            var buffer = new ArrayBufferWriter<byte>(byIndicator.Count * 80);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartArray();
                foreach (var (indicatorId, from) in byIndicator)
                {
                    json.WriteStartObject();
                    json.WriteString("i", indicatorId.ToString("D"));
                    json.WriteString("f", from);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            var keys = Encoding.UTF8.GetString(buffer.WrittenSpan);
            // A plain reader: this runs inside every push whose series are not cached, over up to 25 stored values per row sent.
            await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(valuesSql, new { tenant.PartnershipId, keys }, tx, cancellationToken: ct));
            while (await reader.ReadAsync(ct))
            {
                var id = TypeHandlers.ReadGuid(reader.GetValue(0));
                if (!series.TryGetValue(new Pair(id, reader.GetString(2)), out var values)) continue;
                values[reader.GetString(1)] = TypeHandlers.ReadDecimal(reader.GetValue(3));
            }
        }
        if (dryRun) return (series, null);
        // What was read, as read (the checks lay the batch's rows over their copy): each pair's values from its indicator's
        // first period read, all complete from there on.
        var read = new Dictionary<(Guid IndicatorId, string Area), (string From, SortedList<string, decimal> Values)>(missing.Count);
        foreach (var pair in missing)
            read[(pair.IndicatorId, pair.Area)] = (byIndicator[pair.IndicatorId], new SortedList<string, decimal>(series[pair], StringComparer.Ordinal));
        return (series, new HistoryLease(cache, tenant.PartnershipId, state, seq, expectedSeq, epoch, read));
    }

    private static string Text(decimal value) => RuleEngine.Text(value);
}

/// <summary>The modified z-score (Iglewicz and Hoaglin): robust to the outlier itself, unlike the mean and standard deviation.</summary>
internal static class Outliers
{
    /// <summary>0.6745 (x − median) / MAD; when the MAD is 0, (x − median) / (1.253314 × mean absolute deviation); when that is 0
    /// too (every earlier value equal), 0 for the same value and unbounded for any other.</summary>
    public static double? ModifiedZ(decimal value, List<decimal> prior, out decimal median)
    {
        // Arrays and loops rather than LINQ: this runs for every row of every push.
        var work = prior.ToArray();
        median = Median(work);
        var sum = 0m;
        for (var i = 0; i < work.Length; i++)
        {
            work[i] = Math.Abs(prior[i] - median);
            sum += work[i];
        }
        var meanAd = sum / work.Length;
        var mad = Median(work);
        var diff = (double)(value - median);
        if (mad > 0) return 0.6745 * diff / (double)mad;
        if (meanAd > 0) return diff / (1.253314 * (double)meanAd);
        return diff == 0 ? 0 : double.PositiveInfinity * Math.Sign(diff);
    }

    /// <summary>The median of <paramref name="values"/>, sorting them in place.</summary>
    private static decimal Median(decimal[] values)
    {
        Array.Sort(values);
        var n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}

/// <summary>The partnership's areas as a tree, for aggregate rules: an area's parent and the areas inside it, each valid during a
/// period.</summary>
internal sealed class Hierarchy(Dictionary<string, Area> areas, ILookup<string, Area> children)
{
    public static Hierarchy Of(Dictionary<string, Area> areas) =>
        new(areas, areas.Values.Where(a => a.ParentCode is not null).ToLookup(a => a.ParentCode!, StringComparer.Ordinal));

    public string? ParentOf(string area, Period period) =>
        areas.TryGetValue(area, out var a) && a.ParentCode is { } parent && a.OverlapsPeriod(period.Start, period.End) ? parent : null;

    public IReadOnlyList<string> ChildrenOf(string area, Period period) =>
        children[area].Where(c => c.OverlapsPeriod(period.Start, period.End)).Select(c => c.Code).Order(StringComparer.Ordinal).ToList();

    /// <summary>Every area with at least one area inside it.</summary>
    public IEnumerable<string> Parents => children.Select(g => g.Key);
}
