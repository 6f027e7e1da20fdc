using System.Net;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Csp.Api.Tests.Security;

/// <summary>Outside Development the service sends HSTS (and redirects to HTTPS when it serves HTTPS itself).</summary>
public sealed class ProductionTransportFactory : CspApiFactory
{
    protected override string Environment => "Production";
}

public sealed class TransportSecurityTests(ProductionTransportFactory factory) : IClassFixture<ProductionTransportFactory>
{
    [Fact]
    public async Task Https_responses_in_production_carry_hsts_and_no_server_banner()
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://csp.example.gov.uk/") });
        var response = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single());
        Assert.False(response.Headers.Contains("Server"));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }
}
