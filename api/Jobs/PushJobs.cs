using System.Text;
using System.Text.Json;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Infrastructure.Observability;
using Csp.Api.Observations;
using Csp.Api.Quality;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Csp.Api.Jobs;

/// <summary>Settings of the job runner (section <c>Jobs</c>).</summary>
public sealed class JobOptions
{
    public const string Section = "Jobs";

    /// <summary>How long a runner holds a job without news before another (or the next start) takes it over.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an idle runner looks for work it was not woken for (jobs of other processes, expired leases).</summary>
    public TimeSpan Poll { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a job is started before it is reported failed.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Rows per chunk: one write turn of a job, short enough for other writers to come in between.</summary>
    public int ChunkRows { get; set; } = 2_000;
}

/// <summary>
/// Push jobs: <see cref="SubmitAsync"/> stores the rows of a push as chunks with its job, in one write, and the runner (one per
/// process, one job at a time) applies the chunks in order. Each chunk's writes, conflicts and the job's progress commit
/// together, so a job resumed after a crash starts at the first chunk not applied: nothing is applied twice. An atomic job
/// applies every chunk in one write and keeps all or nothing. Between chunks other writers get their turn.
/// </summary>
public sealed partial class PushJobs(AuditedWriter writer, BatchPush push, JobQueries jobs, Db db, TimeProvider clock,
    IOptions<JsonOptions> json, IOptions<JobOptions> options, ILogger<PushJobs> logger) : BackgroundService, IJobQueueDepth
{
    /// <summary>The most conflicts an atomic job that was rejected keeps (its rows were all rejected anyway).</summary>
    public const int AtomicConflictsKept = 10_000;

    private readonly SemaphoreSlim wake = new(0);
    private long queued;
    private long nextPurgeTicks;

    public string Kind => "observations";
    public long Queued => Interlocked.Read(ref queued);

    public async Task<WriteResult<Job>> SubmitAsync(Tenant tenant, PushBody body, PushOptions push, CancellationToken ct)
    {
        var result = await writer.RunAsync(tenant, WriteOp.Plain, async w =>
        {
            var job = new JobRow
            {
                PartnershipId = tenant.PartnershipId, Id = Ids.New(), ClientId = tenant.Caller.ClientId, AgencyId = tenant.Caller.AgencyId,
                Kind = EnumText<JobKind>.Text(JobKind.Observations), State = EnumText<JobState>.Text(JobState.Queued), DryRun = push.DryRun == true,
                Atomic = push.Atomic == true, ForceFinal = push.Force == true, FailOn = push.FailOn?.Text, MediaType = body.MediaType, RowsTotal = body.Count,
                ChunksTotal = (body.Count + options.Value.ChunkRows - 1) / options.Value.ChunkRows, CreatedAt = w.Now,
            };
            await JobQueries.InsertAsync(w, job);
            var (seq, first) = (0, 0);
            await foreach (var chunk in body.ChunksAsync(options.Value.ChunkRows, ct))
            {
                await JobQueries.InsertChunkAsync(w, job.Id, seq++, first, chunk.Count, Ndjson(chunk));
                first += chunk.Count;
            }
            return WriteResult<Job>.Done(job.ToJob());
        }, ct);
        wake.Release();
        return result;
    }

    private string Ndjson(List<ObservationInput> rows)
    {
        var text = new StringBuilder(rows.Count * 100);
        foreach (var row in rows) text.Append(JsonSerializer.Serialize(row, json.Value.SerializerOptions)).Append('\n');
        return text.ToString();
    }

    private List<ObservationInput> Rows(string ndjson) =>
        ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonSerializer.Deserialize<ObservationInput>(line, json.Value.SerializerOptions)!).ToList();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PurgeAsync(stoppingToken);
                var job = await jobs.NextAsync(clock.GetUtcNow(), stoppingToken);
                if (job is null)
                {
                    Interlocked.Exchange(ref queued, 0);
                    await wake.WaitAsync(options.Value.Poll, stoppingToken);
                    continue;
                }
                Interlocked.Exchange(ref queued, await jobs.QueuedAsync(stoppingToken));
                await RunAsync(job, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.RunnerError(logger, e);
                await Task.Delay(options.Value.Poll, stoppingToken);
            }
        }
    }

    private async Task PurgeAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now.UtcTicks < nextPurgeTicks) return;
        nextPurgeTicks = (now + TimeSpan.FromMinutes(10)).UtcTicks;
        foreach (var partnership in await jobs.ExpiredAsync(now - JobQueries.KeptFor, ct))
        {
            if (await jobs.TenantAsync(new JobRow { PartnershipId = partnership }, ct) is not { } tenant) continue;
            var purged = 0;
            await writer.RunAsync(tenant, WriteOp.Plain, async w =>
            {
                purged = await JobQueries.PurgeAsync(w, now - JobQueries.KeptFor);
                return purged > 0 ? WriteResult<int>.Done(purged) : WriteResult<int>.Unchanged(0);
            }, ct);
            if (purged > 0) Log.Purged(logger, purged);
        }
    }

    /// <summary>Takes the job in its partnership's write and runs it; another runner may have taken it first.</summary>
    private async Task RunAsync(JobRow job, CancellationToken ct)
    {
        if (await jobs.TenantAsync(job, ct) is not { } tenant) return;
        var claim = await writer.RunAsync(tenant, WriteOp.Plain, async w =>
            await JobQueries.ClaimAsync(w, job, options.Value.Lease) ? WriteResult<bool>.Done(true) : WriteResult<bool>.Unchanged(false), ct);
        if (!claim.Changed) return;
        if (job.Attempts > options.Value.MaxAttempts)
        {
            await FailAsync(job, tenant, $"The job was started {options.Value.MaxAttempts} times and interrupted each time; " +
                                         $"{job.RowsDone:N0} of {job.RowsTotal:N0} rows had been applied. Send the rest again.");
            return;
        }
        using var span = CspTelemetry.StartSpan("push job", tenant.Slug);
        try
        {
            if (job.Atomic && !job.DryRun) await RunAtomicAsync(job, tenant, ct);
            else if (!await RunChunksAsync(job, tenant, ct)) return;
            Log.Finished(logger, job.Id, job.Status ?? "", job.RowsTotal);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log.JobError(logger, e, job.Id);
            await FailAsync(job, tenant, "The job stopped on an error (logged with its id); what its progress counts was applied. Send the rest again.");
        }
    }

    private Task<WriteResult<bool>> FailAsync(JobRow job, Tenant tenant, string error) =>
        writer.RunAsync(tenant, WriteOp.Plain, async w =>
        {
            await JobQueries.FailAsync(w, job, error);
            return WriteResult<bool>.Done(true);
        }, CancellationToken.None);

    /// <summary>Chunk by chunk, each in its own write with the job's progress (a dry run reads and records progress only).</summary>
    /// <returns>False when a chunk was refused and the job reported failed.</returns>
    private async Task<bool> RunChunksAsync(JobRow job, Tenant tenant, CancellationToken ct)
    {
        var scope = new PushScope();
        for (var seq = 0; seq < job.ChunksDone; seq++)
        {
            await using var c = await db.OpenAsync(tenant, ct);
            var (first, body) = await JobQueries.ChunkAsync(c, null, job.PartnershipId, job.Id, seq, ct);
            scope.Offset = first;
            await BatchPush.RememberAsync(c, tenant, Rows(body), scope, clock.GetUtcNow(), ct);
        }
        if (job.ChunksTotal == 0) await RecordAsync(job, tenant, null, [], []);
        for (var seq = job.ChunksDone; seq < job.ChunksTotal; seq++)
        {
            var chunk = seq;
            if (job.DryRun)
            {
                var part = await CheckChunkAsync(job, tenant, scope, chunk, ct);
                await RecordAsync(job, tenant, null, part.Conflicts, part.Warnings);
                continue;
            }
            // The chunk's rows are read, and checked, before its write turn (a chunk is never changed once stored).
            List<ObservationInput> chunkRows;
            await using (var c = await db.OpenAsync(tenant, ct))
            {
                var (first, body) = await JobQueries.ChunkAsync(c, null, job.PartnershipId, job.Id, chunk, ct);
                scope.Offset = first;
                chunkRows = Rows(body);
            }
            var applied = job.RowsDone;
            var refused = await push.WriteChunkAsync(tenant, chunkRows, scope, job.ForceFinal, FailsOnWarnings(job), async (w, part) =>
            {
                Count(job, part, chunkRows.Count);
                await RecordAsync(job, tenant, w, part.Conflicts, part.Warnings);
            }, ct);
            if (refused is not null)
            {
                // Nothing of the chunk committed, its progress included: the job stops with what the chunks before applied.
                Log.ChunkRefused(logger, job.Id, refused.Message);
                await FailAsync(job, tenant, $"Rows {scope.Offset:N0} to {scope.Offset + chunkRows.Count - 1:N0} were refused ({refused.Message}); " +
                                             $"the {applied:N0} rows before them were applied. Send the rest again.");
                return false;
            }
        }
        return true;
    }

    /// <summary>Every chunk in one write: kept together, or (on any conflict) none of them. The rows are checked first, out of
    /// the write turn (<see cref="CheckFirstAsync"/>): a job with a conflict is rejected without taking it.</summary>
    private async Task RunAtomicAsync(JobRow job, Tenant tenant, CancellationToken ct)
    {
        if (await CheckFirstAsync(job, tenant, ct) is { } rejected)
        {
            await RecordAsync(job, tenant, null, rejected.Conflicts, rejected.Warnings);
            return;
        }
        var conflicts = new List<ObservationConflict>();
        var warnings = new List<ObservationWarning>();
        var result = await writer.RunAsync(tenant, WriteOp.Plain, async w =>
        {
            var scope = new PushScope();
            for (var seq = 0; seq < job.ChunksTotal; seq++)
            {
                var (first, body) = await JobQueries.ChunkAsync(w.Connection, w.Transaction, job.PartnershipId, job.Id, seq, ct);
                scope.Offset = first;
                var rows = Rows(body);
                // Once a conflict has rejected the job, the remaining chunks are only checked, to report their conflicts too.
                var failOn = FailsOnWarnings(job);
                var part = job.Rejected > 0
                    ? await push.CheckAsync(w.Connection, w.Transaction, tenant, rows, scope, job.ForceFinal, w.Now, ct, failOn)
                    : await push.WriteAsync(w, rows, scope, job.ForceFinal, found => found.Count > 0, ct, failOn);
                Count(job, part, rows.Count);
                conflicts.AddRange(part.Conflicts.Take(AtomicConflictsKept - conflicts.Count));
                warnings.AddRange(part.Warnings.Take(AtomicConflictsKept - warnings.Count));
            }
            if (job.Rejected > 0) return WriteResult<Job>.Unchanged(job.ToJob());
            await RecordAsync(job, tenant, w, [], warnings);
            return WriteResult<Job>.Done(job.ToJob());
        }, ct);
        if (!result.Changed) await RecordAsync(job, tenant, null, conflicts, warnings);
    }

    /// <summary>
    /// An atomic job's rows checked chunk by chunk, each on a reader in the partnership's push turn as a chunk of any job is, and
    /// none in the write turn. With a conflict, the job is rejected as these checks found it (its counts, conflicts and warnings
    /// returned): another partnership's write waits for none of it, where checking every chunk in the write turn held that turn
    /// for as long as the job's rows took to check. Without one, the job's counts are left as they were and null is returned:
    /// the job is then written in one unit, checked again there against what is stored by then.
    /// </summary>
    private async Task<(List<ObservationConflict> Conflicts, List<ObservationWarning> Warnings)?> CheckFirstAsync(JobRow job, Tenant tenant,
        CancellationToken ct)
    {
        var before = (job.Created, job.Updated, job.Deleted, job.Unchanged, job.Rejected, job.RowsDone, job.ChunksDone);
        var conflicts = new List<ObservationConflict>();
        var warnings = new List<ObservationWarning>();
        var scope = new PushScope();
        // These checks write nothing, so the job's lease is renewed on its own whenever a third of it has passed since it was
        // last (between chunks, and before the write, which then has at least two thirds of it, as it had once claimed).
        var renewed = clock.GetUtcNow();
        async Task RenewAsync()
        {
            if (clock.GetUtcNow() - renewed < options.Value.Lease / 3) return;
            await writer.RunAsync(tenant, WriteOp.Plain, async w =>
            {
                await JobQueries.RenewLeaseAsync(w, job, w.Now + options.Value.Lease);
                return WriteResult<bool>.Done(true);
            }, ct);
            renewed = clock.GetUtcNow();
        }
        for (var seq = 0; seq < job.ChunksTotal; seq++)
        {
            await RenewAsync();
            BatchPush.Part part;
            using (await db.PushTurnAsync(tenant, ct)) part = await CheckChunkAsync(job, tenant, scope, seq, ct);
            conflicts.AddRange(part.Conflicts.Take(AtomicConflictsKept - conflicts.Count));
            warnings.AddRange(part.Warnings.Take(AtomicConflictsKept - warnings.Count));
        }
        if (job.Rejected > 0) return (conflicts, warnings);
        (job.Created, job.Updated, job.Deleted, job.Unchanged, job.Rejected, job.RowsDone, job.ChunksDone) = before;
        await RenewAsync();
        return null;
    }

    /// <summary>Reads chunk <paramref name="seq"/> and checks its rows on a reader, writing nothing, and counts them into the
    /// job.</summary>
    private async Task<BatchPush.Part> CheckChunkAsync(JobRow job, Tenant tenant, PushScope scope, int seq, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var (first, body) = await JobQueries.ChunkAsync(c, null, job.PartnershipId, job.Id, seq, ct);
        scope.Offset = first;
        var rows = Rows(body);
        var part = await push.CheckAsync(c, null, tenant, rows, scope, job.ForceFinal, clock.GetUtcNow(), ct, FailsOnWarnings(job));
        Count(job, part, rows.Count);
        return part;
    }

    /// <summary>Whether the push was sent with <c>failOn=warnings</c> (each warning a conflict of its code).</summary>
    private static bool FailsOnWarnings(JobRow job) => job.FailOn is not null;

    private static void Count(JobRow job, BatchPush.Part part, int rows)
    {
        var rejected = part.Conflicts.Select(c => c.Index).Distinct().Count();
        job.Created += part.Created;
        job.Updated += part.Updated;
        job.Deleted += part.Deleted;
        job.Unchanged += part.Unchanged;
        job.Rejected += rejected;
        job.RowsDone += rows;
        job.ChunksDone++;
    }

    /// <summary>Records the job's progress and a chunk's conflicts and warnings in <paramref name="w"/> (or a write of its own), and, after its
    /// last chunk, its outcome: a job rejected as a whole (atomic with a conflict, or every row rejected) counts every row
    /// rejected and nothing else, as a synchronous push does.</summary>
    private async Task RecordAsync(JobRow job, Tenant tenant, WriteUnit? w, List<ObservationConflict> conflicts, List<ObservationWarning> warnings)
    {
        var last = job.ChunksDone >= job.ChunksTotal;
        if (last)
        {
            job.State = EnumText<JobState>.Text(JobState.Succeeded);
            var rejectedWhole = job.Rejected > 0 && (job.Atomic || job.Rejected == job.RowsTotal);
            if (rejectedWhole) (job.Created, job.Updated, job.Deleted, job.Unchanged, job.Rejected) = (0, 0, 0, 0, job.RowsTotal);
            job.Status = EnumText<BatchStatus>.Text(rejectedWhole ? BatchStatus.Rejected : job.Rejected > 0 ? BatchStatus.Partial : BatchStatus.Ok);
            job.FinishedAt = clock.GetUtcNow();
        }
        async Task WriteAsync(WriteUnit unit)
        {
            await jobs.AddConflictsAsync(unit, job.Id, job.Conflicts, conflicts);
            job.Conflicts += conflicts.Count;
            await jobs.AddWarningsAsync(unit, job.Id, job.Warnings, warnings);
            job.Warnings += warnings.Count;
            await JobQueries.ProgressAsync(unit, job);
            await JobQueries.RenewLeaseAsync(unit, job, last ? null : clock.GetUtcNow() + options.Value.Lease);
            if (last) await JobQueries.DropChunksAsync(unit, job.Id);
        }
        if (w is not null)
        {
            await WriteAsync(w);
            return;
        }
        await writer.RunAsync(tenant, WriteOp.Plain, async unit =>
        {
            await WriteAsync(unit);
            return WriteResult<Job>.Done(job.ToJob());
        }, CancellationToken.None);
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Information, "Job {JobId} finished: {Status}, {Rows} rows")]
        public static partial void Finished(ILogger logger, Guid jobId, string status, int rows);

        [LoggerMessage(LogLevel.Warning, "Job {JobId} stopped: a chunk's write was refused ({Refusal})")]
        public static partial void ChunkRefused(ILogger logger, Guid jobId, string? refusal);

        [LoggerMessage(LogLevel.Error, "Job {JobId} failed")]
        public static partial void JobError(ILogger logger, Exception exception, Guid jobId);

        [LoggerMessage(LogLevel.Error, "The job runner met an error; it carries on")]
        public static partial void RunnerError(ILogger logger, Exception exception);

        [LoggerMessage(LogLevel.Information, "Purged {Count} job(s) finished more than 7 days ago.")]
        public static partial void Purged(ILogger logger, int count);
    }
}
