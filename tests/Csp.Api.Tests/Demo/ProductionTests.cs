using System.Net;
using Csp.Api.Demo;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Csp.Api.Tests.Demo;

/// <summary>Production, with the demo explicitly asked for: it must still not be seeded.</summary>
public sealed class ProductionFactory : CspApiFactory
{
    protected override string Environment => "Production";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Database:SeedDemoData", "true");
    }
}

/// <summary>Issue 2, point 2: demo seeding is refused in Production.</summary>
public sealed class ProductionTests(ProductionFactory factory) : IClassFixture<ProductionFactory>
{
    [Fact]
    public async Task Production_starts_migrated_with_no_demo_data()
    {
        var ready = await factory.ClientWithKey(null).GetAsync("/health/ready");

        await TestTenant.Expect(ready, HttpStatusCode.OK);
        Assert.Equal(0, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM partnerships"));
        Assert.Equal(0, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM clients"));
        Assert.Equal(0, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM agencies"));
    }

    [Fact]
    public async Task Production_knows_no_demo_key()
    {
        var response = await factory.ClientWithKey(DemoKeys.Admin).GetAsync("/v1/partnerships/southwark");

        await TestTenant.ExpectProblem(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Production_problems_carry_no_internals()
    {
        var response = await factory.ClientWithKey(CspApiFactory.PlatformKey).GetAsync("/v1/partnerships/nobody/agencies");

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.NotFound);
        HttpKit.AssertNoInternals(problem);
    }
}
