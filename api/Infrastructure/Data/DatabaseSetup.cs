using Csp.Api.Demo;
using Csp.Api.Infrastructure.Auth;
using Microsoft.Extensions.Options;

namespace Csp.Api.Infrastructure.Data;

public static class DatabaseSetup
{
    public const string ConnectionName = "Csp";
    public const string DefaultSqlite = "Data Source=data/csp.db";

    /// <summary>During `dotnet build` the OpenAPI generator runs Program; it must not touch a database.</summary>
    public static bool IsBuildTimeDocumentGeneration =>
        System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    public static WebApplicationBuilder AddCspDatabase(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            return Db.Create(options.Provider, ConnectionString(builder.Configuration, options.Provider), sp.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddSingleton<TenantQueries>();
        builder.Services.AddSingleton<KeyUsage>();
        if (!IsBuildTimeDocumentGeneration)
            builder.Services.AddHostedService(sp => sp.GetRequiredService<KeyUsage>());
        builder.Services.AddSingleton<Audit.AuditedWriter>();
        foreach (var type in typeof(DatabaseSetup).Assembly.GetTypes()
                     .Where(t => t is { IsClass: true, IsAbstract: false } && t.Name.EndsWith("Queries", StringComparison.Ordinal)))
            builder.Services.AddSingleton(type);
        builder.Services.AddSingleton<DemoSeeder>();
        return builder;
    }

    /// <summary>The configured connection string; for SQLite, foreign keys on and a busy timeout for writers (30 s unless the
    /// connection string sets its own <c>Default Timeout</c>).</summary>
    public static string ConnectionString(IConfiguration configuration, DatabaseProvider provider)
    {
        var configured = configuration.GetConnectionString(ConnectionName);
        if (provider == DatabaseProvider.SqlServer)
            return configured ?? throw new InvalidOperationException("Database:Provider is SqlServer but ConnectionStrings:Csp is not set.");
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = configured ?? DefaultSqlite };
        var csb = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(configured ?? DefaultSqlite) { ForeignKeys = true, Pooling = true };
        if (!TimeoutKeywords.Any(given.ContainsKey)) csb.DefaultTimeout = 30;
        return csb.ToString();
    }

    private static readonly string[] TimeoutKeywords = ["Default Timeout", "DefaultTimeout", "Command Timeout"];

    /// <summary>The `migrate` command: apply migrations and stop.</summary>
    public static void MigrateDatabase(this WebApplication app)
    {
        var db = app.Services.GetRequiredService<Db>();
        var result = Migrator.Migrate(db.Dialect.Provider, db.ConnectionString, app.Logger);
        app.Logger.LogInformation("Applied {Count} migration script(s).", result.Scripts.Count());
    }

    /// <summary>Start-up: migrate (unless disabled) and, in Development, seed the demo data on an empty database.</summary>
    public static void PrepareDatabase(this WebApplication app)
    {
        if (IsBuildTimeDocumentGeneration) return;
        var options = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        if (options.MigrateOnStartup) app.MigrateDatabase();
        if (options.SeedDemoData is false) return;
        if (app.Environment.IsDevelopment())
            app.Services.GetRequiredService<DemoSeeder>().SeedIfEmpty();
        else if (options.SeedDemoData is true)
            app.Logger.LogError("Database:SeedDemoData is set but demo data is refused outside Development ({Environment}); nothing seeded.",
                app.Environment.EnvironmentName);
    }
}
