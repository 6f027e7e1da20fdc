using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

/// <summary>
/// Issue 18, point 3: 1,000-row batches over HTTP, all new, all restated (every value changed: an update and a revision each),
/// all resent unchanged; then a rolling 24-month restatement of 28 indicators × 24 areas (16,128 rows, 10% changed) as one
/// async job, timed from the POST to the job's success. Prints rows/s and the load average.
/// </summary>
internal static class Restatement
{
    private const string Slug = "bench";

    /// <param name="order">How a batch's 1,000 rows spread. "download" (the default): in the order the CSV download writes them
    /// (indicator, period, area), as a feed sends a borough's rolling 24 months (28 indicators × 24 wards, 16,128 rows) sliced
    /// into 1,000-row batches: ~42 (indicator, month) pairs of 24 wards each. "scattered": each batch spans all 24 months of all
    /// 28 indicators for ~1.5 wards (the worst case for the table's key order: a b-tree leaf per (indicator, month)).</param>
    /// <param name="unchangedRounds">How many times the unchanged phase is sent (its 400 batches take ~1.5 s, so one round moves
    /// from run to run): each round's rate, and their median, are printed.</param>
    /// <param name="secondPartnership">Also: a second partnership of the same size (together over the quality checks' history
    /// cache), resending all its rows unchanged while the first sends 100 batches of new rows.</param>
    public static async Task RunAsync(string dll, int batches, int concurrency, string order, int unchangedRounds = 1, bool secondPartnership = false)
    {
        await using var host = await BenchHost.StartAsync(dll);
        var key = await host.PartnershipAsync(Slug, 28);
        Console.Error.WriteLine($"partnership ready; load {BenchHost.Load()}");

        // Row n of batch b: a distinct (indicator, month, ward); "offset" changes every value. In download order, borough
        // n / 16,128 has wards 24 b .. 24 b + 23.
        const int borough = 28 * 24 * 24;
        var scattered = order == "scattered";
        object Row(int n, decimal offset)
        {
            var (indicator, month, ward) = scattered
                ? (n % 28, n / 28 % 24, n / (28 * 24))
                : (n % borough / (24 * 24), n % borough / 24 % 24, n / borough * 24 + n % 24);
            return new
            {
                indicator = $"IND-{indicator}", period = BenchHost.Period(month), area = $"E05{ward:D6}", value = n % 997 + 0.5m + offset,
            };
        }
        static byte[] Body(IEnumerable<object> rows) => JsonSerializer.SerializeToUtf8Bytes(new { observations = rows.ToArray() });
        List<byte[]> Batches(int first, decimal offset) =>
            Enumerable.Range(0, batches).Select(b => Body(Enumerable.Range(first + b * 1000, 1000).Select(n => Row(n, offset)))).ToList();

        // Warm-up on keys the measured batches never use: new, restated, unchanged, for up to 20 s.
        var warm = Stopwatch.StartNew();
        for (var round = 0; round < 6 && warm.Elapsed < TimeSpan.FromSeconds(20); round++)
            foreach (var body in Enumerable.Range(0, 10).Select(b => Body(Enumerable.Range(5_000_000 + b * 1000, 1000).Select(n => Row(n, round % 2 == 0 ? 0 : 1)))))
                await Expect(host.PushAsync(Slug, key, body));
        Console.Error.WriteLine("warm-up done");

        var results = new List<string>();
        var unchanged = Batches(0, 1);
        foreach (var (shape, bodies, rounds) in new[] { ("new", Batches(0, 0), 1), ("restated", unchanged, 1), ("unchanged", unchanged, unchangedRounds) })
        {
            var load = BenchHost.Load();
            var rates = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var sw = Stopwatch.StartNew();
                await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (body, _) => await Expect(host.PushAsync(Slug, key, body)));
                rates.Add(batches * 1000 / sw.Elapsed.TotalSeconds);
            }
            var median = rates.Order().ElementAt(rates.Count / 2);
            var each = rounds > 1 ? $" median of {rounds} rounds [{string.Join(", ", rates.Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}]" : "";
            results.Add($"  {shape,-10} {batches} x 1,000 rows, {concurrency} concurrent: {median,10:N0} rows/s{each}   (load {load})");
        }

        if (secondPartnership)
            results.Add(await SideBySideAsync(host, key, Enumerable.Range(0, 100).Select(b => Body(Enumerable.Range(2_000_000 + b * 1000, 1000).Select(n => Row(n, 0)))).ToList(),
                Batches(0, 0)));

        // The rolling restatement: 24 months x 28 indicators x 24 areas, loaded once, then resent with 10% of values changed.
        object Rolling(int n, bool changed)
        {
            var (indicator, month, ward) = scattered ? (n % 28, n / 28 % 24, n / (28 * 24)) : (n / (24 * 24), n / 24 % 24, n % 24);
            return new
            {
                indicator = $"IND-{indicator}", period = BenchHost.Period(month), area = $"E05{900_000 + ward:D6}",
                value = n % 997 + (changed ? 1.25m : 0.5m),
            };
        }
        const int rolling = 24 * 28 * 24;
        foreach (var half in Enumerable.Range(0, rolling).Chunk(rolling / 2))
            await Expect(host.PushAsync(Slug, key, Body(half.Select(n => Rolling(n, false)))));
        var jobLoad = BenchHost.Load();
        var restatement = Body(Enumerable.Range(0, rolling).Select(n => Rolling(n, n % 10 == 0)));
        var job = Stopwatch.StartNew();
        var (status, text, location) = await host.PushAsync(Slug, key, restatement, preferAsync: true);
        if (status != HttpStatusCode.Accepted) throw new InvalidOperationException($"job: {(int)status} {text}");
        var accepted = job.Elapsed;
        JsonNode state;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, location);
            request.Headers.Add("X-Api-Key", key);
            state = JsonNode.Parse(await (await host.Http.SendAsync(request)).Content.ReadAsStringAsync())!;
            if (state["state"]!.GetValue<string>() is "succeeded" or "failed") break;
            await Task.Delay(5);
        } while (job.Elapsed < TimeSpan.FromSeconds(60));
        job.Stop();

        Console.WriteLine();
        Console.WriteLine($"Restatement benchmark — SQLite file, API on 127.0.0.1, {Environment.ProcessorCount} cores, batches in {order} order");
        foreach (var line in results) Console.WriteLine(line);
        Console.WriteLine($"  rolling restatement job, {rolling:N0} rows (10% changed): {job.Elapsed.TotalMilliseconds:N0} ms from POST to " +
                          $"'{state["state"]}' (202 after {accepted.TotalMilliseconds:N0} ms; result {state["result"]?.ToJsonString()})   (load {jobLoad})");
        Console.WriteLine("  Targets: new >= 200,000 rows/s; restated >= 60,000 rows/s; unchanged >= 250,000 rows/s; job < 1,000 ms");
    }

    /// <summary>A second partnership, "bench2", sent the same new batches as the first (so that the two hold more values than the
    /// quality checks' history cache), then, side by side, the second resending all of them unchanged while the first sends
    /// <paramref name="fresh"/> (new keys, so each of its pushes reads series not cached and needs room in the cache), each from
    /// one connection. The second's rate, and the first's.</summary>
    private static async Task<string> SideBySideAsync(BenchHost host, string key, List<byte[]> fresh, List<byte[]> newBatches)
    {
        const string second = "bench2";
        var key2 = await host.PartnershipAsync(second, 28);
        await Parallel.ForEachAsync(newBatches, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (body, _) => await Expect(host.PushAsync(second, key2, body)));
        var load = BenchHost.Load();
        var sw = Stopwatch.StartNew();
        var first = Task.Run(async () =>
        {
            foreach (var body in fresh) await Expect(host.PushAsync(Slug, key, body));
            return sw.Elapsed;
        });
        foreach (var body in newBatches) await Expect(host.PushAsync(second, key2, body));
        var resent = sw.Elapsed;
        var firstTook = await first;
        return $"  unchanged, a second partnership of {newBatches.Count:N0},000 rows resending them all while the first sends {fresh.Count} new batches: " +
               $"{newBatches.Count * 1000 / resent.TotalSeconds,10:N0} rows/s (the first's new rows: {fresh.Count * 1000 / firstTook.TotalSeconds:N0} rows/s)   (load {load})";
    }

    private static async Task Expect(Task<(HttpStatusCode Status, string Text, Uri? Location)> push)
    {
        var (status, text, _) = await push;
        if (status != HttpStatusCode.OK || !text.Contains("\"status\":\"ok\"", StringComparison.Ordinal))
            throw new InvalidOperationException($"Push failed: {(int)status} {text[..Math.Min(400, text.Length)]}");
    }
}
