using System.Net;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Observations;
using Csp.Api.Quality;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Data;

/// <summary>
/// SQLite: a push of more than <see cref="ObservationOptions.DefaultWriteChunkRows"/> rows that is not atomic commits chunk by chunk, each in a
/// write turn of its own, so another partnership's write goes in between; its answer is the one a single unit gives; a chunk finds
/// what was written meanwhile; an atomic push stays one unit. On a database of its own, so that no other test's writer waits for
/// the turn.
/// </summary>
public sealed class PushChunkTests(CspApiFactory factory) : IClassFixture<CspApiFactory>
{
    private static object Ward(int i, decimal value, string indicator = "ROB-PERSONAL", string? status = null) =>
        Row(indicator, "2024-06", value, $"E05{i:D6}", status);

    private async Task<(TestTenant T, Guid Indicator)> SetupAsync(string slug)
    {
        var t = await TestTenant.CreateAsync(factory, slug, areaCheck: "off");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        return (t, (await t.CreateIndicatorAsync(met)).Id());
    }

    private Task<long> EventsAsync(TestTenant t, Guid indicator) => factory.ScalarAsync<long>(
        "SELECT COUNT(*) FROM audit_events WHERE partnership_id = @p AND entity_type = 'observation' AND entity_id = @i",
        new { p = t.Id.ToString(), i = indicator.ToString() });

    private static async Task WaitForWritersAsync(Db db, int count)
    {
        for (var waited = 0; db.WritersWaiting < count; waited += 5)
        {
            Assert.True(waited < 30_000, $"{count} writers never waited for the turn");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task A_large_push_commits_in_chunks_and_answers_as_one_unit_would()
    {
        var (t, indicator) = await SetupAsync("chunks");
        await t.Admin.PushOkAsync(t, [.. Enumerable.Range(0, 100).Select(i => Ward(i, i)), Ward(4_100, 9, status: "final")]);
        var eventsBefore = await EventsAsync(t, indicator);

        // 5,000 rows, three chunks: 50 unchanged and 50 restated in the first; an unknown indicator in the second; in the third
        // a provisional value over a final one and a key the first chunk already sent.
        var rows = Enumerable.Range(0, 5_000).Select(i => i switch
        {
            < 100 => Ward(i, i % 2 == 0 ? i : i + 1_000),
            2_500 => Ward(i, 1, indicator: "NOPE"),
            4_100 => Ward(i, 10),
            4_500 => Ward(10, 3),
            _ => Ward(i, i % 400),
        }).ToList();
        var result = await t.Admin.PushOkAsync(t, rows);

        Assert.Equal(("partial", 4_897, 50, 50, 3), (result.Str("status"), result.Int("created"), result.Int("updated"), result.Int("unchanged"),
            result.Int("rejected")));
        Assert.Equal([(2_500, "unknown_indicator"), (4_100, "final_value_locked"), (4_500, "duplicate_in_batch")],
            result["conflicts"].Arr().Select(c => (c!["index"]!.GetValue<int>(), c["code"]!.GetValue<string>())));
        var stored = (await t.StoredAsync(indicator)).ToDictionary(o => o.Area);
        Assert.Equal(4_998, stored.Count);
        Assert.Equal(("1001", "10", "9", "final"), (stored["E05000001"].Value, stored["E05000010"].Value, stored["E05004100"].Value,
            stored["E05004100"].Status));
        Assert.Equal(50L, await t.CountAsync("observation_revisions"));
        // One event per indicator per unit: three units.
        Assert.Equal(3L, await EventsAsync(t, indicator) - eventsBefore);
    }

    [Fact]
    public async Task An_atomic_large_push_is_one_unit()
    {
        var (t, indicator) = await SetupAsync("chunkatomic");

        var result = await t.Admin.PushOkAsync(t, Enumerable.Range(0, 5_000).Select(i => Ward(i, i % 400)), "?atomic=true");

        Assert.Equal(5_000, result.Int("created"));
        Assert.Equal(1L, await EventsAsync(t, indicator));
    }

    [Fact]
    public async Task Another_partnership_s_write_goes_in_between_the_chunks_of_a_large_push()
    {
        var (a, indicatorA) = await SetupAsync("chunkfair-a");
        var (b, _) = await SetupAsync("chunkfair-b");
        var db = factory.Services.GetRequiredService<Db>();

        Task<HttpResponseMessage> big, small;
        // B holds the write turn while A's 10,000-row push and B's one-row push queue for it; B has used the turn longer, so A's
        // first chunk goes next, and B's write is the one waiting when that chunk ends.
        await using (await db.BeginWriteAsync(new Tenant(b.Id, b.Slug, "E09000028", false, Caller.Platform), CancellationToken.None))
        {
            big = a.Admin.PushAsync(a, Enumerable.Range(0, 10_000).Select(i => Ward(i, i % 400)));
            await WaitForWritersAsync(db, 1);
            small = b.Admin.PushAsync(b, [Ward(1, 5)]);
            await WaitForWritersAsync(db, 2);
            await Task.Delay(200);
        }

        Assert.Equal(10_000, (await TestTenant.Expect(await big, HttpStatusCode.OK)).Int("created"));
        Assert.Equal(1, (await TestTenant.Expect(await small, HttpStatusCode.OK)).Int("created"));
        const string Seqs = "SELECT {0}(seq) FROM audit_events WHERE partnership_id = @p AND entity_type = 'observation'";
        var (firstOfA, lastOfA) = (await factory.ScalarAsync<long>(string.Format(Seqs, "MIN"), new { p = a.Id.ToString() }),
            await factory.ScalarAsync<long>(string.Format(Seqs, "MAX"), new { p = a.Id.ToString() }));
        var ofB = await factory.ScalarAsync<long>(string.Format(Seqs, "MAX"), new { p = b.Id.ToString() });
        Assert.True(firstOfA < ofB && ofB < lastOfA, $"B's write (seq {ofB}) did not commit between A's chunks ({firstOfA}-{lastOfA})");
        Assert.Equal(5L, await EventsAsync(a, indicatorA));
    }

    [Fact]
    public async Task A_chunk_checks_its_rows_again_when_the_partnership_was_written_between_chunks()
    {
        var (t, indicator) = await SetupAsync("chunkstale");
        var db = factory.Services.GetRequiredService<Db>();
        var tenant = new Tenant(t.Id, t.Slug, "E09000028", false, Caller.Platform);

        Task<HttpResponseMessage> push;
        Task edit;
        // The push's first chunk and then a write of the same partnership queue behind the held turn; that write stores a value
        // for a key of the push's second chunk, after the push read its stored rows.
        await using (await db.BeginPlatformWriteAsync(CancellationToken.None))
        {
            push = t.Admin.PushAsync(t, Enumerable.Range(0, 5_000).Select(i => Ward(i, i % 400)));
            await WaitForWritersAsync(db, 1);
            var between = db.BeginWriteAsync(tenant, CancellationToken.None);
            await WaitForWritersAsync(db, 2);
            edit = between.ContinueWith(async started =>
            {
                await using var w = await started;
                await BehindTheApi.StoreJune2024Async(w, t.Id, indicator, "E05003000", 5m);
                await w.CommitAsync();
            }, TaskScheduler.Default).Unwrap();
        }

        // The second chunk found that value: an update with its revision, not an insert (which would have failed on the key).
        var result = await TestTenant.Expect(await push, HttpStatusCode.OK);
        await edit;
        Assert.Equal((4_999, 1), (result.Int("created"), result.Int("updated")));
        Assert.Equal(5_000, (await t.StoredAsync(indicator)).Count);
        Assert.Equal(1L, await t.CountAsync("observation_revisions"));
    }

    [Fact]
    public async Task The_data_quality_history_cache_holds_what_every_chunk_wrote()
    {
        var (t, indicator) = await SetupAsync("chunkcache");
        // One ward's 24 months spread over the three chunks of a 5,000-row push (every 200th row), among other wards' June values.
        var months = Enumerable.Range(0, 24).Select(m => new DateOnly(2022, 7, 1).AddMonths(m).ToString("yyyy-MM")).ToList();
        var rows = Enumerable.Range(0, 5_000)
            .Select(i => i % 200 == 0 && i / 200 < 24 ? Row("ROB-PERSONAL", months[i / 200], 100 + i / 200, "E05900000") : Ward(i, i % 400));

        await t.Admin.PushOkAsync(t, rows);

        var cache = factory.Services.GetRequiredService<HistoryCache>();
        var state = cache.StateOf(t.Id);
        lock (state)
        {
            var series = state.Series[new HistoryCache.Key(indicator, "E05900000")];
            Assert.Equal(Enumerable.Range(100, 24).Select(v => (decimal)v), series.Values);
        }
        Assert.Equal(await factory.ScalarAsync<long>("SELECT MAX(seq) FROM audit_events WHERE partnership_id = @p", new { p = t.Id.ToString() }),
            state.Seq);
    }

    [Fact]
    public async Task A_push_that_would_write_nothing_is_answered_without_waiting_for_the_write_turn()
    {
        var (t, _) = await SetupAsync("noturn");
        var rows = Enumerable.Range(0, 50).Select(i => Ward(i, i)).ToList();
        await t.Admin.PushOkAsync(t, rows);
        var db = factory.Services.GetRequiredService<Db>();

        // The write turn is held throughout: the same rows sent again, and a batch whose every row is rejected, are answered.
        await using (await db.BeginPlatformWriteAsync(CancellationToken.None))
        {
            var again = t.Admin.PushAsync(t, rows);
            var rejected = t.Admin.PushAsync(t, [Ward(1, 5, indicator: "NOPE")]);
            var both = Task.WhenAll(again, rejected);
            Assert.Same(both, await Task.WhenAny(both, Task.Delay(TimeSpan.FromSeconds(20))));
            Assert.Equal(("ok", 50), await StatusAsync(await again, "unchanged"));
            Assert.Equal(("rejected", 1), await StatusAsync(await rejected, "rejected"));
            Assert.Equal(0, db.WritersWaiting);
        }
    }

    private static async Task<(string, int)> StatusAsync(HttpResponseMessage response, string count)
    {
        var result = await TestTenant.Expect(response, HttpStatusCode.OK);
        return (result.Str("status"), result.Int(count));
    }
}
