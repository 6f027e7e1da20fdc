using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

/// <summary>The API started on 127.0.0.1 with a temporary SQLite file (rate limiting off), for the restatement and fairness
/// scripts; stopped and deleted on dispose.</summary>
internal sealed class BenchHost : IAsyncDisposable
{
    public const string PlatformKey = "csp_platform_benchmark-operator-key";

    private readonly Process api;
    private readonly string folder;

    public HttpClient Http { get; }
    public int Pid => api.Id;

    private BenchHost(Process api, string folder, HttpClient http) => (this.api, this.folder, Http) = (api, folder, http);

    public static async Task<BenchHost> StartAsync(string dll)
    {
        var folder = Path.Combine(Path.GetTempPath(), "csp-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var port = FreePort();
        var api = StartProcess(dll, $"http://127.0.0.1:{port}", Path.Combine(folder, "bench.db"), PlatformKey);
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(120),
        };
        var host = new BenchHost(api, folder, http);
        try
        {
            await WaitForLiveAsync(http);
        }
        catch
        {
            await host.DisposeAsync(); // no API left running when it never came up
            throw;
        }
        return host;
    }

    /// <summary>A free port on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the API (<paramref name="dll"/>, Release) at <paramref name="url"/> on a SQLite file, in Production with rate
    /// limiting off and no demo data; its output goes to stderr.</summary>
    public static Process StartProcess(string dll, string url, string dbPath, string platformKey)
    {
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(dll))!, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = url;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Csp"] = $"Data Source={dbPath}";
        start.Environment["Auth__PlatformKey"] = platformKey;
        start.Environment["RateLimiting__Enabled"] = "false";
        start.Environment["Database__CreateIfMissing"] = "true";
        start.Environment["Database__SeedDemoData"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the API.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[api] " + e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[api] " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until the API answers /health/live (at most 60 s).</summary>
    public static async Task WaitForLiveAsync(HttpClient http)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until)
        {
            try
            {
                if ((await http.GetAsync("/health/live")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException("The API did not come up within 60 s.");
    }

    /// <summary>A partnership with <paramref name="indicators"/> monthly indicators IND-0…, area check off, and a key that pushes
    /// them.</summary>
    public async Task<string> PartnershipAsync(string slug, int indicators)
    {
        async Task<JsonObject> Post(string path, object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            request.Headers.Add("X-Api-Key", PlatformKey);
            using var response = await Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
            return JsonNode.Parse(text)!.AsObject();
        }
        await Post("/v1/partnerships", new { slug, name = slug, areaCode = "E09000028", publicRead = false, areaCheck = "off" });
        var agency = (await Post($"/v1/partnerships/{slug}/agencies", new { code = "MET", name = "Met Police", kind = "police" }))["id"]!.GetValue<Guid>();
        for (var i = 0; i < indicators; i++)
            await Post($"/v1/partnerships/{slug}/indicators", new
            {
                code = $"IND-{i}", name = $"Indicator {i}", unit = "rate_per_1000", direction = "decrease", frequency = "monthly", sourceAgencyId = agency,
            });
        return (await Post($"/v1/partnerships/{slug}/clients", new { name = "feed", agencyId = agency, scopes = new[] { "observations:write" } }))["key"]!
            .GetValue<string>();
    }

    /// <summary>POSTs a push body; the answer's status and text.</summary>
    public async Task<(HttpStatusCode Status, string Text, Uri? Location)> PushAsync(string slug, string key, byte[] body, bool preferAsync = false,
        string query = "")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/partnerships/{slug}/observations{query}") { Content = content };
        request.Headers.Add("X-Api-Key", key);
        if (preferAsync) request.Headers.Add("Prefer", "respond-async");
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location);
    }

    public static double Percentile(List<double> sorted, int p) => sorted[Math.Max(0, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];

    public static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    public static string Period(int monthsBack) =>
        new DateOnly(2024, 12, 1).AddMonths(-monthsBack).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (!api.HasExited) api.Kill(entireProcessTree: true);
        await api.WaitForExitAsync();
        Http.Dispose();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
