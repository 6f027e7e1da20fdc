using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Csp.Api.Demo;
using Csp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Csp.Api.Tests.Observability;

/// <summary>
/// The console log as an operator's collector reads it: the real service's standard output (a child process on Kestrel),
/// JSON, one object per line, each line of a request carrying its trace id and partnership, and never a key or a value
/// from a request body, even with every category logging at Debug.
/// </summary>
public sealed class LogOutputTests
{
    [Fact]
    public async Task Json_log_lines_carry_the_trace_id_and_the_partnership_and_never_a_key_or_a_body()
    {
        var note = "note-" + Guid.NewGuid().ToString("N");
        const int value = 7361942;
        var wrongKey = "csp_nosuchkey_" + Guid.NewGuid().ToString("N");
        await using var service = await LiveService.StartAsync(settings:
        [
            ("Observability__LogFormat", "Json"),
            ("Logging__LogLevel__Default", "Debug"),
            ("Logging__LogLevel__Microsoft.AspNetCore", "Debug"),
        ]);
        using var http = new HttpClient { BaseAddress = service.BaseAddress };

        // A push that writes, one refused by validation and one with a key that does not exist, all carrying the secrets.
        var push = new HttpRequestMessage(HttpMethod.Post, "/v1/partnerships/southwark/observations")
        {
            Content = JsonContent.Create(new { observations = new[] { new { indicator = "ROB-PERSONAL", period = "2019-01", value, note } } }),
        };
        push.Headers.Add("X-Api-Key", DemoKeys.PoliceFeed);
        var pushed = await http.SendAsync(push);
        Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        Assert.Equal("ok", (await pushed.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
        var invalid = new HttpRequestMessage(HttpMethod.Post, "/v1/partnerships/southwark/observations")
        {
            Content = JsonContent.Create(new { observations = new[] { new { indicator = "ROB-PERSONAL", period = note, value } } }),
        };
        invalid.Headers.Add("X-Api-Key", DemoKeys.PoliceFeed);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(invalid)).StatusCode); // a row conflict, reported in the body
        var unknown = new HttpRequestMessage(HttpMethod.Get, "/v1/partnerships/southwark/clients") { Headers = { { "X-Api-Key", wrongKey } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(unknown)).StatusCode);

        var lines = await LinesUntilAsync(service, output => output.Contains("Observation batch rejected", StringComparison.Ordinal));
        // (The demo seed's own push, at start-up, is outside any request and has no trace.)
        var pushLine = lines.Single(l => l["Message"]!.GetValue<string>().StartsWith("Observation batch ok", StringComparison.Ordinal)
            && TraceIdOf(l) is not null);
        var scopes = pushLine["Scopes"]!.AsArray().OfType<JsonObject>().ToList();
        var traceId = scopes.Select(s => s["TraceId"]?.GetValue<string>()).Single(id => id is not null)!;
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.NotEqual(new string('0', 32), traceId);
        Assert.Equal("southwark", scopes.Select(s => s["Partnership"]?.GetValue<string>()).Single(p => p is not null));
        Assert.Equal(1, pushLine["State"]!["Created"]!.GetValue<int>());
        // Every line the request logs once routed (the service's own and the framework's inside the endpoint) names the
        // partnership; the server's "Request starting/finished" lines, before routing and after the pipeline, carry the trace
        // id and RequestPath only.
        var sameRequest = lines.Where(l => TraceIdOf(l) == traceId).ToList();
        const string endpoint = "Microsoft.AspNetCore.Routing.EndpointMiddleware"; // logs "Executing endpoint" … "Executed endpoint"
        var first = sameRequest.FindIndex(l => Category(l) == endpoint);
        var routed = sameRequest[first..(sameRequest.FindLastIndex(l => Category(l) == endpoint) + 1)];
        Assert.True(routed.Count >= 3, $"only {routed.Count} line(s) of the push's routed request were logged");
        Assert.All(routed, l => Assert.Contains(l["Scopes"]!.AsArray().OfType<JsonObject>(), s => s["Partnership"]?.GetValue<string>() == "southwark"));
        Assert.All(sameRequest, l => Assert.Contains(l["Scopes"]!.AsArray().OfType<JsonObject>(),
            s => s["RequestPath"]?.GetValue<string>() == "/v1/partnerships/southwark/observations"));

        // On a real socket the caller's address is known: loopback may scrape without a key by default.
        var metrics = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var output = service.Output;
        foreach (var secret in new[] { DemoKeys.PoliceFeed, wrongKey, note, value.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        Assert.DoesNotContain(output.Split('\n'), l => l.Contains("X-Api-Key:", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Outside_Development_the_console_log_is_json_with_scopes_unless_configured_otherwise()
    {
        using var factory = new CspApiFactory();

        var console = factory.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        var json = factory.Services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue;

        Assert.Equal(ConsoleFormatterNames.Json, console.FormatterName);
        Assert.True(json.IncludeScopes);
        Assert.True(json.UseUtcTimestamp);
        Assert.False(json.JsonWriterOptions.Indented);
    }

    private static string Category(JsonObject line) => line["Category"]!.GetValue<string>();

    private static string? TraceIdOf(JsonObject line) =>
        line["Scopes"]?.AsArray().OfType<JsonObject>().Select(s => s["TraceId"]?.GetValue<string>()).FirstOrDefault(id => id is not null);

    /// <summary>The service's output parsed line by line (each line must be one JSON object), once <paramref name="ready"/>
    /// holds: the console logger writes from a queue of its own, a moment after the request.</summary>
    private static async Task<List<JsonObject>> LinesUntilAsync(LiveService service, Func<string, bool> ready)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!ready(service.Output) && DateTime.UtcNow < deadline) await Task.Delay(100);
        var lines = new List<JsonObject>();
        foreach (var line in service.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            JsonNode? parsed;
            try { parsed = JsonNode.Parse(line); }
            catch (JsonException e) { throw new Xunit.Sdk.XunitException($"A log line is not JSON ({e.Message}): {line}"); }
            lines.Add(Assert.IsType<JsonObject>(parsed));
        }
        return lines;
    }
}
