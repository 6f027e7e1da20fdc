using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;

namespace Csp.Api.Tests.Infrastructure;

/// <summary>
/// The service built as Program builds it (the same Add/Use/Map calls, on TestServer and a database of its own, with
/// <see cref="CspApiFactory"/>'s settings), plus routes a test maps for itself: for behaviour that no route of the service shows
/// yet, such as a deprecated endpoint. Its responses are not checked against the contract, which has no such routes.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly TestDatabase database;

    private ServiceHost(WebApplication app, TestDatabase database)
    {
        this.app = app;
        this.database = database;
    }

    public IServiceProvider Services => app.Services;

    /// <param name="mapRoutes">Maps the test's own routes, after the service's.</param>
    public static async Task<ServiceHost> StartAsync(Action<WebApplication> mapRoutes)
    {
        var database = SuiteDatabase.Create();
        database.Prepare();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Testing",
            ApplicationName = typeof(Program).Assembly.GetName().Name,
        });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider.ToString(),
            ["ConnectionStrings:Csp"] = database.ConnectionString,
            ["Auth:PlatformKey"] = CspApiFactory.PlatformKey,
            ["Database:CreateIfMissing"] = "true",
            ["RateLimiting:Enabled"] = "false",
            ["Auth:KeyUsageFlushInterval"] = "01:00:00",
        });
        builder.AddCspDatabase();
        builder.AddCspApi();
        var app = builder.Build();
        app.PrepareDatabase();
        app.UseCspApi();
        app.MapCspApi();
        mapRoutes(app);
        await app.StartAsync();
        return new ServiceHost(app, database);
    }

    public HttpClient CreateClient() => app.GetTestClient();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        database.Dispose();
    }
}
