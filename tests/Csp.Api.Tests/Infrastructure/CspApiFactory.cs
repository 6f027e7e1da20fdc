using Csp.Api.Infrastructure.Data;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.Infrastructure;

/// <summary>The service on a fresh SQLite file of its own, in the "Testing" environment (no demo data).</summary>
public class CspApiFactory : WebApplicationFactory<Program>
{
    public const string PlatformKey = "csp_platform_test-operator-key";

    private readonly string folder = Path.Combine(Path.GetTempPath(), "csp-tests", Guid.NewGuid().ToString("N"));

    public string DatabasePath => Path.Combine(folder, "csp.db");

    protected virtual string Environment => "Testing";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(folder);
        builder.UseEnvironment(Environment);
        builder.UseSetting("ConnectionStrings:Csp", $"Data Source={DatabasePath}");
        builder.UseSetting("Auth:PlatformKey", PlatformKey);
    }

    /// <summary>Reads the database directly, to assert what a request really stored.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, object? args = null)
    {
        var db = Services.GetRequiredService<Db>();
        await using var c = await db.OpenAsync(CancellationToken.None);
        return (await c.QueryAsync<T>(sql, args)).AsList();
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        var db = Services.GetRequiredService<Db>();
        await using var c = await db.OpenAsync(CancellationToken.None);
        return (await c.ExecuteScalarAsync<T>(sql, args))!;
    }

    public HttpClient ClientWithKey(string? key)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<CspApiFactory>
{
    public const string Name = "api";
}
