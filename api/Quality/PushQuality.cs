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
    internal sealed record IndicatorChecks(Guid Id, string Code, string Frequency, decimal? BoundsMin, decimal? BoundsMax, decimal OutlierThreshold,
        decimal? LargeChangePercent)
    {
        public bool NeedsHistory => OutlierThreshold > 0 || LargeChangePercent is not null;

        public PeriodType PeriodType { get; } = EnumText<IndicatorFrequency>.Parse(Frequency).PeriodType();
    }

    private const int Window = QualityDefaults.OutlierWindow;

    // Per (indicator, area), the periods from one on: a range of the index on (indicator, area, period), so the read is as big as
    // the batch's series, whatever the table's size. (Left to itself SQLite took the primary key, scanning every area of the
    // indicator for each series: a 12,000-row job took a minute.)
    private readonly string valuesSql = $"""
        SELECT o.indicator_id, o.area, o.period, o.value
        FROM {db.Dialect.JsonRows("@keys", ("i", "UNIQUEIDENTIFIER"), ("a", "NVARCHAR(9)"), ("f", "NVARCHAR(16)"))} k
        CROSS JOIN observations o {db.Dialect.IndexedBy("ix_observations_area_period")}
        WHERE o.partnership_id = @PartnershipId AND o.indicator_id = k.i AND o.area = k.a AND o.period >= k.f
        """;

    // A dry run's change token: only what is committed (PartnershipTurns.ChangeTokenAsync is the writers').
    private const string CommittedSeqSql = "SELECT MAX(a.seq) FROM audit_events a WHERE a.partnership_id = @PartnershipId";

    /// <summary>The batch's own rows of one series, by period ordinal (null: retracted), laid over the stored values; with the
    /// index of the row that sent each. Usually one row (a month's push), so the first is kept apart from any others.</summary>
    private sealed class BatchSeries((int Period, decimal? Value, int Index) first)
    {
        private List<(int Period, decimal? Value, int Index)>? more;

        public int Count => 1 + (more?.Count ?? 0);

        public void Add((int Period, decimal? Value, int Index) row) => (more ??= []).Add(row);

        public (int Period, decimal? Value, int Index) this[int i] => i == 0 ? first : more![i - 1];

        public bool TryGet(int period, out decimal? value, out int index)
        {
            for (var i = 0; i < Count; i++)
            {
                var r = this[i];
                if (r.Period != period) continue;
                (value, index) = (r.Value, r.Index);
                return true;
            }
            (value, index) = (null, -1);
            return false;
        }
    }

    /// <summary>The warnings of <paramref name="rows"/>; with a transaction (a push, not a dry run), also the push's lease on the
    /// <see cref="HistoryCache"/>, to publish once it is over.</summary>
    /// <param name="seq">The partnership's change token when the caller has read it in <paramref name="tx"/> already.</param>
    public async Task<(List<ObservationWarning> Warnings, HistoryLease? Lease)> CheckAsync(DbConnection c, DbTransaction? tx, Tenant tenant,
        IReadOnlyList<PushedValue> rows, CancellationToken ct, long? seq = null)
    {
        var warnings = new List<ObservationWarning>();
        if (rows.Count == 0) return (warnings, null);
        var dryRun = tx is null;
        // Inside the push's transaction the partnership's writes take turns, so this is the latest seq and nothing moves it
        // but this push; a dry run reads what is committed.
        seq ??= dryRun
            ? await c.ExecuteScalarAsync<long?>(new CommandDefinition(CommittedSeqSql + " " + db.Dialect.CommittedEventsOnly,
                new { tenant.PartnershipId }, cancellationToken: ct)) ?? 0
            : await PartnershipTurns.ChangeTokenAsync(c, tx, tenant.PartnershipId, ct);
        var settings = await SettingsAsync(c, tx, tenant, seq.Value, ct);
        var (indicators, byCode, rules, ruleIndicators, rulesOf, hierarchy) =
            (settings.Indicators, settings.ByCode, settings.Rules, settings.RuleIndicators, settings.RulesOf, settings.Hierarchy);

        // The batch by series, and what to read: per series, the periods from an ordinal on.
        var batch = new Dictionary<HistoryCache.Key, BatchSeries>(rows.Count);
        var need = new Dictionary<HistoryCache.Key, int>();
        void Need(HistoryCache.Key key, int from) => need[key] = need.TryGetValue(key, out var f) && f < from ? f : from;
        var instances = new HashSet<(int Rule, int Period, string Area)>();
        var instanceList = new List<(int Rule, Period Period, string Area)>();
        // Each row's series, period and indicator, found once for both passes (the second checks the values).
        var found = new (HistoryCache.Key Key, int Ordinal, IndicatorChecks? Indicator, BatchSeries? Sent)[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (!indicators.TryGetValue(row.IndicatorId, out var indicator) || row.Period.Type != indicator.PeriodType) continue;
            var key = new HistoryCache.Key(row.IndicatorId, row.Area);
            var ordinal = PeriodAxis.Ordinal(row.Period);
            var sentRow = (ordinal, row.Delete ? null : (decimal?)row.Value, row.Index);
            if (batch.TryGetValue(key, out var sent)) sent.Add(sentRow);
            else batch[key] = sent = new BatchSeries(sentRow);
            found[i] = (key, ordinal, indicator, sent);
            if (row.Delete) continue;
            if (indicator.NeedsHistory) Need(key, ordinal - Window);
            if (!rulesOf.TryGetValue(row.IndicatorId, out var touched)) continue;
            foreach (var r in touched)
            {
                var aggregate = rules[r].Rule.Aggregate != RuleAggregate.None;
                if (!aggregate) Instance(r, row.Period, ordinal, row.Area);
                else if (hierarchy is not null)
                {
                    if (hierarchy.ParentOf(row.Area, row.Period) is { } parent) Instance(r, row.Period, ordinal, parent);
                    if (hierarchy.ChildrenOf(row.Area, row.Period).Count > 0) Instance(r, row.Period, ordinal, row.Area);
                }
            }
        }
        void Instance(int r, Period period, int ordinal, string area)
        {
            if (!instances.Add((r, ordinal, area))) return;
            instanceList.Add((r, period, area));
            var children = rules[r].Rule.Aggregate == RuleAggregate.None ? [] : hierarchy!.ChildrenOf(area, period);
            foreach (var indicator in ruleIndicators[r])
            {
                if (indicator.PeriodType != period.Type) continue;
                Need(new HistoryCache.Key(indicator.Id, area), ordinal);
                foreach (var child in children) Need(new HistoryCache.Key(indicator.Id, child), ordinal);
            }
        }

        var (series, lease) = await LoadAsync(c, tx, tenant, seq.Value, need, settings, ct);

        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var (key, ordinal, indicator, sent) = found[i];
            if (row.Delete || indicator is null) continue;
            Bounds(row, indicator, warnings);
            if (indicator.NeedsHistory && series.TryGetValue(key, out var stored))
                History(row, key, ordinal, indicator, stored, sent!, lease, warnings);
        }

        foreach (var (r, period, area) in instanceList)
        {
            var rule = rules[r];
            var ordinal = PeriodAxis.Ordinal(period);
            decimal? ValueOf(string code, string at)
            {
                if (!byCode.TryGetValue(code, out var indicator) || indicator.PeriodType != period.Type) return null;
                var key = new HistoryCache.Key(indicator.Id, at);
                if (batch.TryGetValue(key, out var sent) && sent.TryGet(ordinal, out var value, out _)) return value;
                return series.TryGetValue(key, out var stored) && stored.TryGet(ordinal, out var v) ? v : null;
            }
            var children = rule.Rule.Aggregate == RuleAggregate.None ? [] : hierarchy!.ChildrenOf(area, period);
            var text = period.Canonical;
            var violation = rule.Rule.Aggregate == RuleAggregate.None
                ? RuleEngine.Compare(rule, text, area, ValueOf)
                : RuleEngine.ChildrenSum(rule, text, area, children, ValueOf);
            if (violation is null) continue;
            // Each row of the batch the broken rule reads is told.
            var involved = new SortedSet<int>();
            void Involve(IndicatorChecks indicator, string at)
            {
                if (batch.TryGetValue(new HistoryCache.Key(indicator.Id, at), out var sent) && sent.TryGet(ordinal, out var value, out var index)
                    && value is not null)
                    involved.Add(index);
            }
            foreach (var indicator in ruleIndicators[r])
            {
                if (indicator.PeriodType != period.Type) continue;
                Involve(indicator, area);
                foreach (var child in children) Involve(indicator, child);
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

    /// <summary>The large-change and outlier checks of a row against its series as the push leaves it: the stored values with the
    /// batch's rows of the same series laid over them.</summary>
    private static void History(PushedValue row, HistoryCache.Key key, int ordinal, IndicatorChecks indicator, HistoryCache.Series stored,
        BatchSeries sent, HistoryLease? lease, List<ObservationWarning> warnings)
    {
        var overlaid = sent.Count > 1;
        if (indicator.LargeChangePercent is { } percent)
        {
            var before = ordinal - 1;
            decimal? previous = overlaid && sent.TryGet(before, out var v, out _) ? v : stored.TryGet(before, out var s) ? s : null;
            if (previous is { } p && p != 0)
            {
                var change = Math.Abs(row.Value - p) / Math.Abs(p) * 100;
                if (change > percent)
                    warnings.Add(new ObservationWarning(row.Index, WarningCode.LargeChange,
                        $"{Text(row.Value)} differs from {row.Period.Previous().Canonical}'s {Text(p)} in {row.Area} by {Math.Round(change, 1).ToString(CultureInfo.InvariantCulture)}%, more than the {Text(percent)}% {indicator.Code} allows without a warning.",
                        p));
            }
        }
        if (indicator.OutlierThreshold <= 0) return;
        // A row that re-sends its stored value, alone in its series in the batch, is judged against the cached series' own window:
        // the outcome is the series' (immutable), worked out once (a rolling re-send is mostly such rows).
        var at = overlaid ? -1 : Array.BinarySearch(stored.Periods, ordinal);
        if (at >= 0 && stored.Values[at] != row.Value) at = -1;
        var outcome = at >= 0 ? stored.OutlierAt(at) : null;
        if (outcome is null)
        {
            outcome = Outlier(row.Value, ordinal, stored, sent, overlaid);
            if (at >= 0) stored.RememberOutlier(at, outcome);
            else if (!overlaid) lease?.Judged(key, ordinal, row.Value, outcome); // a new value: its series keeps it once written
        }
        if (outcome.Z is { } z && Math.Abs(z) > (double)indicator.OutlierThreshold)
            warnings.Add(new ObservationWarning(row.Index, WarningCode.Outlier,
                $"{Text(row.Value)} is an outlier against the {outcome.Count} earlier periods of {indicator.Code} in {row.Area} (median {Text(outcome.Median)}): its modified z-score is {(double.IsInfinity(z) ? "unbounded" : Math.Round(z, 1).ToString(CultureInfo.InvariantCulture))}, above {Text(indicator.OutlierThreshold)}.",
                outcome.Median));
    }

    /// <summary>The modified z-score of <paramref name="value"/> at <paramref name="ordinal"/> against its window: the stored values
    /// the batch does not replace, then the batch's own (at most one per period); no score with fewer than six values.</summary>
    private static HistoryCache.OutlierOutcome Outlier(decimal value, int ordinal, HistoryCache.Series stored, BatchSeries sent, bool overlaid)
    {
        Span<decimal> prior = stackalloc decimal[Window];
        Span<double> numbers = stackalloc double[Window];
        var n = 0;
        var from = ordinal - Window;
        for (var i = stored.LowerBound(from); i < stored.Count && stored.Periods[i] < ordinal; i++)
            if (!overlaid || !sent.TryGet(stored.Periods[i], out _, out _))
            {
                prior[n] = stored.Values[i];
                numbers[n++] = stored.Numbers[i];
            }
        for (var i = 0; overlaid && i < sent.Count; i++)
            if (sent[i] is var (period, v, _) && period >= from && period < ordinal && v is { } x)
            {
                prior[n] = x;
                numbers[n++] = (double)x;
            }
        if (n < QualityDefaults.OutlierMinimum) return new HistoryCache.OutlierOutcome(n, null, 0);
        var z = Outliers.ModifiedZ(value, prior[..n], numbers[..n], out var median);
        return new HistoryCache.OutlierOutcome(n, z, median);
    }

    /// <summary>
    /// Every stored value of each series from its first needed period on (the checks look no later than the batch's periods, so
    /// what lies after changes nothing). Taken from the <see cref="HistoryCache"/> as cached (never copied) when it holds the
    /// series from early enough and the partnership's seq is the cache's; the rest in one query. A dry run (no transaction)
    /// reads the cache but never changes it.
    /// </summary>
    private async Task<(Dictionary<HistoryCache.Key, HistoryCache.Series> Series, HistoryLease? Lease)> LoadAsync(DbConnection c, DbTransaction? tx,
        Tenant tenant, long seq, Dictionary<HistoryCache.Key, int> need, QualitySettings settings, CancellationToken ct)
    {
        var indicators = settings.Indicators;
        var series = new Dictionary<HistoryCache.Key, HistoryCache.Series>(need.Count);
        if (need.Count == 0) return (series, null);
        var dryRun = tx is null;
        var state = cache.StateOf(tenant.PartnershipId);
        var missing = new List<HistoryCache.Key>();
        long expectedSeq, epoch;
        lock (state)
        {
            if (state.Seq == seq)
            {
                foreach (var (key, from) in need)
                    if (state.Series.TryGetValue(key, out var cached) && cached.From <= from) series[key] = cached;
                    else missing.Add(key);
            }
            else
            {
                // Something was written since (here or by another process), or the cache was never filled: drop it all.
                if (!dryRun) cache.Drop(state);
                missing.AddRange(need.Keys);
            }
            (expectedSeq, epoch) = (state.Seq, state.Epoch);
        }
        if (missing.Count == 0) return (series, dryRun ? null : new HistoryLease(cache, state, seq, expectedSeq, epoch, [], settings.PeriodTypes));

        var read = new Dictionary<HistoryCache.Key, List<(int Period, decimal Value)>>(missing.Count);
        var buffer = new ArrayBufferWriter<byte>(missing.Count * 80);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var key in missing)
            {
                read[key] = [];
                json.WriteStartObject();
                json.WriteString("i", key.IndicatorId.ToString("D"));
                json.WriteString("a", key.Area);
                json.WriteString("f", PeriodAxis.FromOrdinal(indicators[key.IndicatorId].PeriodType, need[key]).Canonical);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        var keys = Encoding.UTF8.GetString(buffer.WrittenSpan);
        // A plain reader: this runs inside every push whose series are not cached, over up to 25 stored values per row sent.
        await using (var reader = await c.ExecuteReaderAsync(new CommandDefinition(valuesSql, new { tenant.PartnershipId, keys }, tx, cancellationToken: ct)))
        {
            while (await reader.ReadAsync(ct))
            {
                var key = new HistoryCache.Key(TypeHandlers.ReadGuid(reader.GetValue(0)), reader.GetString(1));
                if (!read.TryGetValue(key, out var values)
                    || PeriodOrdinal.Parse(reader.GetString(2), indicators[key.IndicatorId].PeriodType) is not { } ordinal) continue;
                values.Add((ordinal, TypeHandlers.ReadDecimal(reader.GetValue(3))));
            }
        }
        var fresh = new Dictionary<HistoryCache.Key, HistoryCache.Series>(missing.Count);
        foreach (var (key, values) in read)
        {
            values.Sort((a, b) => a.Period.CompareTo(b.Period));
            fresh[key] = series[key] = new HistoryCache.Series(need[key], values.ConvertAll(v => v.Period).ToArray(), values.ConvertAll(v => v.Value).ToArray());
        }
        if (dryRun) return (series, null);
        return (series, new HistoryLease(cache, state, seq, expectedSeq, epoch, fresh, settings.PeriodTypes));
    }

    /// <summary>The partnership's indicators' check settings, its validation rules and (for aggregate rules) its areas, as at
    /// <paramref name="seq"/>: read once and kept with the history cache until the seq moves (every change to an indicator, a
    /// rule or an area writes an audit event), so a push does not read them again.</summary>
    private async Task<QualitySettings> SettingsAsync(DbConnection c, DbTransaction? tx, Tenant tenant, long seq, CancellationToken ct)
    {
        var state = cache.StateOf(tenant.PartnershipId);
        lock (state)
            if (state.Settings is { } kept && kept.Seq == seq) return kept;
        var indicators = (await c.QueryAsync<IndicatorChecks>(new CommandDefinition("""
            SELECT id AS Id, code AS Code, frequency AS Frequency, bounds_min AS BoundsMin, bounds_max AS BoundsMax,
                   outlier_threshold AS OutlierThreshold, large_change_percent AS LargeChangePercent
            FROM indicators WHERE partnership_id = @PartnershipId
            """, new { tenant.PartnershipId }, tx, cancellationToken: ct))).ToDictionary(i => i.Id);
        var rules = await ValidationRuleQueries.AllAsync(c, tx, tenant.PartnershipId, ct);
        var byCode = indicators.Values.ToDictionary(i => i.Code, StringComparer.Ordinal);
        // Per indicator, the rules that read it (by their place in the list) and, per rule, its codes' indicators.
        var ruleIndicators = rules.ConvertAll(r => r.Codes.Select(code => byCode.GetValueOrDefault(code)).OfType<IndicatorChecks>().Distinct().ToArray());
        var rulesOf = new Dictionary<Guid, List<int>>();
        for (var i = 0; i < rules.Count; i++)
            foreach (var indicator in ruleIndicators[i])
                (rulesOf.TryGetValue(indicator.Id, out var list) ? list : rulesOf[indicator.Id] = []).Add(i);
        var hierarchy = rules.Exists(r => r.Rule.Aggregate != RuleAggregate.None) ? Hierarchy.Of(await AreaQueries.AllAsync(c, tx, tenant.PartnershipId, ct)) : null;
        var settings = new QualitySettings(seq, indicators, byCode, rules, ruleIndicators, rulesOf, hierarchy);
        // A dry run's seq is the committed one, a push's its own transaction's: either way what was read is as at that seq.
        lock (state)
            if (state.Settings is null || state.Settings.Seq < seq) state.Settings = settings;
        return settings;
    }

    private static string Text(decimal value) => RuleEngine.Text(value);
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

/// <summary>What the push's checks read of a partnership besides its values, as at an audit seq (<see cref="PushQuality"/>).</summary>
internal sealed record QualitySettings(long Seq, Dictionary<Guid, PushQuality.IndicatorChecks> Indicators,
    Dictionary<string, PushQuality.IndicatorChecks> ByCode, List<CompiledRule> Rules, List<PushQuality.IndicatorChecks[]> RuleIndicators,
    Dictionary<Guid, List<int>> RulesOf, Hierarchy? Hierarchy)
{
    /// <summary>Each indicator's period type (for the values a push writes, <see cref="HistoryLease"/>).</summary>
    public Dictionary<Guid, PeriodType> PeriodTypes { get; } = Indicators.ToDictionary(i => i.Key, i => i.Value.PeriodType);
}
