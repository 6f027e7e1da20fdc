using Csp.Api.Infrastructure.Data;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Csp.Api.Tests.Sql;

/// <summary>The engine is chosen by configuration (environment variables included), without connecting to it.</summary>
public sealed class SqlServerConfigurationTests
{
    /// <summary>SqlClient refuses every connection in globalization-invariant mode ("Globalization Invariant Mode is not
    /// supported"), which Directory.Build.props sets for the rest of the solution: the service must run with ICU.</summary>
    [Fact]
    public void The_service_runs_with_globalization_so_SqlClient_can_connect()
    {
        var config = Path.Combine(Path.GetDirectoryName(typeof(Program).Assembly.Location)!, "Csp.Api.runtimeconfig.json");
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(config));
        var invariant = json.RootElement.GetProperty("runtimeOptions").TryGetProperty("configProperties", out var properties)
            && properties.TryGetProperty("System.Globalization.Invariant", out var value) && value.GetBoolean();
        Assert.False(invariant, $"{config} turns globalization-invariant mode on; SqlClient cannot open a connection in it.");
    }

    private const string SqlServerConnection = "Server=db.example,1433;Database=Csp;User Id=csp;Password=x;TrustServerCertificate=True";

    [Fact]
    public void Environment_variables_select_SqlServer_and_its_connection_string()
    {
        // A prefix of this test's own keeps the process environment of parallel tests untouched; the provider strips
        // it, so what is bound is exactly what Database__Provider and ConnectionStrings__Csp would give.
        var prefix = $"CSPTEST_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "Database__Provider", "SqlServer");
        Environment.SetEnvironmentVariable(prefix + "ConnectionStrings__Csp", SqlServerConnection);
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();

            var (options, db) = Bind(configuration);

            Assert.Equal(DatabaseProvider.SqlServer, options.Provider);
            Assert.True(options.MigrateOnStartup);
            Assert.IsType<SqlServerDialect>(db.Dialect);
            Assert.Equal(SqlServerConnection, db.ConnectionString);
            // The data source is SqlClient's; creating it does not connect.
            var builder = new SqlConnectionStringBuilder(db.ConnectionString);
            Assert.Equal("db.example,1433", builder.DataSource);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "Database__Provider", null);
            Environment.SetEnvironmentVariable(prefix + "ConnectionStrings__Csp", null);
        }
    }

    [Fact]
    public void Without_configuration_the_default_is_SQLite()
    {
        var (options, db) = Bind(new ConfigurationBuilder().Build());

        Assert.Equal(DatabaseProvider.Sqlite, options.Provider);
        Assert.IsType<SqliteDialect>(db.Dialect);
        Assert.Contains("data/csp.db", db.ConnectionString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 30)]
    [InlineData("Data Source=x.db", 30)]
    [InlineData("Data Source=x.db;Default Timeout=1", 1)]
    [InlineData("Data Source=x.db;command timeout=5", 5)]
    public void SQLite_writers_wait_30_s_for_the_database_unless_the_connection_string_says_otherwise(string? configured, int seconds)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Csp"] = configured })
            .Build();

        var csb = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(DatabaseSetup.ConnectionString(configuration, DatabaseProvider.Sqlite));

        Assert.Equal(seconds, csb.DefaultTimeout);
        Assert.True(csb.ForeignKeys);
    }

    [Fact]
    public void SqlServer_without_a_connection_string_is_refused_at_start()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Database:Provider"] = "SqlServer" }).Build();

        var e = Assert.Throws<InvalidOperationException>(() => Bind(configuration));
        Assert.Contains("ConnectionStrings:Csp", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Migrate_is_run_by_DbUp_SqlServer_engine_from_the_sqlserver_scripts()
    {
        var names = Migrator.ScriptNames(DatabaseProvider.SqlServer).ToList();

        Assert.Contains("sqlserver/0001_foundation.sql", names);
        Assert.Contains("sqlserver/0005_row_level_security.sql", names);
        Assert.Equal(Migrator.ScriptNames(DatabaseProvider.Sqlite).Select(n => n["sqlite/".Length..]), names.Select(n => n["sqlserver/".Length..]));
    }

    /// <summary>The same registration the service makes (AddOptions().BindConfiguration(), ConnectionString, Db.Create).</summary>
    private static (DatabaseOptions Options, Db Db) Bind(IConfiguration configuration)
    {
        var services = new ServiceCollection().AddSingleton(configuration);
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        return (options, Db.Create(options.Provider, DatabaseSetup.ConnectionString(configuration, options.Provider)));
    }
}
