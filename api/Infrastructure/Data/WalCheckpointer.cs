using Microsoft.Extensions.Options;

namespace Csp.Api.Infrastructure.Data;

/// <summary>
/// Keeps SQLite's write-ahead log small. SQLite's own checkpoints copy the log into the database but can only start the
/// log again from the beginning when no reader is still using it, so under overlapping pushes and portal reads it grows
/// and keeps its size. Once a second this truncates it (in the write turn, <see cref="Db.TruncateWalAsync"/>) when it has
/// grown past <see cref="DatabaseOptions.WalTruncateAboveMegabytes"/>, and as soon as writes pause, so an idle service's
/// log is empty.
/// </summary>
public sealed partial class WalCheckpointer(Db db, IOptions<DatabaseOptions> options, ILogger<WalCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ReaderWait = TimeSpan.FromSeconds(2);

    private (long Length, DateTime Written) last;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (db.FilePath is null) return;
        var wal = new FileInfo(db.FilePath + "-wal");
        var above = options.Value.WalTruncateAboveMegabytes * 1024L * 1024L;
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                wal.Refresh();
                var now = wal.Exists ? (wal.Length, wal.LastWriteTimeUtc) : (0, default);
                var idle = now == last;
                last = now;
                if (now.Item1 == 0 || (!idle && now.Item1 < above)) continue;
                await TruncateAsync(now.Item1, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task TruncateAsync(long length, CancellationToken ct)
    {
        try
        {
            if (await db.TruncateWalAsync(ReaderWait, ct)) last = (0, default);
            else Log.HeldUp(logger, length);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException)
        {
            Log.Failed(logger, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Debug, "WAL checkpoint of {Bytes} bytes held up by a reader; trying again")]
        public static partial void HeldUp(ILogger logger, long bytes);

        [LoggerMessage(LogLevel.Warning, "WAL checkpoint failed; trying again")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
