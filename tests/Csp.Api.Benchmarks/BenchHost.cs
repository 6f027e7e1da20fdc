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
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(dll))!, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Csp"] = $"Data Source={Path.Combine(folder, "bench.db")}";
        start.Environment["Auth__PlatformKey"] = PlatformKey;
        start.Environment["RateLimiting__Enabled"] = "false";
        start.Environment["Database__CreateIfMissing"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var api = Process.Start(start) ?? throw new InvalidOperationException("Could not start the API.");
        api.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[api] " + e.Data); };
        api.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[api] " + e.Data); };
        api.BeginOutputReadLine();
        api.BeginErrorReadLine();
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(120),
        };
        var host = new BenchHost(api, folder, http);
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/health/live")).IsSuccessStatusCode) return host;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > until) throw new TimeoutException("The API did not come up within 60 s.");
            await Task.Delay(200);
        }
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
    public async Task<(HttpStatusCode Status, string Text, Uri? Location)> PushAsync(string slug, string key, byte[] body, bool preferAsync = false)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/partnerships/{slug}/observations") { Content = content };
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
