using Csp.Api.Demo;
using Csp.Api.Infrastructure.Auth;
using Microsoft.Extensions.Options;

namespace Csp.Api.Infrastructure.Data;

public static partial class DatabaseSetup
{
    public const string ConnectionName = "Csp";
    public const string DefaultSqlite = "Data Source=data/csp.db";

    /// <summary>During `dotnet build` the OpenAPI generator runs Program; it must not touch a database.</summary>
    public static bool IsBuildTimeDocumentGeneration =>
        System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    public static WebApplicationBuilder AddCspDatabase(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            return Db.Create(options.Provider, ConnectionString(builder.Configuration, options.Provider), sp.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddSingleton<TenantQueries>();
        builder.Services.AddSingleton(_ => Idempotency.ServiceInstance.From(builder.Configuration));
        builder.Services.AddSingleton<KeyUsage>();
        if (!IsBuildTimeDocumentGeneration)
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<KeyUsage>());
            builder.Services.AddHostedService<WalCheckpointer>();
        }
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

    /// <summary>Refuses to start on a SQLite file the service could not keep: none there when it may not create one, or a
    /// folder that does not take writes (SQLite keeps its -wal and -shm files beside the database).</summary>
    private static void CheckSqliteFile(string file, bool create)
    {
        var folder = Path.GetDirectoryName(file)!;
        if (!File.Exists(file) && !create)
            throw new InvalidOperationException(
                $"There is no database at {file}, and Database:CreateIfMissing is off (the default outside Development). Restore the " +
                "database there (see docs/operations.md, backup and restore), or set Database:CreateIfMissing=true to start an empty one.");
        if (Directory.Exists(folder) && StorageProbe.FolderProblem(folder) is { } problem)
            throw new InvalidOperationException(
                $"The data folder cannot be written: {problem}. SQLite writes the database and its -wal and -shm files there; give the " +
                "service's user write access to it on a disk with free space, or point ConnectionStrings:Csp at another folder.");
    }

    /// <summary>Applies the migrations: the `migrate` command (an operator's explicit step, which may create the database)
    /// and start-up (which creates it only when <paramref name="createIfMissing"/>).</summary>
    public static void MigrateDatabase(this WebApplication app, bool createIfMissing = true)
    {
        var db = app.Services.GetRequiredService<Db>();
        var result = Migrator.Migrate(db.Dialect.Provider, db.ConnectionString, app.Logger, createIfMissing);
        Log.Migrated(app.Logger, result.Scripts.Count());
    }

    /// <summary>Start-up: check the database is there (or may be created), migrate (unless disabled) and, in Development,
    /// seed the demo data on an empty database.</summary>
    public static void PrepareDatabase(this WebApplication app)
    {
        if (IsBuildTimeDocumentGeneration) return;
        var options = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var db = app.Services.GetRequiredService<Db>();
        var create = options.CreateIfMissing ?? app.Environment.IsDevelopment();
        if (db.FilePath is { } file) CheckSqliteFile(file, create);
        if (options.MigrateOnStartup) app.MigrateDatabase(create);
        else if (db.FilePath is not null) Migrator.PrepareSqliteFile(db.ConnectionString);
        db.RememberFile();
        if (db.FilePath is { } held) app.Lifetime.ApplicationStopped.Register(Backups.HoldServiceLock(held).Dispose);
        // (Where migrations run apart, a retry still takes over a claim of a dead run of this instance when it meets it.)
        if (options.MigrateOnStartup
            && app.Services.GetRequiredService<Idempotency.IdempotencyQueries>().ReleaseOrphansAsync(CancellationToken.None).GetAwaiter().GetResult()
            is > 0 and var released)
            Log.ReleasedOrphans(app.Logger, released);
        if (options.SeedDemoData is false) return;
        if (app.Environment.IsDevelopment())
            app.Services.GetRequiredService<DemoSeeder>().SeedIfEmpty();
        else if (options.SeedDemoData is true)
            Log.DemoDataRefused(app.Logger, app.Environment.EnvironmentName);
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Information, "Applied {Count} migration script(s).")]
        public static partial void Migrated(ILogger logger, int count);

        [LoggerMessage(LogLevel.Warning, "Released {Count} idempotency claim(s) an earlier run of this instance left in flight.")]
        public static partial void ReleasedOrphans(ILogger logger, int count);

        [LoggerMessage(LogLevel.Error, "Database:SeedDemoData is set but demo data is refused outside Development ({Environment}); nothing seeded.")]
        public static partial void DemoDataRefused(ILogger logger, string environment);
    }
}
