using System.Net;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Csp.Api.Tests.Health;

[Collection(ApiCollection.Name)]
public sealed class HealthTests(CspApiFactory factory)
{
    [Fact]
    public async Task Live_answers_200_without_a_key()
    {
        var response = await factory.ClientWithKey(null).GetAsync("/health/live");

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("ok", body.Str("status"));
    }

    [Fact]
    public async Task Ready_answers_200_without_a_key_and_names_the_database_it_checked()
    {
        var response = await factory.ClientWithKey(null).GetAsync("/health/ready");

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("ok", body.Str("status"));
        Assert.Equal(factory.Database.Provider.ToString(), body.Str("database"));
        // Readiness means the schema is there: the journal recorded the migrations it checked against.
        Assert.True(await factory.ScalarAsync<long>("SELECT COUNT(*) FROM SchemaVersions") >= 1);
    }

    [Fact]
    public async Task Health_ignores_a_bad_key_rather_than_refusing_the_probe()
    {
        var response = await factory.ClientWithKey("csp_nope_nope").GetAsync("/health/ready");

        await TestTenant.Expect(response, HttpStatusCode.OK);
    }
}

/// <summary>The service on a database nobody migrated: readiness must say so, and errors must not leak.</summary>
public sealed class UnmigratedFactory : CspApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Database:MigrateOnStartup", "false");
    }
}

public sealed class UnmigratedDatabaseTests(UnmigratedFactory factory) : IClassFixture<UnmigratedFactory>
{
    [Fact]
    public async Task Ready_answers_503_problem_when_the_database_holds_no_schema()
    {
        var response = await factory.ClientWithKey(null).GetAsync("/health/ready");

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.ServiceUnavailable);
        HttpKit.AssertNoInternals(problem);
    }

    [Fact]
    public async Task Live_still_answers_200_when_the_database_is_not_ready()
    {
        var response = await factory.ClientWithKey(null).GetAsync("/health/live");

        await TestTenant.Expect(response, HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_unhandled_database_error_is_a_500_problem_without_internals()
    {
        // The platform key gets past authentication without the database; the slug look-up then fails.
        var response = await factory.ClientWithKey(CspApiFactory.PlatformKey).GetAsync("/v1/partnerships/anything/agencies");

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.InternalServerError);
        HttpKit.AssertNoInternals(problem);
        Assert.False(string.IsNullOrEmpty(problem["traceId"]?.GetValue<string>()));
    }
}
