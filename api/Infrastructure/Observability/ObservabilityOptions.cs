using System.Net;
using OpenTelemetry.Exporter;

namespace Csp.Api.Infrastructure.Observability;

/// <summary>The <c>Observability</c> configuration section (docs/observability.md).</summary>
public sealed class ObservabilityOptions
{
    public const string Section = "Observability";

    /// <summary>Where /metrics may be scraped from without the platform key: CIDR blocks (<c>10.0.0.0/8</c>) or single
    /// addresses. Unset: loopback only (<c>127.0.0.0/8</c>, <c>::1</c>). An empty entry alone allows no network.</summary>
    public string[]? MetricsAllowedNetworks { get; set; }

    /// <summary>An OTLP collector to send traces, metrics and logs to (e.g. <c>http://otel-collector:4317</c>). The standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable does the same; this key wins when both are set.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>The protocol for <see cref="OtlpEndpoint"/>: <c>Grpc</c> (port 4317, the default) or <c>HttpProtobuf</c> (4318).</summary>
    public OtlpExportProtocol OtlpProtocol { get; set; } = OtlpExportProtocol.Grpc;

    /// <summary>The console log format: <c>Json</c> (one object per line) or <c>Text</c>. Unset: Text in Development, Json
    /// everywhere else.</summary>
    public LogFormat? LogFormat { get; set; }

    public static readonly string[] Loopback = ["127.0.0.0/8", "::1/128"];

    /// <summary>The allowed networks, parsed; throws <see cref="FormatException"/> naming an entry that is not a network.</summary>
    public IReadOnlyList<IPNetwork> AllowedNetworks() =>
        (MetricsAllowedNetworks ?? Loopback)
        .Where(n => !string.IsNullOrWhiteSpace(n))
        .Select(ParseNetwork)
        .ToArray();

    private static IPNetwork ParseNetwork(string text)
    {
        var trimmed = text.Trim();
        if (IPNetwork.TryParse(trimmed, out var network)) return network;
        if (IPAddress.TryParse(trimmed, out var address))
            return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        throw new FormatException(
            $"{Section}:{nameof(MetricsAllowedNetworks)} has '{text}', which is neither a CIDR block (10.0.0.0/8) nor an IP address.");
    }

    /// <summary>Whether the options can be used: every network parses and the OTLP endpoint is an absolute URI.</summary>
    public bool IsValid(out string? error)
    {
        try
        {
            _ = AllowedNetworks();
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint) && !Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out _))
        {
            error = $"{Section}:{nameof(OtlpEndpoint)} '{OtlpEndpoint}' is not an absolute URI.";
            return false;
        }
        error = null;
        return true;
    }
}

public enum LogFormat { Text, Json }

/// <summary>Refuses to start on a network list or OTLP endpoint that does not parse, naming the entry.</summary>
internal sealed class ObservabilityOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<ObservabilityOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, ObservabilityOptions options) =>
        options.IsValid(out var error)
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Success
            : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(error!);
}
