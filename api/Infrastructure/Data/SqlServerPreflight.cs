using Dapper;
using Microsoft.Data.SqlClient;

namespace Csp.Api.Infrastructure.Data;

/// <summary>
/// The database settings SQL Server needs to behave like the SQLite default, checked (and where it can, set) before
/// the migrations run:
/// <list type="bullet">
/// <item>a binary collation: SQLite compares and sorts text byte by byte, so codes, areas, periods and Idempotency-Keys
/// that differ only in case (or accent, or width) are different values; under the usual case-insensitive server default
/// they would collide. The collation of a database cannot be changed once tables exist, so a database the migrator creates
/// gets <see cref="Collation"/>, and one created by someone else must already have a binary collation.</item>
/// <item>READ_COMMITTED_SNAPSHOT: SQLite's readers (WAL) never wait for a writer; with row versioning SQL Server's don't
/// either, instead of blocking on a batch push's locks.</item>
/// <item>compatibility level 130 or later, for OPENJSON.</item>
/// </list>
/// </summary>
public static partial class SqlServerPreflight
{
    /// <summary>The collation of a database the migrator creates: binary (the order and equality of SQLite's text), UTF-8.</summary>
    public const string Collation = "Latin1_General_100_BIN2_UTF8";

    public sealed record Settings(string Collation, int ComparisonStyle, bool ReadCommittedSnapshot, int CompatibilityLevel = 160);

    /// <summary>OPENJSON, which the batch push and every id list use, needs compatibility level 130 (SQL Server 2016) or later.</summary>
    public const int MinimumCompatibilityLevel = 130;

    private const string Read = """
        SELECT d.collation_name AS Collation, CONVERT(int, DATABASEPROPERTYEX(DB_NAME(), 'ComparisonStyle')) AS ComparisonStyle,
               d.is_read_committed_snapshot_on AS ReadCommittedSnapshot, CONVERT(int, d.compatibility_level) AS CompatibilityLevel
        FROM sys.databases d WHERE d.database_id = DB_ID()
        """;

    // NO_WAIT: fail at once rather than wait for every other connection to the database to close.
    private const string TurnOnReadCommittedSnapshot = "ALTER DATABASE CURRENT SET READ_COMMITTED_SNAPSHOT ON WITH NO_WAIT";

    public static void Run(string connectionString, ILogger logger)
    {
        using var connection = new SqlConnection(connectionString);
        connection.Open();
        var settings = connection.QuerySingle<Settings>(Read);
        if (Problem(settings) is { } problem) throw new InvalidOperationException(problem);
        if (settings.ReadCommittedSnapshot) return;
        Log.TurningOnReadCommittedSnapshot(logger, connection.Database);
        try
        {
            connection.Execute(TurnOnReadCommittedSnapshot);
        }
        catch (SqlException e)
        {
            throw new InvalidOperationException(
                $"Database {connection.Database} has READ_COMMITTED_SNAPSHOT off and it could not be turned on ({e.Message}). " +
                $"Run `ALTER DATABASE [{connection.Database}] SET READ_COMMITTED_SNAPSHOT ON` while nothing else is connected, then start again.", e);
        }
    }

    /// <summary>Why the database cannot be used as it is, or null when it can (the setting the migrator can fix is not a problem).</summary>
    public static string? Problem(Settings settings) =>
        settings.CompatibilityLevel < MinimumCompatibilityLevel
            ? $"The database's compatibility level is {settings.CompatibilityLevel}; OPENJSON needs {MinimumCompatibilityLevel} or later. " +
              "Run `ALTER DATABASE … SET COMPATIBILITY_LEVEL = 160` (SQL Server 2022's)."
        : settings.ComparisonStyle == 0
        ? null
        : $"The database's collation {settings.Collation} is not binary (DATABASEPROPERTYEX ComparisonStyle {settings.ComparisonStyle}): " +
          "text that differs only in case, accent or width would compare equal, unlike the SQLite default (Idempotency-Keys and codes " +
          $"would collide). Let the service create the database (it uses {Collation}), or create it with " +
          $"`CREATE DATABASE … COLLATE {Collation}`; a collation cannot be changed once the tables exist.";

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Information, "Turning READ_COMMITTED_SNAPSHOT on for database {Database}")]
        public static partial void TurningOnReadCommittedSnapshot(ILogger logger, string database);
    }
}
