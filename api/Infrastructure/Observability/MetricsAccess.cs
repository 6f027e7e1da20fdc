using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Csp.Api.Infrastructure.Observability;

/// <summary>
/// Who may scrape /metrics: a caller presenting the platform (operator) key in X-Api-Key, or any caller whose address is in
/// <see cref="ObservabilityOptions.MetricsAllowedNetworks"/> (loopback unless configured). Its own check, apart from the
/// API's authentication: /metrics lies outside /v1, needs no database and must answer while the API is degraded.
/// </summary>
public sealed class MetricsAccess(IOptionsMonitor<ObservabilityOptions> options, IConfiguration configuration)
{
    public const string KeyHeader = "X-Api-Key";

    /// <summary>The configuration key of the operator's key (the API's own authentication reads the same one).</summary>
    public const string PlatformKeySetting = "Auth:PlatformKey";

    // Parsed and hashed once per configured value, not per scrape (each cache swapped whole, so readers never see half of one).
    private sealed record Networks(string[]? Source, IReadOnlyList<IPNetwork> Parsed);
    private sealed record PlatformKey(string? Source, byte[]? Hash);
    private Networks? networks;
    private PlatformKey? platformKey;

    /// <summary>True when the request may read the metrics.</summary>
    public bool Allows(HttpContext context) =>
        HasPlatformKey(context.Request.Headers[KeyHeader]) || InAllowedNetwork(context.Connection.RemoteIpAddress);

    /// <summary>The presented key equals the configured platform key (compared in constant time, as hashes of equal length).</summary>
    public bool HasPlatformKey(Microsoft.Extensions.Primitives.StringValues presented)
    {
        if (presented.Count != 1 || string.IsNullOrEmpty(presented[0]) || PlatformKeyHash() is not { } expected) return false;
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented[0]!)), expected);
    }

    /// <summary>The address lies in an allowed network. No address (an in-process test server, a Unix socket) is not in any.</summary>
    public bool InAllowedNetwork(IPAddress? address)
    {
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var network in AllowedNetworks())
            if (network.Contains(address)) return true;
        return false;
    }

    private IReadOnlyList<IPNetwork> AllowedNetworks()
    {
        var current = options.CurrentValue;
        if (networks is { } cached && ReferenceEquals(cached.Source, current.MetricsAllowedNetworks)) return cached.Parsed;
        var parsed = current.AllowedNetworks();
        networks = new Networks(current.MetricsAllowedNetworks, parsed);
        return parsed;
    }

    private byte[]? PlatformKeyHash()
    {
        var configured = configuration[PlatformKeySetting];
        if (platformKey is { } cached && cached.Source == configured) return cached.Hash;
        var hash = string.IsNullOrEmpty(configured) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(configured));
        platformKey = new PlatformKey(configured, hash);
        return hash;
    }

    /// <summary>The branch in front of the exporter: refuses with 401 problem+json unless <see cref="Allows"/>.</summary>
    internal static async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        if (context.RequestServices.GetRequiredService<MetricsAccess>().Allows(context))
        {
            await next(context);
            return;
        }
        await Problems.Write(context, StatusCodes.Status401Unauthorized, "Metrics need the platform key",
            $"Send the platform key in the {KeyHeader} header, or scrape from a network listed in " +
            $"{ObservabilityOptions.Section}:{nameof(ObservabilityOptions.MetricsAllowedNetworks)}.");
    }
}
