using System.Runtime.InteropServices;

namespace Csp.Api.Infrastructure.Data;

/// <summary>A database error that is about the storage, not the request: the same request can succeed once an operator has
/// fixed it, so the client is told to retry later and the operator what to fix.</summary>
public enum StorageFault
{
    /// <summary>The disk (or the database's file group or log) is full.</summary>
    Full,

    /// <summary>The database, its file or its folder is read-only.</summary>
    ReadOnly,

    /// <summary>The database cannot be opened or read (its file is gone, replaced, or unreadable).</summary>
    Unavailable,
}

/// <summary>Thrown before a write when the database the service started on is no longer the one at its path (deleted or
/// replaced underneath it): writing on would acknowledge data that no longer has a home.</summary>
public sealed class DatabaseUnavailableException(string message) : Exception(message);

/// <summary>The identity (device and inode) of a file, so a database file deleted or replaced under a running service is
/// noticed. POSIX only (stat from libc); null elsewhere, which turns the check off.</summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    /// <summary>The identity of the file at <paramref name="path"/>; null when there is none or it cannot be told.</summary>
    public static FileIdentity? Of(string path)
    {
        if (!OperatingSystem.IsLinux() || !Available) return null;
        // struct stat on Linux (x86-64 and arm64) starts with st_dev then st_ino, 8 bytes each; 256 bytes hold it all.
        var buffer = new byte[256];
        try
        {
            if (Stat(path, buffer) != 0) return null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            Available = false;
            return null;
        }
        return new FileIdentity(BitConverter.ToUInt64(buffer, 0), BitConverter.ToUInt64(buffer, 8));
    }

    private static bool Available = true;

    // The path goes as UTF-8 (LPUTF8Str), what Linux file names are; never through best-fit mapping to an ANSI code page.
    [DllImport("libc", EntryPoint = "stat", BestFitMapping = false)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] buffer);
}

/// <summary>Checks of the storage under a SQLite database that write nothing durable.</summary>
public static class StorageProbe
{
    /// <summary>Null when <paramref name="folder"/> takes a write now (a small file is written, flushed to the disk and
    /// deleted); otherwise why not, in words for the operator (a full disk, a read-only file system, no permission).</summary>
    public static string? FolderProblem(string folder)
    {
        var probe = Path.Combine(folder, $".csp-write-probe-{Environment.ProcessId}");
        try
        {
            using (var file = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
            {
                file.Write(new byte[4096]);
                file.Flush(flushToDisk: true);
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"the folder {folder} does not accept writes ({e.Message.TrimEnd('.')})";
        }
        finally
        {
            try { File.Delete(probe); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
