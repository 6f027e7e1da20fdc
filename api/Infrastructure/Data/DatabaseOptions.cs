namespace Csp.Api.Infrastructure.Data;

public enum DatabaseProvider { Sqlite, SqlServer }

/// <summary>The <c>Database</c> configuration section; the connection string is <c>ConnectionStrings:Csp</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply migrations at start-up (deployments with many replicas run <c>migrate</c> first instead).</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>Start on an empty new database when there is none: unset means "in Development" (anywhere else a missing
    /// database is refused at start-up, never silently re-created empty).</summary>
    public bool? CreateIfMissing { get; set; }

    /// <summary>Seed the Southwark demo data on an empty database: unset means "in Development";
    /// false turns it off; it is refused outside Development whatever this says.</summary>
    public bool? SeedDemoData { get; set; }

    /// <summary>SQLite: the write-ahead log is truncated as soon as it grows past this many megabytes, even while writes go
    /// on (and whenever writes pause).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1024)]
    public int WalTruncateAboveMegabytes { get; set; } = 16;
}
