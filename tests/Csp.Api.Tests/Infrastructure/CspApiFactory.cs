using Csp.Api.Infrastructure.Data;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.Infrastructure;

/// <summary>
/// The service on a fresh database of its own (the engine its test project runs the suite on: <see cref="SuiteDatabase"/>),
/// in the "Testing" environment (no demo data).
/// </summary>
public class CspApiFactory : WebApplicationFactory<Program>
{
    public const string PlatformKey = "csp_platform_test-operator-key";

    private readonly bool ownsDatabase;

    public CspApiFactory() : this(SuiteDatabase.Create(), ownsDatabase: true) { }

    /// <summary>A service on <paramref name="database"/>; one started on another factory's database leaves it to that factory.</summary>
    protected CspApiFactory(TestDatabase database, bool ownsDatabase)
    {
        Database = database;
        this.ownsDatabase = ownsDatabase;
    }

    public TestDatabase Database { get; }

    protected virtual string Environment => "Testing";

    /// <summary>Extra configuration for a factory of a special purpose.</summary>
    protected virtual IEnumerable<(string Key, string Value)> Settings => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Database.Prepare();
        builder.UseEnvironment(Environment);
        builder.UseSetting("Database:Provider", Database.Provider.ToString());
        builder.UseSetting("ConnectionStrings:Csp", Database.ConnectionString);
        builder.UseSetting("Auth:PlatformKey", PlatformKey);
        // Every factory starts on a database of its own that does not exist yet (outside Development that is refused unless asked).
        builder.UseSetting("Database:CreateIfMissing", "true");
        // The suite makes thousands of calls from one (unknown) address; RateLimitTests turn it on.
        builder.UseSetting("RateLimiting:Enabled", "false");
        // Key usage is flushed by the tests that look at it, never behind their back.
        builder.UseSetting("Auth:KeyUsageFlushInterval", "01:00:00");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
    }

    /// <summary>Reads the database directly, to assert what a request really stored (a platform connection: every partnership).</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, object? args = null)
    {
        var db = Services.GetRequiredService<Db>();
        await using var c = await db.OpenPlatformAsync(CancellationToken.None);
        return (await c.QueryAsync<T>(sql, args)).AsList();
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        var db = Services.GetRequiredService<Db>();
        await using var c = await db.OpenPlatformAsync(CancellationToken.None);
        return (await c.ExecuteScalarAsync<T>(sql, args))!;
    }

    /// <summary>Changes the database behind the service's back (what a request cannot do); returns the rows affected.</summary>
    public async Task<int> ExecuteAsync(string sql, object? args = null)
    {
        var db = Services.GetRequiredService<Db>();
        await using var c = await db.OpenPlatformAsync(CancellationToken.None);
        return await c.ExecuteAsync(sql, args);
    }

    /// <summary>A client of the in-memory server whose every response is checked against openapi/v1.json.</summary>
    public new HttpClient CreateClient() => CreateClient(ClientOptions);

    /// <inheritdoc cref="CreateClient()"/>
    public new HttpClient CreateClient(WebApplicationFactoryClientOptions options)
    {
        var handlers = new List<DelegatingHandler>();
        if (options.AllowAutoRedirect) handlers.Add(new RedirectHandler(options.MaxAutomaticRedirections));
        if (options.HandleCookies) handlers.Add(new CookieContainerHandler());
        // Innermost, so each response the server sends is checked, redirects included.
        handlers.Add(new ContractValidatingHandler());
        return CreateDefaultClient(options.BaseAddress, [.. handlers]);
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
        if (disposing && ownsDatabase) Database.Dispose();
    }
}

// The test classes that share a service: each collection below has a CspApiFactory of its own (its own SQLite database), so
// the collections run beside each other while the classes of one collection run one after another. Each test owns its
// partnership, so a test may move between them; the service's metrics and spans are process-wide, which is why the tests
// that read them pick out their own partnership's series.

/// <summary>The default collection of the HTTP tests.</summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<CspApiFactory>
{
    public const string Name = "api";
}

/// <summary>Plans/ (the largest share of the HTTP tests' time), on a service of its own.</summary>
[CollectionDefinition(Name)]
public sealed class PlansCollection : ICollectionFixture<CspApiFactory>
{
    public const string Name = "plans";
}

/// <summary>Security/ (the isolation and scope matrices, keys, CORS, limits), on a service of its own.</summary>
[CollectionDefinition(Name)]
public sealed class SecurityCollection : ICollectionFixture<CspApiFactory>
{
    public const string Name = "security";
}
