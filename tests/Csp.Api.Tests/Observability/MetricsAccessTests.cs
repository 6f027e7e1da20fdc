using System.Net;
using Csp.Api.Infrastructure.Observability;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Csp.Api.Tests.Observability;

/// <summary>The service with /metrics open to 10.0.0.0/8 and a test-only front door that sets the caller's address from a
/// request header (the in-memory test server has none of its own), so the network rule can be tried over HTTP.</summary>
public sealed class RemoteAddressFactory : CspApiFactory
{
    public const string AddressHeader = "X-Test-Remote-Address";

    protected override IEnumerable<(string Key, string Value)> Settings =>
        [("Observability:MetricsAllowedNetworks:0", "10.0.0.0/8"), ("Observability:MetricsAllowedNetworks:1", "2001:db8::/32")];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, AddressFromHeader>());
    }

    private sealed class AddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers[AddressHeader] is [{ } address]) context.Connection.RemoteIpAddress = IPAddress.Parse(address);
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

public sealed class MetricsAccessTests(RemoteAddressFactory factory) : IClassFixture<RemoteAddressFactory>
{
    [Theory]
    [InlineData("10.20.30.40", HttpStatusCode.OK)]
    [InlineData("::ffff:10.20.30.40", HttpStatusCode.OK)] // an IPv4 caller on a dual-stack socket
    [InlineData("2001:db8::7", HttpStatusCode.OK)]
    [InlineData("11.0.0.1", HttpStatusCode.Unauthorized)]
    [InlineData("127.0.0.1", HttpStatusCode.Unauthorized)] // loopback is only the default: a configured list replaces it
    [InlineData("2001:db9::7", HttpStatusCode.Unauthorized)]
    public async Task Metrics_are_open_to_the_configured_networks_only(string address, HttpStatusCode expected)
    {
        using var client = factory.CreateDefaultClient();
        client.DefaultRequestHeaders.Add(RemoteAddressFactory.AddressHeader, address);

        var response = await client.GetAsync("/metrics");

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task The_platform_key_opens_metrics_from_any_address()
    {
        using var client = factory.CreateDefaultClient();
        client.DefaultRequestHeaders.Add(RemoteAddressFactory.AddressHeader, "203.0.113.9");
        client.DefaultRequestHeaders.Add("X-Api-Key", CspApiFactory.PlatformKey);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public void By_default_only_loopback_may_scrape()
    {
        var access = Access(new ObservabilityOptions(), platformKey: null);

        Assert.True(access.InAllowedNetwork(IPAddress.Loopback));
        Assert.True(access.InAllowedNetwork(IPAddress.Parse("127.8.9.10")));
        Assert.True(access.InAllowedNetwork(IPAddress.IPv6Loopback));
        Assert.True(access.InAllowedNetwork(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.False(access.InAllowedNetwork(IPAddress.Parse("192.168.1.10")));
        Assert.False(access.InAllowedNetwork(null));
    }

    [Fact]
    public void An_empty_entry_alone_closes_every_network_and_a_single_address_is_a_network_of_one()
    {
        Assert.False(Access(new ObservabilityOptions { MetricsAllowedNetworks = [""] }, null).InAllowedNetwork(IPAddress.Loopback));
        var one = Access(new ObservabilityOptions { MetricsAllowedNetworks = ["192.0.2.7"] }, null);
        Assert.True(one.InAllowedNetwork(IPAddress.Parse("192.0.2.7")));
        Assert.False(one.InAllowedNetwork(IPAddress.Parse("192.0.2.8")));
    }

    [Fact]
    public void Only_the_configured_platform_key_itself_is_accepted()
    {
        var access = Access(new ObservabilityOptions(), "csp_platform_secret");

        Assert.True(access.HasPlatformKey("csp_platform_secret"));
        Assert.False(access.HasPlatformKey("csp_platform_secreT"));
        Assert.False(access.HasPlatformKey("csp_platform_secret "));
        Assert.False(access.HasPlatformKey(""));
        Assert.False(access.HasPlatformKey(new Microsoft.Extensions.Primitives.StringValues(["csp_platform_secret", "csp_platform_secret"])));
        // No platform key configured: no key opens it.
        Assert.False(Access(new ObservabilityOptions(), null).HasPlatformKey(""));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("intranet")]
    public void A_network_that_does_not_parse_stops_the_service_at_start_up_naming_it(string entry)
    {
        var options = new ObservabilityOptions { MetricsAllowedNetworks = ["127.0.0.0/8", entry] };

        Assert.False(options.IsValid(out var error));
        Assert.Contains(entry, error, StringComparison.Ordinal);
        Assert.Contains("Observability:MetricsAllowedNetworks", error, StringComparison.Ordinal);
    }

    private static MetricsAccess Access(ObservabilityOptions options, string? platformKey) =>
        new(new FixedOptions(options), new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [MetricsAccess.PlatformKeySetting] = platformKey }).Build());

    private sealed class FixedOptions(ObservabilityOptions value) : IOptionsMonitor<ObservabilityOptions>
    {
        public ObservabilityOptions CurrentValue => value;
        public ObservabilityOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<ObservabilityOptions, string?> listener) => null;
    }
}
