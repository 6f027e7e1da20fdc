using System.IO.MemoryMappedFiles;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Infrastructure.Data;

/// <summary>
/// The SQLite <see cref="IChangeWatch"/>: whether anything has been committed to a database in WAL mode, by any connection of
/// any process, without a system call. It reads the WAL-index header straight from the database's shared-memory file
/// (<c>-shm</c>), in the format SQLite documents (sqlite.org/walformat.html, "The WAL-Index Header"). The header is kept twice,
/// at offsets 0 and 48; every commit rewrites both (the second copy, a memory barrier, then the first) with a new change
/// counter, frame count and checksums, and a reader that finds the two copies equal has a consistent one — the lock-free check
/// SQLite's own readers make before they begin. Equal stamps therefore mean no commit completed between the two reads.
/// </summary>
/// <remarks>
/// A stamp is null (nothing may be reused) when the copies differ (a commit in progress), the header is not initialised, or
/// the file cannot be mapped (not WAL, in memory, another VFS). A connection of our own stays open while the file is mapped,
/// so SQLite never removes the shared-memory file under the mapping (it does that only when the last connection to the
/// database closes).
/// </remarks>
public sealed class WalChangeWatch : IChangeWatch, IDisposable
{
    private const int HeaderBytes = 48;

    private readonly string connectionString;
    private readonly string shmPath;
    private readonly Lock gate = new();
    private SqliteConnection? sentinel;
    private MemoryMappedFile? map;
    private MemoryMappedViewAccessor? view;
    private bool disposed;
    private long retryAt; // Environment.TickCount64 before which a failed mapping is not tried again

    private WalChangeWatch(string connectionString, string shmPath)
    {
        this.connectionString = connectionString;
        this.shmPath = shmPath;
    }

    /// <summary>A watch of the database file of a SQLite connection string; null for an in-memory database.</summary>
    public static WalChangeWatch? For(string connectionString)
    {
        var csb = new SqliteConnectionStringBuilder(connectionString);
        if (csb.Mode == SqliteOpenMode.Memory || csb.DataSource is "" or ":memory:") return null;
        return new WalChangeWatch(connectionString, Path.GetFullPath(csb.DataSource) + "-shm");
    }

    /// <summary>The 48-byte header now, as six words, or null when it cannot be read consistently.</summary>
    public ChangeStamp? Now()
    {
        var accessor = view ?? (Environment.TickCount64 >= Volatile.Read(ref retryAt) ? Map() : null);
        if (accessor is null) return null;
        var first = ReadCopy(accessor, 0);
        Interlocked.MemoryBarrier();
        var second = ReadCopy(accessor, HeaderBytes);
        // isInit is byte 12 of the header (little-endian: byte 4 of word B).
        return first == second && (first.B >> 32 & 0xFF) != 0 ? first : null;
    }

    private static ChangeStamp ReadCopy(MemoryMappedViewAccessor accessor, long offset) => new(
        accessor.ReadUInt64(offset), accessor.ReadUInt64(offset + 8), accessor.ReadUInt64(offset + 16),
        accessor.ReadUInt64(offset + 24), accessor.ReadUInt64(offset + 32), accessor.ReadUInt64(offset + 40));

    private MemoryMappedViewAccessor? Map()
    {
        lock (gate)
        {
            if (view is not null || disposed) return view;
            try
            {
                // Our own connection first: while it is open, no process can remove the file we map.
                sentinel ??= OpenSentinel();
                if (!File.Exists(shmPath) || new FileInfo(shmPath).Length < 2 * HeaderBytes)
                    throw new IOException($"{shmPath} is not there yet.");
                var stream = new FileStream(shmPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
                view = map.CreateViewAccessor(0, 2 * HeaderBytes, MemoryMappedFileAccess.Read);
                return view;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException)
            {
                Volatile.Write(ref retryAt, Environment.TickCount64 + 5_000);
                return null;
            }
        }
    }

    private SqliteConnection OpenSentinel()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var read = connection.CreateCommand();
        read.CommandText = "PRAGMA journal_mode"; // touches the database, so the WAL index exists
        var mode = read.ExecuteScalar() as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            connection.Dispose();
            throw new IOException($"The database is not in WAL mode ({mode}).");
        }
        return connection;
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            view?.Dispose();
            map?.Dispose();
            sentinel?.Dispose();
            (view, map, sentinel) = (null, null, null);
        }
    }
}
