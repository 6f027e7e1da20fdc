using Microsoft.Data.Sqlite;

namespace Csp.Api.Infrastructure.Data;

/// <summary>
/// Online backup and offline restore of the SQLite database (SQL Server has its own: docs/operations.md). A backup is taken
/// while the service runs: <c>VACUUM INTO</c> reads one consistent snapshot (WAL: writers go on meanwhile) into a new,
/// compacted file, whose integrity is then checked. A restore replaces the database of a stopped service with a checked
/// backup; the file it replaces is kept beside it.
/// </summary>
public static class Backups
{
    /// <summary>A running service holds a shared lock on this file beside its database; a restore needs it exclusively.</summary>
    public static string LockFileOf(string databaseFile) => databaseFile + ".lock";

    /// <summary>Held by a running service (shared), so that a restore can tell it is running.</summary>
    public static FileStream HoldServiceLock(string databaseFile) =>
        new(LockFileOf(databaseFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);

    /// <summary>Writes a consistent copy of <paramref name="databaseFile"/> to <paramref name="backupFile"/> (which must not
    /// exist) and checks it; returns a line for the operator.</summary>
    public static string Backup(string databaseFile, string backupFile)
    {
        if (!File.Exists(databaseFile)) throw new BackupException($"There is no database at {databaseFile}.");
        var target = Path.GetFullPath(backupFile);
        if (File.Exists(target)) throw new BackupException($"{target} exists; a backup never overwrites a file.");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        using (var source = Open(databaseFile, SqliteOpenMode.ReadOnly))
        using (var vacuum = source.CreateCommand())
        {
            vacuum.CommandText = "VACUUM INTO @target";
            vacuum.Parameters.AddWithValue("@target", target);
            vacuum.CommandTimeout = 0;
            vacuum.ExecuteNonQuery();
        }
        var check = Check(target);
        return $"Backed up {databaseFile} to {target} ({new FileInfo(target).Length:N0} bytes; {check}).";
    }

    /// <summary>Replaces <paramref name="databaseFile"/> with <paramref name="backupFile"/> after checking the backup, when no
    /// service runs on it; the replaced database is kept as <c>{file}.before-restore-{time}</c>. Returns a line for the operator.</summary>
    public static string Restore(string databaseFile, string backupFile, DateTimeOffset now)
    {
        var source = Path.GetFullPath(backupFile);
        if (!File.Exists(source)) throw new BackupException($"There is no backup at {source}.");
        var check = Check(source);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databaseFile))!);
        FileStream exclusive;
        try
        {
            exclusive = new FileStream(LockFileOf(databaseFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new BackupException($"A service is running on {databaseFile}: stop it first, then restore.");
        }
        using (exclusive)
        {
            SqliteConnection.ClearAllPools();
            var incoming = databaseFile + ".restoring";
            File.Copy(source, incoming, overwrite: true);
            using (var flush = new FileStream(incoming, FileMode.Open, FileAccess.ReadWrite)) flush.Flush(flushToDisk: true);
            string? kept = null;
            if (File.Exists(databaseFile))
            {
                // Folds any WAL of a service that stopped uncleanly into the file before it is set aside.
                using (var old = Open(databaseFile, SqliteOpenMode.ReadWrite))
                using (var checkpoint = old.CreateCommand())
                {
                    checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                    checkpoint.ExecuteNonQuery();
                }
                SqliteConnection.ClearAllPools();
                kept = $"{databaseFile}.before-restore-{now.UtcDateTime:yyyyMMddTHHmmssZ}";
                File.Move(databaseFile, kept);
            }
            foreach (var side in new[] { "-wal", "-shm" })
                if (File.Exists(databaseFile + side)) File.Delete(databaseFile + side);
            File.Move(incoming, databaseFile);
            return $"Restored {databaseFile} from {source} ({check})" + (kept is null ? "." : $"; the database it replaced is kept as {kept}.");
        }
    }

    /// <summary>SQLite's integrity check and the migrations journal: a backup that is not a whole, migrated database of
    /// this service is refused.</summary>
    private static string Check(string file)
    {
        try
        {
            return CheckOrThrow(file);
        }
        catch (SqliteException e)
        {
            throw new BackupException($"{file} cannot be read as a database of this service: {e.Message}");
        }
    }

    private static string CheckOrThrow(string file)
    {
        using var c = Open(file, SqliteOpenMode.ReadOnly);
        using var command = c.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        var result = command.ExecuteScalar() as string;
        if (result != "ok") throw new BackupException($"{file} fails SQLite's integrity check: {result}");
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('SchemaVersions', 'partnerships')";
        if ((long)command.ExecuteScalar()! != 2) throw new BackupException($"{file} is not a database of this service.");
        command.CommandText = "SELECT COUNT(*) FROM SchemaVersions";
        return $"integrity ok, {(long)command.ExecuteScalar()!} migrations";
    }

    private static SqliteConnection Open(string file, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}

/// <summary>A backup or restore refused, with the reason for the operator.</summary>
public sealed class BackupException(string message) : Exception(message);
