using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;

// The batch push benchmark (issue 4, point 8). Starts the API on 127.0.0.1 with a fresh SQLite file,
// pushes 1,000-row batches over HTTP, then inserts the same rows with raw Dapper executemany into a
// fresh table of the same schema in the same file, and prints both rates and their ratio; then times
// 20 pushes of 10,000 rows. Usage: Csp.Api.Benchmarks --api path/to/Csp.Api.dll [--batches 100] [--concurrency 2] [--shape monthly|mixed]

// The scripts of issue 18 (restatement.sh, fairness.sh) run their own measurements on the same kind of host.
string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
if (args.Contains("--restatement"))
{
    var order = Arg("--order") ?? "download";
    if (order is not ("download" or "scattered")) throw new ArgumentException("--order is download or scattered");
    await Restatement.RunAsync(Arg("--api")!, Math.Clamp(int.Parse(Arg("--batches") ?? "400", CultureInfo.InvariantCulture), 1, 500),
        Math.Clamp(int.Parse(Arg("--concurrency") ?? "2", CultureInfo.InvariantCulture), 1, 16),
        order, Math.Clamp(int.Parse(Arg("--unchanged-rounds") ?? "1", CultureInfo.InvariantCulture), 1, 50), args.Contains("--second-partnership"));
    return;
}
if (args.Contains("--big-job"))
{
    await BigJob.RunAsync(Arg("--api")!, Math.Clamp(int.Parse(Arg("--rows") ?? "500000", CultureInfo.InvariantCulture), 1, 1_000_000));
    return;
}
if (args.Contains("--fairness"))
{
    await Fairness.RunAsync(Arg("--api")!, Math.Clamp(int.Parse(Arg("--seconds") ?? "15", CultureInfo.InvariantCulture), 5, 60),
        Arg("--atomic-job") is { } rows ? Math.Clamp(int.Parse(rows, CultureInfo.InvariantCulture), 10_001, 1_000_000) : null,
        args.Contains("--bad-last-row"));
    return;
}

var options = Options.Parse(args);
Data.Shape = options.Shape;
var deadline = Stopwatch.StartNew();
var folder = Path.Combine(Path.GetTempPath(), "csp-bench", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(folder);
var dbPath = Path.Combine(folder, "bench.db");
var port = BenchHost.FreePort();
const string platformKey = "csp_platform_benchmark-operator-key";
var baseUrl = $"http://127.0.0.1:{port}";

var api = BenchHost.StartProcess(options.ApiDll, baseUrl, dbPath, platformKey);
try
{
    using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
    await BenchHost.WaitForLiveAsync(http);
    var pushKey = await SetUpPartnershipAsync(http, platformKey);
    Console.Error.WriteLine("partnership ready");
    http.DefaultRequestHeaders.Add("X-Api-Key", pushKey);

    // Warm-up on keys the measured batches never use: JIT (tiered compilation keeps recompiling hot methods for a few
    // seconds after start — about 20 s of pushes here; measured before it settles, half the service's CPU went to the JIT), connection pool, SQLite cache.
    var warmUp = Stopwatch.StartNew();
    for (var b = 0; b < 400 && warmUp.Elapsed < TimeSpan.FromSeconds(25); b++)
        await PushAsync(http, Body(Rows(1_000_000 + b * 1000, 1000)));

    Console.Error.WriteLine("warm-up done");
    // 1. Sustained rate of 1,000-row batches.
    var bodies = Enumerable.Range(0, options.Batches).Select(b => Body(Rows(b * 1000, 1000))).ToList();
    var sw = Stopwatch.StartNew();
    await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency },
        async (body, _) => await PushAsync(http, body));
    sw.Stop();
    var pushedRows = options.Batches * 1000;
    var httpRate = pushedRows / sw.Elapsed.TotalSeconds;

    Console.Error.WriteLine($"pushed {pushedRows:N0} rows in {sw.Elapsed.TotalSeconds:N2} s");
    // 2. Raw Dapper executemany of the same rows into a fresh table of the same schema, same file.
    var (rawPerBatch, rawOneTx) = RawInsert(dbPath, options.Batches);

    Console.Error.WriteLine("raw insert done");
    // 3. Latency of 10,000-row batches (new rows each time).
    var latencies = new List<double>();
    for (var i = 0; i < 20; i++)
    {
        var body = Body(Rows(2_000_000 + i * 10_000, 10_000));
        var one = Stopwatch.StartNew();
        await PushAsync(http, body);
        latencies.Add(one.Elapsed.TotalMilliseconds);
    }
    latencies.Sort();

    Console.WriteLine();
    Console.WriteLine($"Batch push benchmark — SQLite file, API on {baseUrl}, {Environment.ProcessorCount} cores, rows {options.Shape}");
    Console.WriteLine($"  HTTP push, {options.Batches} x 1,000-row batches, {options.Concurrency} concurrent: {httpRate,10:N0} rows/s ({sw.Elapsed.TotalSeconds:N2} s)");
    Console.WriteLine($"  Raw Dapper executemany, same rows, one transaction per 1,000 rows:   {rawPerBatch,10:N0} rows/s");
    Console.WriteLine($"  Raw Dapper executemany, same rows, one transaction for all:          {rawOneTx,10:N0} rows/s");
    Console.WriteLine($"  Ratio HTTP / raw (per-1,000 transactions): {httpRate / rawPerBatch:P0}   (target >= 40%)");
    Console.WriteLine($"  Ratio HTTP / raw (one transaction):        {httpRate / rawOneTx:P0}");
    Console.WriteLine($"  10,000-row batch, 20 pushes: p50 {Percentile(latencies, 50):N0} ms, p99 {Percentile(latencies, 99):N0} ms, max {latencies[^1]:N0} ms   (target p99 < 1,000 ms)");
    Console.WriteLine($"  Targets: rate >= 50,000 rows/s: {(httpRate >= 50_000 ? "met" : "NOT met")}; ratio >= 40%: {(httpRate / rawPerBatch >= 0.4 ? "met" : "NOT met")}; p99 < 1 s: {(Percentile(latencies, 99) < 1000 ? "met" : "NOT met")}");
    Console.WriteLine($"  Total run time {deadline.Elapsed.TotalSeconds:N0} s");
}
finally
{
    if (!api.HasExited) api.Kill(entireProcessTree: true);
    await api.WaitForExitAsync();
    SqliteConnection.ClearAllPools();
    try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
}

static double Percentile(List<double> sorted, int p) => sorted[Math.Max(0, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];

static async Task<string> SetUpPartnershipAsync(HttpClient http, string platformKey)
{
    async Task<JsonObject> Post(string path, object body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", key);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    await Post("/v1/partnerships", new { slug = "bench", name = "Benchmark", areaCode = "E09000028", publicRead = false, areaCheck = "off" }, platformKey);
    var agency = (await Post("/v1/partnerships/bench/agencies", new { code = "MET", name = "Met Police", kind = "police" }, platformKey))["id"]!.GetValue<Guid>();
    for (var i = 0; i < Data.Indicators; i++)
        await Post("/v1/partnerships/bench/indicators", new
        {
            code = $"IND-{i}", name = $"Indicator {i}", unit = "rate_per_1000", direction = "decrease", frequency = "monthly", sourceAgencyId = agency,
        }, platformKey);
    var client = await Post("/v1/partnerships/bench/clients", new { name = "police feed", agencyId = agency, scopes = new[] { "observations:write" } }, platformKey);
    return client["key"]!.GetValue<string>();
}

static List<Data.Row> Rows(int first, int count) => Enumerable.Range(first, count).Select(Data.RowOf).ToList();

static byte[] Body(List<Data.Row> rows) => JsonSerializer.SerializeToUtf8Bytes(new
{
    observations = rows.Select(r => new { indicator = r.Code, period = r.Period, area = r.Area, value = r.Value, status = "provisional" }),
}, new JsonSerializerOptions(JsonSerializerDefaults.Web));

static async Task PushAsync(HttpClient http, byte[] body)
{
    using var content = new ByteArrayContent(body);
    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    using var response = await http.PostAsync("/v1/partnerships/bench/observations", content);
    var text = await response.Content.ReadAsStringAsync();
    if (response.StatusCode != HttpStatusCode.OK || !text.Contains("\"status\":\"ok\"", StringComparison.Ordinal))
        throw new InvalidOperationException($"Push failed: {(int)response.StatusCode} {text[..Math.Min(400, text.Length)]}");
}

static (double PerBatch, double OneTransaction) RawInsert(string dbPath, int batches)
{
    using var c = new SqliteConnection($"Data Source={dbPath};Foreign Keys=False;Default Timeout=30");
    c.Open();
    var ddl = c.ExecuteScalar<string>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'observations'")!;
    var partnershipId = c.ExecuteScalar<string>("SELECT id FROM partnerships WHERE slug = 'bench'")!;
    var ids = c.Query<(string Id, string Code)>("SELECT id, code FROM indicators WHERE partnership_id = @partnershipId", new { partnershipId })
        .ToDictionary(r => r.Code, r => r.Id);
    var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
    // The same rows as stored by the API (text ids, dates and decimals), prepared before timing.
    var rows = Enumerable.Range(0, batches * 1000).Select(Data.RowOf).Select(r => new
    {
        PartnershipId = partnershipId, IndicatorId = ids[r.Code], r.Period, r.Area, r.PeriodStart, r.PeriodEnd,
        Value = r.Value.ToString(CultureInfo.InvariantCulture), Status = "provisional", Note = (string?)null, ClientId = (string?)null, Now = now,
    }).ToList();

    double Measure(string table, int perTransaction, int count)
    {
        c.Execute(ddl.Replace("CREATE TABLE observations", $"CREATE TABLE {table}", StringComparison.Ordinal));
        var sql = $"""
            INSERT INTO {table} (partnership_id, indicator_id, period, area, period_start, period_end, value, status, note, client_id, version, created_at, updated_at)
            VALUES (@PartnershipId, @IndicatorId, @Period, @Area, @PeriodStart, @PeriodEnd, @Value, @Status, @Note, @ClientId, 1, @Now, @Now)
            """;
        var sw = Stopwatch.StartNew();
        foreach (var chunk in rows.Take(count).Chunk(perTransaction))
        {
            using var tx = c.BeginTransaction(deferred: false);
            c.Execute(sql, chunk, tx);
            tx.Commit();
        }
        sw.Stop();
        return count / sw.Elapsed.TotalSeconds;
    }

    Measure("bench_raw_warm_up", 1000, Math.Min(rows.Count, 20_000)); // JIT and page cache, as the API's warm-up
    return (Measure("bench_raw_per_batch", 1000, rows.Count), Measure("bench_raw_one_tx", rows.Count, rows.Count));
}

internal static class Data
{
    public const int Indicators = 10;

    public sealed record Row(string Code, string Period, string Area, string PeriodStart, string PeriodEnd, decimal Value);

    /// <summary>"monthly" (the default): every 1,000 rows are one month of 10 indicators for 100 wards, as the monthly feeds
    /// of issue 4 send them. "mixed": every batch spans all 12 months, as a backfill of a year does (more b-tree pages
    /// touched per commit, so slower).</summary>
    public static string Shape { get; set; } = "monthly";

    /// <summary>Row n: a distinct (indicator, month, ward) for every n, in either shape.</summary>
    public static Row RowOf(int n)
    {
        var monthly = Shape == "monthly";
        var month = monthly ? n / 1000 % 12 + 1 : n / Indicators % 12 + 1;
        var ward = monthly ? n % 1000 / Indicators + 100 * (n / 12_000) : n / (Indicators * 12);
        var start = new DateOnly(2024, month, 1);
        return new Row($"IND-{n % Indicators}", $"2024-{month:D2}", $"E05{ward:D6}",
            start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), start.AddMonths(1).AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            n % 997 + 0.5m);
    }
}

internal sealed record Options(string ApiDll, int Batches, int Concurrency, string Shape)
{
    public static Options Parse(string[] args)
    {
        string? Get(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var dll = Get("--api") ?? throw new ArgumentException("--api path/to/Csp.Api.dll is required");
        var batches = Math.Clamp(int.Parse(Get("--batches") ?? "100", CultureInfo.InvariantCulture), 1, 1000);
        var concurrency = Math.Clamp(int.Parse(Get("--concurrency") ?? "2", CultureInfo.InvariantCulture), 1, 16);
        var shape = Get("--shape") ?? "monthly";
        if (shape is not ("mixed" or "monthly")) throw new ArgumentException("--shape is mixed or monthly");
        return new Options(dll, batches, concurrency, shape);
    }
}
