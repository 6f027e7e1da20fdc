using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observability;

/// <summary>A stand-in OTLP/HTTP collector on a loopback port: it records what each signal's path receives.</summary>
public sealed class FakeCollector : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> received = new();

    public FakeCollector()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>Whether a request to <paramref name="path"/> carried <paramref name="text"/> (protobuf keeps strings as UTF-8).</summary>
    public bool Received(string path, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return received.Any(r => r.Path == path && r.Body.AsSpan().IndexOf(bytes) >= 0);
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    public void Dispose() => listener.Close();
}

/// <summary>The service exporting to <see cref="FakeCollector"/> over OTLP/HTTP, with short export intervals.</summary>
public sealed class OtlpExportFactory : CspApiFactory
{
    public FakeCollector Collector { get; } = new();

    protected override IEnumerable<(string Key, string Value)> Settings =>
    [
        ("Observability:OtlpEndpoint", $"http://127.0.0.1:{Collector.Port}"),
        ("Observability:OtlpProtocol", "HttpProtobuf"),
        ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "200"),
        ("OTEL_BLRP_SCHEDULE_DELAY", "100"),
    ];

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Collector.Dispose();
    }
}

public sealed class OtlpExportTests(OtlpExportFactory factory) : IClassFixture<OtlpExportFactory>
{
    [Fact]
    public async Task With_an_otlp_endpoint_configured_traces_metrics_and_logs_reach_the_collector()
    {
        var t = await TestTenant.CreateAsync(factory, "otlp");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await t.CreateIndicatorAsync(met, "ROB-PERSONAL");
        await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 187)]);

        var collector = factory.Collector;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        bool All() =>
            collector.Received("/v1/traces", "audited write") && collector.Received("/v1/traces", t.Slug)
            && collector.Received("/v1/metrics", "csp.observations.pushed") && collector.Received("/v1/metrics", t.Slug)
            && collector.Received("/v1/logs", "Observation batch");
        while (!All() && DateTime.UtcNow < deadline) await Task.Delay(100);

        Assert.True(collector.Received("/v1/traces", "audited write"), "no span of the write path reached the collector");
        Assert.True(collector.Received("/v1/traces", t.Slug), "the spans do not name the partnership");
        Assert.True(collector.Received("/v1/traces", "csp-api"), "the spans do not name the service");
        Assert.True(collector.Received("/v1/metrics", "csp.observations.pushed"), "the push counter did not reach the collector");
        Assert.True(collector.Received("/v1/metrics", t.Slug), "the push counter does not name the partnership");
        Assert.True(collector.Received("/v1/logs", "Observation batch"), "the push's log line did not reach the collector");
        Assert.False(collector.Received("/v1/logs", t.AdminKey), "a key reached the log collector");
    }
}
