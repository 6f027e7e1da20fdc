using System.Globalization;
using System.Reflection;
using DbUp;
using DbUp.Builder;
using DbUp.Engine;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Infrastructure.Data;

/// <summary>Applies the numbered scripts of db/sqlite or db/sqlserver (embedded in this assembly)
/// with DbUp, which records each in its SchemaVersions journal table.</summary>
public static partial class Migrator
{
    public static DatabaseUpgradeResult Migrate(DatabaseProvider provider, string connectionString, ILogger logger, bool createIfMissing = true)
    {
        var assembly = typeof(Migrator).Assembly;
        UpgradeEngineBuilder builder;
        if (provider == DatabaseProvider.SqlServer)
        {
            if (createIfMissing)
                EnsureDatabase.For.SqlDatabase(connectionString, new DbUpLogger(logger), collation: SqlServerPreflight.Collation);
            SqlServerPreflight.Run(connectionString, logger);
            builder = DeployChanges.To.SqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(assembly, name => name.StartsWith("sqlserver/", StringComparison.Ordinal));
        }
        else
        {
            PrepareSqliteFile(connectionString);
            builder = DeployChanges.To.SqliteDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(assembly, name => name.StartsWith("sqlite/", StringComparison.Ordinal));
        }

        var result = builder
            .WithTransactionPerScript()
            .LogTo(new DbUpLogger(logger))
            .Build()
            .PerformUpgrade();
        if (!result.Successful)
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error?.Message}", result.Error);
        return result;
    }

    /// <summary>Creates the folder of the SQLite file and switches the file to WAL (a persistent setting).</summary>
    public static void PrepareSqliteFile(string connectionString)
    {
        var csb = new SqliteConnectionStringBuilder(connectionString);
        if (csb.Mode is SqliteOpenMode.Memory || csb.DataSource is "" or ":memory:") return;
        var folder = Path.GetDirectoryName(Path.GetFullPath(csb.DataSource));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }

    public static IEnumerable<string> ScriptNames(DatabaseProvider provider)
    {
        var prefix = provider == DatabaseProvider.SqlServer ? "sqlserver/" : "sqlite/";
        return Assembly.GetExecutingAssembly().GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal);
    }

    private sealed class DbUpLogger(ILogger logger) : DbUp.Engine.Output.IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }
        public void LogDebug(string format, params object[] args) { }
        public void LogInformation(string format, params object[] args)
        {
            if (logger.IsEnabled(LogLevel.Information)) Log.DbUpInformation(logger, Format(format, args));
        }

        public void LogWarning(string format, params object[] args)
        {
            if (logger.IsEnabled(LogLevel.Warning)) Log.DbUpWarning(logger, Format(format, args));
        }

        public void LogError(string format, params object[] args)
        {
            if (logger.IsEnabled(LogLevel.Error)) Log.DbUpError(logger, null, Format(format, args));
        }

        public void LogError(Exception ex, string format, params object[] args)
        {
            if (logger.IsEnabled(LogLevel.Error)) Log.DbUpError(logger, ex, Format(format, args));
        }

        private static string Format(string format, object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
    }

    /// <summary>DbUp's own lines, passed on as they are worded.</summary>
    private static partial class Log
    {
        [LoggerMessage(LogLevel.Information, "{Message}")]
        public static partial void DbUpInformation(ILogger logger, string message);

        [LoggerMessage(LogLevel.Warning, "{Message}")]
        public static partial void DbUpWarning(ILogger logger, string message);

        [LoggerMessage(LogLevel.Error, "{Message}")]
        public static partial void DbUpError(ILogger logger, Exception? exception, string message);
    }
}
