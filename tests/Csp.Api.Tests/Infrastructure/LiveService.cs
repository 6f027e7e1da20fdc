using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Csp.Api.Tests.Infrastructure;

/// <summary>
/// The real service on Kestrel (not TestServer): the built API run with `dotnet` as a child process
/// on a free loopback port, in Development on a SQLite file of its own, so the Southwark demo data
/// and demo keys exist. For tests that need a real HTTP server, such as a browser.
/// </summary>
public sealed class LiveService : IAsyncDisposable
{
    private readonly Process process;
    private readonly string folder;
    private readonly bool ownsFolder;
    private readonly StringBuilder output = new();

    public Uri BaseAddress { get; }

    /// <summary>The folder of the service's SQLite file (csp.db).</summary>
    public string Folder => folder;

    private LiveService(Process process, string folder, bool ownsFolder, Uri baseAddress)
    {
        this.process = process;
        this.folder = folder;
        this.ownsFolder = ownsFolder;
        BaseAddress = baseAddress;
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash or a pulled plug would: nothing of it runs to the end.</summary>
    public async Task KillAsync()
    {
        if (process.HasExited) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    public string Output { get { lock (output) return output.ToString(); } }

    /// <param name="timeout">How long it may take to become ready.</param>
    /// <param name="folder">A folder whose database to start on (kept when the service is disposed); default: a new one of its own.</param>
    /// <param name="waitReady">False: return as soon as the process is started (a test that kills it during start-up).</param>
    /// <param name="settings">More environment variables (configuration), e.g. <c>("Database__X", "1")</c>.</param>
    public static async Task<LiveService> StartAsync(TimeSpan? timeout = null, string? folder = null, bool waitReady = true,
        params (string Name, string Value)[] settings)
    {
        // The API's build output (dll, runtimeconfig, deps, appsettings) is copied next to the tests.
        var assembly = typeof(Program).Assembly.Location;
        var ownsFolder = folder is null;
        folder ??= Path.Combine(Path.GetTempPath(), "csp-live", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var port = FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ConnectionStrings__Csp"] = $"Data Source={Path.Combine(folder, "csp.db")}";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in settings) start.Environment[name] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the API");
        var service = new LiveService(process, folder, ownsFolder, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => { lock (service.output) service.output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (service.output) service.output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!waitReady) return service;

        using var http = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                break;
            try
            {
                if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return service;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        var log = service.Output;
        await service.DisposeAsync();
        throw new InvalidOperationException($"The API did not become ready on port {port}:\n{log}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException) { }
        catch (TimeoutException) { }
        process.Dispose();
        if (!ownsFolder) return;
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
