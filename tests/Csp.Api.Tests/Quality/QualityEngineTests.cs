using Csp.Api.Indicators;
using Csp.Api.Quality;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.Quality;

/// <summary>
/// The pieces the push's quality checks run on for every row, checked against plain definitions: periods as ordinals, the
/// modified z-score on doubles with an exact median, and the cached series' merge of a push's writes.
/// </summary>
public sealed class QualityEngineTests
{
    [Theory]
    [InlineData("2024-01", PeriodType.Month)]
    [InlineData("2024-12", PeriodType.Month)]
    [InlineData("2024-Q1", PeriodType.Quarter)]
    [InlineData("2024-Q4", PeriodType.Quarter)]
    [InlineData("2024", PeriodType.Year)]
    [InlineData("2024-25", PeriodType.FinancialYear)]
    public void An_ordinal_reads_back_as_its_period_and_the_one_before_is_one_less(string text, PeriodType type)
    {
        var period = Period.Parse(text, type).Period;
        var ordinal = PeriodAxis.Ordinal(period);

        Assert.Equal(ordinal, PeriodOrdinal.Parse(text, type));
        Assert.Equal(period, PeriodAxis.FromOrdinal(type, ordinal));
        Assert.Equal(period.Previous(), PeriodAxis.FromOrdinal(type, ordinal - 1));
    }

    [Fact]
    public void A_period_in_another_form_is_parsed_the_slow_way_and_nonsense_is_not_a_period()
    {
        Assert.Equal(PeriodAxis.Ordinal(new Period(PeriodType.Month, 2024, 6)), PeriodOrdinal.Parse("202406", PeriodType.Month));
        Assert.Null(PeriodOrdinal.Parse("2024-13", PeriodType.Month));
        Assert.Null(PeriodOrdinal.Parse("soon", PeriodType.Month));
    }

    /// <summary>The definition, in decimals throughout (what the check computed before it sorted doubles).</summary>
    private static (double? Z, decimal Median) Reference(decimal value, decimal[] prior)
    {
        static decimal Median(decimal[] values)
        {
            var sorted = values.Order().ToArray();
            var n = sorted.Length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }
        var median = Median(prior);
        var deviations = prior.Select(p => Math.Abs(p - median)).ToArray();
        var mad = Median(deviations);
        var meanAd = deviations.Sum() / deviations.Length;
        var diff = (double)(value - median);
        if (mad > 0) return (0.6745 * diff / (double)mad, median);
        if (meanAd > 0) return (diff / (1.253314 * (double)meanAd), median);
        return (diff == 0 ? 0 : double.PositiveInfinity * Math.Sign(diff), median);
    }

    [Fact]
    public void The_modified_z_score_matches_its_definition_over_random_windows()
    {
        var random = new Random(19);
        for (var run = 0; run < 20_000; run++)
        {
            var n = random.Next(QualityDefaults.OutlierMinimum, QualityDefaults.OutlierWindow + 1);
            // Small counts with many ties (the usual data), and now and then values with six decimal places.
            var prior = Enumerable.Range(0, n).Select(_ => run % 5 == 0 ? Math.Round((decimal)random.NextDouble() * 1000, 6) : random.Next(0, 12)).ToArray();
            var value = run % 3 == 0 ? prior[random.Next(n)] : random.Next(0, 40);

            var z = Outliers.ModifiedZ(value, prior, prior.Select(p => (double)p).ToArray(), out var median);
            var (expectedZ, expectedMedian) = Reference(value, prior);

            Assert.Equal(expectedMedian, median);
            Assert.NotNull(z);
            if (double.IsInfinity(expectedZ!.Value)) Assert.Equal(expectedZ, z);
            else Assert.Equal(expectedZ.Value, z!.Value, 9);
        }
    }

    [Fact]
    public void The_median_is_exact_when_different_values_share_a_double()
    {
        // 19 significant digits: the three middle values differ, their doubles do not; neither the first nor the last of them
        // in the window is the median.
        var a = 1234567890123.123456m;
        var b = 1234567890123.123457m;
        var c = 1234567890123.123458m;
        Assert.Equal((double)a, (double)b);
        Assert.Equal((double)b, (double)c);
        decimal[] prior = [9_999_999_999_999m, a, 1m, b, 2m, c, 3m, 9_999_999_999_999m, 9_999_999_999_999m];

        Outliers.ModifiedZ(5m, prior, prior.Select(p => (double)p).ToArray(), out var median);

        Assert.Equal(b, median);
    }

    private static HistoryCache.Series Series(int from, params (int Period, decimal Value)[] values) =>
        new(from, values.Select(v => v.Period).ToArray(), values.Select(v => v.Value).ToArray());

    private static (int, decimal)[] Contents(HistoryCache.Series s) => s.Periods.Zip(s.Values).ToArray();

    [Fact]
    public void A_series_takes_a_pushs_writes_in_order_and_ignores_what_lies_before_it()
    {
        var stored = Series(10, (10, 1m), (12, 3m), (15, 6m));

        var next = stored.With([(5, 9m), (11, 2m), (12, null), (15, 7m), (20, 8m)]);

        Assert.Equal([(10, 1m), (11, 2m), (15, 7m), (20, 8m)], Contents(next));
        Assert.Equal(10, next.From);
        Assert.Equal(next.Values.Select(v => (double)v), next.Numbers);
        Assert.Equal([(10, 1m), (12, 3m), (15, 6m)], Contents(stored)); // never changed once made
    }

    [Fact]
    public void A_series_read_later_keeps_what_an_older_one_held_before_it_and_is_cut_to_its_latest_values()
    {
        var older = Series(0, [.. Enumerable.Range(0, 40).Select(p => (p, (decimal)p))]);
        var read = Series(30, [.. Enumerable.Range(30, 30).Select(p => (p, (decimal)p * 10))]);

        var merged = read.With([], older);

        Assert.Equal(HistoryCache.KeepValues, merged.Count);
        Assert.Equal(60 - HistoryCache.KeepValues, merged.From);
        Assert.Equal(merged.From, merged.Periods[0]);
        Assert.All(merged.Periods.Zip(merged.Values), pv => Assert.Equal(pv.First < 30 ? pv.First : pv.First * 10m, pv.Second));
        Assert.Equal(Enumerable.Range(60 - HistoryCache.KeepValues, HistoryCache.KeepValues), merged.Periods);
    }

    [Fact]
    public void The_cache_drops_series_of_the_partnerships_used_least_lately_once_it_holds_too_many_values()
    {
        var cache = new HistoryCache();
        var values = Enumerable.Range(0, HistoryCache.KeepValues).Select(p => (p, 1m)).ToArray();
        var perPartnership = 1_000;
        var partnerships = (int)(HistoryCache.MaxValues / (perPartnership * (HistoryCache.KeepValues + 1))) + 2;
        var states = new List<HistoryCache.State>();
        for (var p = 0; p < partnerships; p++)
        {
            var state = cache.StateOf(Guid.NewGuid());
            lock (state)
            {
                for (var i = 0; i < perPartnership; i++) cache.Set(state, new HistoryCache.Key(Guid.NewGuid(), "E05000001"), Series(0, values));
                state.Seq = 1;
            }
            states.Add(state);
            Thread.Sleep(20); // a later use
            cache.Trim();
        }

        // The oldest gave up all its series, the next only what was still over the bound; the rest keep theirs, all still valid.
        Assert.InRange(cache.Held, HistoryCache.MaxValues - HistoryCache.KeepValues, HistoryCache.MaxValues);
        Assert.Empty(states[0].Series);
        Assert.InRange(states[1].Series.Count, 1, perPartnership - 1);
        Assert.All(states.Skip(2), s => Assert.Equal(perPartnership, s.Series.Count));
        Assert.All(states, s => Assert.Equal(1, s.Seq));
        Assert.Equal(states.Sum(s => s.Values), cache.Held);
    }

    /// <summary>One push's use of the cache: <paramref name="count"/> series of 24 values read (none cached before), published with
    /// nothing written.</summary>
    private static void Publish(HistoryCache cache, HistoryCache.State state, int count, HistoryCache.Key? first = null)
    {
        var values = Enumerable.Range(0, 24).Select(p => (p, 1m)).ToArray();
        var read = Enumerable.Range(0, count).ToDictionary(
            i => i == 0 && first is { } key ? key : new HistoryCache.Key(Guid.NewGuid(), "E05000001"), _ => Series(0, values));
        new HistoryLease(cache, state, seqRead: 1, expectedSeq: state.Seq, epoch: state.Epoch, read, []).Publish(committed: false);
    }

    [Fact]
    public void A_partnership_larger_than_the_cache_gives_up_its_oldest_series_for_its_newest()
    {
        var cache = new HistoryCache();
        var state = cache.StateOf(Guid.NewGuid());
        var first = new HistoryCache.Key(Guid.NewGuid(), "E05000001");
        var last = new HistoryCache.Key(Guid.NewGuid(), "E05000001");
        const long perPush = 1_000 * 25; // 1,000 series of 24 values, each counted with one more
        var pushes = (int)(HistoryCache.MaxValues / perPush) + 3;

        for (var push = 0; push < pushes; push++) Publish(cache, state, 1_000, push == 0 ? first : push == pushes - 1 ? last : null);

        // Not dropped whole (which would leave it to read every series again on its next push): full, still valid at its seq,
        // with the latest push's series in place of the first pushes' (keeping the first and caching no more, a partnership whose
        // series move on read every new one on every push).
        Assert.Equal(1, state.Seq);
        Assert.False(state.Series.ContainsKey(first));
        Assert.True(state.Series.ContainsKey(last));
        Assert.Equal(HistoryCache.MaxValues, cache.Held);
        Assert.Equal(state.Values, cache.Held);
        Assert.Equal(HistoryCache.MaxValues / 25, state.Series.Count);
    }

    [Fact]
    public void A_partnership_s_new_series_take_the_room_of_the_partnership_used_least_lately()
    {
        var cache = new HistoryCache();
        var (olderId, newerId) = (Guid.NewGuid(), Guid.NewGuid());
        var older = cache.StateOf(olderId);
        for (var push = 0; push < HistoryCache.MaxValues / 25_000; push++) Publish(cache, older, 1_000);
        Assert.Equal(HistoryCache.MaxValues, cache.Held);
        Thread.Sleep(20); // a later use

        var newer = cache.StateOf(newerId);
        Publish(cache, newer, 1_000);

        // The older gave up as many series as the newer's took (1,000 of 25 values each), and keeps the rest, valid at its seq.
        Assert.Equal(HistoryCache.MaxValues / 25 - 1_000, older.Series.Count);
        Assert.Equal(1, older.Seq);
        Assert.Equal(1_000, newer.Series.Count);
        Assert.Equal(HistoryCache.MaxValues, cache.Held);
    }

    [Fact]
    public void Two_partnerships_that_fill_the_cache_between_them_and_push_in_turn_each_give_up_only_the_room_the_other_takes()
    {
        // A holds 300,000 values (12,000 series of 24 values, each counted with one more), B 200,000: the cache is full.
        var cache = new HistoryCache();
        var a = cache.StateOf(Guid.NewGuid());
        var b = cache.StateOf(Guid.NewGuid());
        for (var push = 0; push < 12; push++) Publish(cache, a, 1_000);
        for (var push = 0; push < 8; push++) Publish(cache, b, 1_000);
        Assert.Equal(HistoryCache.MaxValues, cache.Held);

        // Then they push in turn, each reading 1,000 series it has not cached. Each push takes the room of 1,000 of the other's
        // series, those it cached longest ago, so the other's latest push's series stay; before, it dropped the other whole, so
        // every push of each found none of its series cached.
        for (var round = 0; round < 4; round++)
        {
            var (latestOfA, latestOfB) = (new HistoryCache.Key(Guid.NewGuid(), "E05000001"), new HistoryCache.Key(Guid.NewGuid(), "E05000001"));
            Publish(cache, a, 1_000, latestOfA);
            Assert.InRange(b.Series.Count, 7_000 - round * 1_000, 8_000);
            Publish(cache, b, 1_000, latestOfB);
            Assert.InRange(a.Series.Count, 12_000 - (round + 1) * 1_000, 13_000);
            Assert.True(a.Series.ContainsKey(latestOfA), "A gave up the series its latest push read");
            Publish(cache, a, 1_000);
            Assert.True(b.Series.ContainsKey(latestOfB), "B gave up the series its latest push read");
            Publish(cache, b, 1_000);
        }
        Assert.Equal(20_000, a.Series.Count + b.Series.Count);
        Assert.Equal((1, 1), (a.Seq, b.Seq));
        Assert.Equal(HistoryCache.MaxValues, cache.Held);
        Assert.Equal(a.Values + b.Values, cache.Held);
        Assert.Equal((a.Series.Count, b.Series.Count), (a.Order.Count, b.Order.Count));
    }
}

/// <summary>The history read a push makes for series it has not cached goes through the index on (indicator, area, period), so it
/// is as big as the batch's series: SQLite's planner, left to itself, took the primary key and scanned every area of the
/// indicator for each series (a 12,000-row job took a minute).</summary>
[Collection(Infrastructure.ApiCollection.Name)]
public sealed class QualityHistoryPlanTests(Infrastructure.CspApiFactory factory)
{
    [Fact]
    public async Task The_history_read_seeks_each_series_by_area()
    {
        var quality = factory.Services.GetRequiredService<PushQuality>();
        var sql = (string)typeof(PushQuality).GetField("valuesSql", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(quality)!;

        var plan = await factory.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + sql,
            new { PartnershipId = Guid.NewGuid(), keys = "[]" });

        var observations = Assert.Single(plan, p => p.Detail.Contains(" o ", StringComparison.Ordinal) || p.Detail.EndsWith(" o", StringComparison.Ordinal)).Detail;
        Assert.Contains("ix_observations_area_period (partnership_id=? AND indicator_id=? AND area=? AND period>?)", observations);
    }
}

/// <summary>A new value's outlier outcome, worked out when it was pushed alone in its series, is kept with the cached series once it
/// is written (its window is the one it was judged against), so re-sending it does not judge it again; a value pushed with other
/// months of its series is judged against a window the push changes, and nothing is kept for it.</summary>
[Collection(Infrastructure.ApiCollection.Name)]
public sealed class OutlierMemoTests(Infrastructure.CspApiFactory factory)
{
    [Fact]
    public async Task A_value_written_alone_in_its_series_keeps_its_outlier_outcome_in_the_cache()
    {
        var t = await TestTenant.CreateAsync(factory, "qmemo");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var indicator = await PushWarningTests.IndicatorAsync(t, met, "ROB-PERSONAL", new { });
        decimal[] history = [182, 190, 178, 201, 187, 193];
        await t.Admin.PushOkAsync(t, history.Select((v, i) => IndicatorTestData.Row("ROB-PERSONAL", $"2023-{i + 1:D2}", v)));

        var pushed = await t.Admin.PushOkAsync(t, [IndicatorTestData.Row("ROB-PERSONAL", "2023-07", 1870)]);
        var together = await t.Admin.PushOkAsync(t, [IndicatorTestData.Row("ROB-PERSONAL", "2023-08", 180),
            IndicatorTestData.Row("ROB-PERSONAL", "2023-09", 185)]);

        var state = factory.Services.GetRequiredService<HistoryCache>().StateOf(t.Id);
        HistoryCache.OutlierOutcome? Kept(string period)
        {
            lock (state)
            {
                var series = state.Series[new HistoryCache.Key(indicator, "E09000028")];
                return series.OutlierAt(Array.BinarySearch(series.Periods, PeriodOrdinal.Parse(period, PeriodType.Month)!.Value));
            }
        }
        var kept = Kept("2023-07");
        Assert.NotNull(kept);
        Assert.Equal((6, 188.5m), (kept.Count, kept.Median)); // the median of 178, 182, 187, 190, 193, 201
        Assert.Contains("outlier", pushed["warnings"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Null(Kept("2023-09"));
        Assert.Equal(2, together.Int("created"));
    }
}
