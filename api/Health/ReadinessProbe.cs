using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Health;

/// <summary>
/// Whether the service can serve reads and writes now: the database is the one it started on, its storage takes a write,
/// it holds every migration this build knows, and it answers a read. None of the checks leaves anything durable behind.
/// </summary>
public sealed partial class ReadinessProbe(Db db, ILogger<ReadinessProbe> logger)
{
    public DatabaseProvider Provider => db.Dialect.Provider;

    /// <summary>Null when ready; otherwise why not, in words for the operator.</summary>
    public async Task<string?> ProblemAsync(CancellationToken ct)
    {
        if (db.FileProblem() is { } file) return Sentence(file);
        if (db.FilePath is { } path && StorageProbe.FolderProblem(Path.GetDirectoryName(path)!) is { } folder) return Sentence(folder);
        try
        {
            // A failover or a deadlock is not "not ready": retried briefly before the probe answers 503.
            return await Retry.TransientAsync(t => CheckDatabaseAsync(t), Retry.IsTransient, attempts: 3, Retry.DefaultFirstDelay, ct);
        }
        catch (System.Data.Common.DbException e)
        {
            Log.CheckFailed(logger, e);
            return db.Dialect.FaultOf(e) is { } fault ? Sentence(db.Describe(fault)) : "The database does not answer or is not migrated.";
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Warning, "Readiness check failed")]
        public static partial void CheckFailed(ILogger logger, Exception exception);
    }

    /// <summary>SQLite: starts a write that changes no row and rolls it back (nothing written); a database the service may
    /// only read refuses it. A writer holding the lock (busy) means writes work.</summary>
    private static async Task WriteLockAsync(System.Data.Common.DbConnection c, CancellationToken ct)
    {
        await using var probe = c.CreateCommand();
        probe.CommandText = "BEGIN IMMEDIATE";
        probe.CommandTimeout = 1;
        try
        {
            await probe.ExecuteNonQueryAsync(ct);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode is 5 or 6)
        {
            return;
        }
        try
        {
            probe.CommandText = "UPDATE partnerships SET slug = slug WHERE 1 = 0";
            await probe.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            probe.CommandText = "ROLLBACK";
            await probe.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static string Sentence(string cause) => char.ToUpperInvariant(cause[0]) + cause[1..] + ".";

    private async Task<string?> CheckDatabaseAsync(CancellationToken ct)
    {
        // A platform connection: under row-level security one without a scope would see no row at all.
        await using var c = await db.OpenPlatformAsync(ct);
        var applied = (await c.QueryAsync<string>(new CommandDefinition("SELECT ScriptName FROM SchemaVersions", cancellationToken: ct))).ToHashSet();
        var missing = Migrator.ScriptNames(db.Dialect.Provider).Where(s => !applied.Contains(s)).ToList();
        if (missing.Count > 0) return $"The database is not migrated: {missing.Count} script(s) of this build are not applied (first: {missing[0]}).";
        await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM partnerships", cancellationToken: ct));
        if (db.Dialect.Provider == DatabaseProvider.Sqlite) await WriteLockAsync(c, ct);
        if (db.Dialect.Provider == DatabaseProvider.SqlServer
            && await c.ExecuteScalarAsync<string>(new CommandDefinition("SELECT CONVERT(nvarchar(32), DATABASEPROPERTYEX(DB_NAME(), 'Updateability'))",
                cancellationToken: ct)) is { } updateability && updateability != "READ_WRITE")
            return $"The database is {updateability}: it takes no writes.";
        return null;
    }
}
