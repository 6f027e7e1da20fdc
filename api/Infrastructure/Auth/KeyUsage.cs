using System.Collections.Concurrent;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Infrastructure.Auth;

/// <summary>
/// Remembers when each key was last used and writes it in one batch per interval, so a busy key
/// costs no write per request. A crash loses at most one interval of "last used" times.
/// </summary>
public sealed partial class KeyUsage(Db db, IConfiguration configuration, ILogger<KeyUsage> logger) : BackgroundService
{
    /// <summary>How often pending times are written (<c>Auth:KeyUsageFlushInterval</c>, default 30 s).</summary>
    private TimeSpan Interval => configuration.GetValue("Auth:KeyUsageFlushInterval", TimeSpan.FromSeconds(30));

    private readonly ConcurrentDictionary<Guid, DateTimeOffset> pending = new();

    // A lock-free read first: a busy key would otherwise take the same dictionary lock on every request, and a time a
    // second newer than the pending one adds nothing to an interval-long batch.
    public void Touch(Guid clientId, DateTimeOffset at)
    {
        if (pending.TryGetValue(clientId, out var known) && at - known < TimeSpan.FromSeconds(1)) return;
        pending[clientId] = at;
    }

    /// <summary>Writes the pending times (only ever moving last_used_at forward).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        if (pending.IsEmpty) return;
        var batch = new List<(Guid Id, DateTimeOffset At)>();
        foreach (var id in pending.Keys)
            if (pending.TryRemove(id, out var at)) batch.Add((id, at));
        // Keys of every partnership in one batch: the platform's own write, each row named by its key's id.
        await using var w = await db.BeginPlatformWriteAsync(ct);
        await w.ExecuteAsync("""
            UPDATE clients SET last_used_at = @At WHERE id = @Id AND (last_used_at IS NULL OR last_used_at < @At)
            """, batch.Select(b => new { b.Id, b.At }));
        await w.CommitAsync();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try { await FlushAsync(stoppingToken); }
                catch (System.Data.Common.DbException e) { Log.FlushFailed(logger, e); }
            }
        }
        catch (OperationCanceledException) { }
        await FlushAsync(CancellationToken.None);
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Warning, "Could not record key usage; will retry.")]
        public static partial void FlushFailed(ILogger logger, Exception exception);
    }
}
