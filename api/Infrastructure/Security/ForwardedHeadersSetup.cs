using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using IPNetwork = System.Net.IPNetwork;

namespace Csp.Api.Infrastructure.Security;

/// <summary>The <c>ForwardedHeaders</c> section: the reverse proxies in front of the service, whose word on the client's address
/// and scheme it takes.</summary>
public sealed class ProxyOptions
{
    public const string Section = "ForwardedHeaders";

    /// <summary>The proxies' addresses or CIDR blocks (<c>10.0.0.5</c>, <c>10.0.0.0/8</c>). Empty (the default): the service
    /// believes no <c>X-Forwarded-*</c> header and sees the address that connected to it.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>How many proxies a request passes through, each of them known (a CDN in front of a load balancer is 2).</summary>
    public int ForwardLimit { get; set; } = 1;

    /// <summary>The proxies, parsed; throws <see cref="FormatException"/> naming an entry that is neither a network nor an address.</summary>
    public IReadOnlyList<IPNetwork> Networks() => KnownProxies.Where(p => !string.IsNullOrWhiteSpace(p)).Select(Parse).ToArray();

    private static IPNetwork Parse(string text)
    {
        var trimmed = text.Trim();
        if (IPNetwork.TryParse(trimmed, out var network)) return network;
        if (IPAddress.TryParse(trimmed, out var address))
            return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        throw new FormatException($"{Section}:{nameof(KnownProxies)} has '{text}', which is neither an IP address nor a CIDR block (10.0.0.0/8).");
    }
}

/// <summary>
/// Behind the proxies of <see cref="ProxyOptions"/>, the client's address and scheme are the ones they forward (X-Forwarded-For,
/// X-Forwarded-Proto), so the anonymous rate limit counts per client, not per proxy. A request from any other address keeps its
/// own: a client cannot pick its bucket by sending the header itself.
/// </summary>
public static class ForwardedHeadersSetup
{
    public static IServiceCollection AddCspForwardedHeaders(this IServiceCollection services)
    {
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxies) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = proxies.Value.ForwardLimit;
            // Only the configured proxies: not even loopback, the framework's default.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in proxies.Value.Networks()) forwarded.KnownIPNetworks.Add(network);
        });
        return services;
    }

    /// <summary>First in the pipeline, so everything after it (logs, HTTPS, the rate limiter, /metrics' allowed networks) sees the
    /// client; nothing at all when no proxy is configured.</summary>
    public static WebApplication UseCspForwardedHeaders(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.KnownProxies.Any(p => !string.IsNullOrWhiteSpace(p)))
            app.UseForwardedHeaders();
        return app;
    }
}

/// <summary>Refuses to start on a proxy that does not parse (naming it) or a forward limit below 1.</summary>
internal sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        if (options.ForwardLimit < 1)
            return ValidateOptionsResult.Fail($"{ProxyOptions.Section}:{nameof(ProxyOptions.ForwardLimit)} must be at least 1.");
        try
        {
            _ = options.Networks();
            return ValidateOptionsResult.Success;
        }
        catch (FormatException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
