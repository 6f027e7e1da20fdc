using System.Diagnostics;
using System.Net;
using System.Text.Json;

/// <summary>
/// Issue 18, point 4: while partnership A pushes 10,000-row batches from four connections, partnership B makes single-row
/// writes one after another; prints B's latencies alone and under A's load. Bounded: A stops after <c>seconds</c> or 400
/// batches.
/// </summary>
internal static class Fairness
{
    /// <param name="atomicJob">Instead of A's batches: one atomic job of this many rows (<c>?atomic=true</c>), B writing until it has
    /// finished (at most 120 s).</param>
    /// <param name="badLastRow">The atomic job's last row has an impossible period, so the job is rejected whole.</param>
    public static async Task RunAsync(string dll, int seconds, int? atomicJob = null, bool badLastRow = false)
    {
        await using var host = await BenchHost.StartAsync(dll);
        var keyA = await host.PartnershipAsync("tenant-a", 10);
        var keyB = await host.PartnershipAsync("tenant-b", 1);
        static byte[] Body(IEnumerable<object> rows) => JsonSerializer.SerializeToUtf8Bytes(new { observations = rows.ToArray() });
        static object RowA(int n) => new { indicator = $"IND-{n % 10}", period = BenchHost.Period(n / 10 % 24), area = $"E05{n / 240:D6}", value = n % 997 };
        var value = 0;
        byte[] NextB() => Body([new { indicator = "IND-0", period = "2024-06", area = "E09000028", value = ++value }]);

        async Task<List<double>> WritesOfB(TimeSpan length)
        {
            var latencies = new List<double>();
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < length)
            {
                var one = Stopwatch.StartNew();
                var (status, text, _) = await host.PushAsync("tenant-b", keyB, NextB());
                if (status != HttpStatusCode.OK) throw new InvalidOperationException($"B: {(int)status} {text}");
                latencies.Add(one.Elapsed.TotalMilliseconds);
                await Task.Delay(20);
            }
            latencies.Sort();
            return latencies;
        }

        // Warm-up: both partnerships' paths, 10 s at most.
        var warm = Stopwatch.StartNew();
        for (var b = 0; b < 20 && warm.Elapsed < TimeSpan.FromSeconds(10); b++)
        {
            await host.PushAsync("tenant-a", keyA, Body(Enumerable.Range(9_000_000 + b * 10_000, 10_000).Select(RowA)));
            await host.PushAsync("tenant-b", keyB, NextB());
        }
        var alone = await WritesOfB(TimeSpan.FromSeconds(3));
        var loadBefore = BenchHost.Load();
        if (atomicJob is { } jobRows)
        {
            var rows = Enumerable.Range(0, jobRows)
                .Select(n => badLastRow && n == jobRows - 1 ? new { indicator = "IND-0", period = "2024-13", area = "E05000000", value = 1 } : RowA(n));
            await AtomicJobAsync(host, keyA, keyB, Body(rows), jobRows, alone, loadBefore, NextB);
            return;
        }

        var batch = -1;
        var pushed = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var clock = Stopwatch.StartNew();
        var pushers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var b = Interlocked.Increment(ref batch);
                if (b >= 400) return;
                var (status, text, _) = await host.PushAsync("tenant-a", keyA, Body(Enumerable.Range(b * 10_000, 10_000).Select(RowA)));
                if (status != HttpStatusCode.OK) throw new InvalidOperationException($"A: {(int)status} {text[..Math.Min(300, text.Length)]}");
                Interlocked.Add(ref pushed, 10_000);
            }
        })).ToList();
        await Task.Delay(1000);
        var loaded = await WritesOfB(TimeSpan.FromSeconds(Math.Max(2, seconds - 2)));
        var loadDuring = BenchHost.Load();
        await Task.WhenAll(pushers);
        var rateA = pushed / clock.Elapsed.TotalSeconds;

        Console.WriteLine();
        Console.WriteLine($"Fairness — SQLite file, API on 127.0.0.1, {Environment.ProcessorCount} cores");
        Console.WriteLine($"  B alone (load {loadBefore}):                 {Line(alone)}");
        Console.WriteLine($"  B while A pushes (load {loadDuring}):       {Line(loaded)}");
        Console.WriteLine($"  A: 4 connections, 10,000-row batches: {pushed:N0} rows in {clock.Elapsed.TotalSeconds:N1} s = {rateA:N0} rows/s");
        Console.WriteLine($"  Target: B's p95 < 100 ms while A pushes: {(BenchHost.Percentile(loaded, 95) < 100 ? "met" : "NOT met")}");
    }

    private static string Line(List<double> l) =>
        $"{l.Count} writes: p50 {BenchHost.Percentile(l, 50):N1} ms, p95 {BenchHost.Percentile(l, 95):N1} ms, p99 {BenchHost.Percentile(l, 99):N1} ms, max {l[^1]:N1} ms";

    /// <summary>A's one atomic job, B's single-row writes (each timed, failures counted) from the job's 202 until it has finished.</summary>
    private static async Task AtomicJobAsync(BenchHost host, string keyA, string keyB, byte[] body, int rows, List<double> alone, string loadBefore,
        Func<byte[]> nextB)
    {
        var clock = Stopwatch.StartNew();
        var (status, text, location) = await host.PushAsync("tenant-a", keyA, body, preferAsync: true, query: "?atomic=true");
        if (status != HttpStatusCode.Accepted) throw new InvalidOperationException($"A's job: {(int)status} {text}");
        var accepted = clock.Elapsed;
        var (latencies, failed) = (new List<double>(), new List<string>());
        string state;
        System.Text.Json.Nodes.JsonNode job;
        do
        {
            var one = Stopwatch.StartNew();
            var (b, bText, _) = await host.PushAsync("tenant-b", keyB, nextB());
            latencies.Add(one.Elapsed.TotalMilliseconds);
            if (b != HttpStatusCode.OK) failed.Add($"{(int)b} {bText[..Math.Min(200, bText.Length)]}");
            using var request = new HttpRequestMessage(HttpMethod.Get, location);
            request.Headers.Add("X-Api-Key", keyA);
            job = System.Text.Json.Nodes.JsonNode.Parse(await (await host.Http.SendAsync(request)).Content.ReadAsStringAsync())!;
            state = job["state"]!.GetValue<string>();
            await Task.Delay(20);
        } while (state is not ("succeeded" or "failed") && clock.Elapsed < TimeSpan.FromSeconds(120));
        latencies.Sort();
        Console.WriteLine();
        Console.WriteLine($"Fairness, one atomic job — SQLite file, API on 127.0.0.1, {Environment.ProcessorCount} cores");
        Console.WriteLine($"  B alone (load {loadBefore}):                 {Line(alone)}");
        Console.WriteLine($"  B while A's job runs (load {BenchHost.Load()}):  {Line(latencies)}; {failed.Count} failed{(failed.Count > 0 ? ": " + failed[0] : "")}");
        Console.WriteLine($"  A: one atomic job of {rows:N0} rows: 202 after {accepted.TotalMilliseconds:N0} ms, '{state}' ({job["result"]?["status"]}) after {clock.Elapsed.TotalSeconds:N1} s");
        Console.WriteLine($"  Target: B's p95 < 100 ms while A's job runs: {(BenchHost.Percentile(latencies, 95) < 100 ? "met" : "NOT met")}");
    }
}
