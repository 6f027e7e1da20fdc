using System.Data.Common;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Observations;
using Csp.Api.Quality;
using Dapper;

namespace Csp.Api.Jobs;

/// <summary>A job as stored.</summary>
public sealed class JobRow
{
    public Guid PartnershipId { get; set; }
    public Guid Id { get; set; }
    public Guid? ClientId { get; set; }
    public Guid? AgencyId { get; set; }
    public string Kind { get; set; } = "";
    public string State { get; set; } = "";
    public bool DryRun { get; set; }
    public bool Atomic { get; set; }
    public bool ForceFinal { get; set; }
    public string MediaType { get; set; } = "";
    public int RowsTotal { get; set; }
    public int RowsDone { get; set; }
    public int ChunksTotal { get; set; }
    public int ChunksDone { get; set; }
    public int Created { get; set; }
    public int Updated { get; set; }
    public int Deleted { get; set; }
    public int Unchanged { get; set; }
    public int Rejected { get; set; }
    public int Conflicts { get; set; }
    public int Warnings { get; set; }
    public string? FailOn { get; set; }
    public string? Status { get; set; }
    public string? Error { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    public Job ToJob() => new(Id, EnumText<JobKind>.Parse(Kind), EnumText<JobState>.Parse(State), DryRun, Atomic,
        new JobProgress(RowsDone, RowsTotal),
        Status is null ? null : new JobResult(EnumText<BatchStatus>.Parse(Status), Created, Updated, Deleted, Unchanged, Rejected, DryRun),
        Conflicts, Warnings, Error, CreatedAt, StartedAt, FinishedAt, FinishedAt?.Add(JobQueries.KeptFor));
}

/// <summary>The jobs' SQL: a job, its waiting rows (chunks of NDJSON), its conflicts and its warnings.</summary>
public sealed class JobQueries(Db db)
{
    /// <summary>How long a finished job stays readable.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(7);

    private const string Columns = """
        partnership_id AS PartnershipId, id AS Id, client_id AS ClientId, agency_id AS AgencyId, kind AS Kind, state AS State,
        dry_run AS DryRun, atomic AS Atomic, force_final AS ForceFinal, media_type AS MediaType, rows_total AS RowsTotal,
        rows_done AS RowsDone, chunks_total AS ChunksTotal, chunks_done AS ChunksDone, n_created AS Created, n_updated AS Updated,
        n_deleted AS Deleted, n_unchanged AS Unchanged, n_rejected AS Rejected, n_conflicts AS Conflicts, n_warnings AS Warnings,
        fail_on AS FailOn, status AS Status, error AS Error, attempts AS Attempts, created_at AS CreatedAt, started_at AS StartedAt, finished_at AS FinishedAt
        """;

    private sealed record ConflictRow(Guid PartnershipId, Guid JobId, int N, int RowIndex, string Field, string Code, string Message);

    private sealed record WarningRow(Guid PartnershipId, Guid JobId, int N, int RowIndex, string Code, string Message, decimal? Expected,
        string? RuleCode);

    private sealed class StoredWarning
    {
        public int N { get; set; }
        public int RowIndex { get; set; }
        public string Code { get; set; } = "";
        public string Message { get; set; } = "";
        public decimal? Expected { get; set; }
        public string? RuleCode { get; set; }
    }

    private sealed class StoredConflict
    {
        public int N { get; set; }
        public int RowIndex { get; set; }
        public string Field { get; set; } = "";
        public string Code { get; set; } = "";
        public string Message { get; set; } = "";
    }

    private readonly string conflictRows = db.Dialect.JsonRows("@rows", ("PartnershipId", "UNIQUEIDENTIFIER"), ("JobId", "UNIQUEIDENTIFIER"),
        ("N", "INT"), ("RowIndex", "INT"), ("Field", "NVARCHAR(32)"), ("Code", "NVARCHAR(64)"), ("Message", "NVARCHAR(4000)"));

    private readonly string warningRows = db.Dialect.JsonRows("@rows", ("PartnershipId", "UNIQUEIDENTIFIER"), ("JobId", "UNIQUEIDENTIFIER"),
        ("N", "INT"), ("RowIndex", "INT"), ("Code", "NVARCHAR(64)"), ("Message", "NVARCHAR(4000)"), ("Expected", "DECIMAL(19,6)"),
        ("RuleCode", "NVARCHAR(64)"));

    public static Task InsertAsync(WriteUnit w, JobRow job) => w.ExecuteAsync("""
        INSERT INTO jobs (partnership_id, id, client_id, agency_id, kind, state, dry_run, atomic, force_final, fail_on, media_type,
                          rows_total, chunks_total, created_at)
        VALUES (@PartnershipId, @Id, @ClientId, @AgencyId, @Kind, @State, @DryRun, @Atomic, @ForceFinal, @FailOn, @MediaType,
                @RowsTotal, @ChunksTotal, @CreatedAt)
        """, job);

    public static Task InsertChunkAsync(WriteUnit w, Guid jobId, int seq, int firstIndex, int rowCount, string body) => w.ExecuteAsync("""
        INSERT INTO job_chunks (partnership_id, job_id, seq, first_index, row_count, body)
        VALUES (@PartnershipId, @jobId, @seq, @firstIndex, @rowCount, @body)
        """, new { w.PartnershipId, jobId, seq, firstIndex, rowCount, body });

    public async Task<JobRow?> GetAsync(Tenant tenant, Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await c.QuerySingleOrDefaultAsync<JobRow>(new CommandDefinition(
            $"SELECT {Columns} FROM jobs WHERE partnership_id = @PartnershipId AND id = @id", new { tenant.PartnershipId, id }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<(int N, ObservationConflict Conflict)>> ConflictsAsync(Tenant tenant, Guid id, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<StoredConflict>(new CommandDefinition($"""
            SELECT n AS N, row_index AS RowIndex, field AS Field, code AS Code, message AS Message
            FROM job_conflicts
            WHERE partnership_id = @PartnershipId AND job_id = @id AND (@After IS NULL OR n > @After)
            ORDER BY n {db.Dialect.Limit}
            """, new { tenant.PartnershipId, id, After = page.AfterPosition, Limit = page.Fetch }, cancellationToken: ct));
        return rows.Select(r => (r.N, new ObservationConflict(r.RowIndex, r.Field, EnumText<ConflictCode>.Parse(r.Code), r.Message))).ToList();
    }

    public async Task<IReadOnlyList<(int N, ObservationWarning Warning)>> WarningsAsync(Tenant tenant, Guid id, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<StoredWarning>(new CommandDefinition($"""
            SELECT n AS N, row_index AS RowIndex, code AS Code, message AS Message, expected AS Expected, rule_code AS RuleCode
            FROM job_warnings
            WHERE partnership_id = @PartnershipId AND job_id = @id AND (@After IS NULL OR n > @After)
            ORDER BY n {db.Dialect.Limit}
            """, new { tenant.PartnershipId, id, After = page.AfterPosition, Limit = page.Fetch }, cancellationToken: ct));
        return rows.Select(r => (r.N, new ObservationWarning(r.RowIndex, EnumText<WarningCode>.Parse(r.Code), r.Message, r.Expected, r.RuleCode)))
            .ToList();
    }

    /// <summary>A job's rows of chunk <paramref name="seq"/>: where they start in the push, and their NDJSON.</summary>
    public static Task<(int FirstIndex, string Body)> ChunkAsync(DbConnection c, DbTransaction? tx, Guid partnershipId, Guid jobId, int seq,
        CancellationToken ct) =>
        c.QuerySingleAsync<(int, string)>(new CommandDefinition("""
            SELECT first_index, body FROM job_chunks WHERE partnership_id = @partnershipId AND job_id = @jobId AND seq = @seq
            """, new { partnershipId, jobId, seq }, tx, cancellationToken: ct));

    /// <summary>Adds a chunk's conflicts, numbered on from the job's <paramref name="numbered"/> so far.</summary>
    public async Task AddConflictsAsync(WriteUnit w, Guid jobId, int numbered, IReadOnlyList<ObservationConflict> conflicts)
    {
        if (conflicts.Count == 0) return;
        var rows = conflicts.OrderBy(c => c.Index).Select((c, i) => new ConflictRow(w.PartnershipId, jobId, numbered + i + 1, c.Index, c.Field,
            EnumText<ConflictCode>.Text(c.Code), c.Message)).ToList();
        await db.Dialect.ExecuteManyAsync(w.Connection, w.Transaction, """
            INSERT INTO job_conflicts (partnership_id, job_id, n, row_index, field, code, message)
            VALUES (@PartnershipId, @JobId, @N, @RowIndex, @Field, @Code, @Message)
            """, $"""
            INSERT INTO job_conflicts (partnership_id, job_id, n, row_index, field, code, message)
            SELECT r.PartnershipId, r.JobId, r.N, r.RowIndex, r.Field, r.Code, r.Message FROM {conflictRows} r
            """, rows, w.Token);
    }

    /// <summary>Adds a chunk's data-quality warnings, numbered on from the job's <paramref name="numbered"/> so far.</summary>
    public async Task AddWarningsAsync(WriteUnit w, Guid jobId, int numbered, IReadOnlyList<ObservationWarning> warnings)
    {
        if (warnings.Count == 0) return;
        var rows = warnings.Select((x, i) => new WarningRow(w.PartnershipId, jobId, numbered + i + 1, x.Index, EnumText<WarningCode>.Text(x.Code),
            x.Message, x.Expected, x.Rule)).ToList();
        await db.Dialect.ExecuteManyAsync(w.Connection, w.Transaction, """
            INSERT INTO job_warnings (partnership_id, job_id, n, row_index, code, message, expected, rule_code)
            VALUES (@PartnershipId, @JobId, @N, @RowIndex, @Code, @Message, @Expected, @RuleCode)
            """, $"""
            INSERT INTO job_warnings (partnership_id, job_id, n, row_index, code, message, expected, rule_code)
            SELECT r.PartnershipId, r.JobId, r.N, r.RowIndex, r.Code, r.Message, r.Expected, r.RuleCode FROM {warningRows} r
            """, rows, w.Token);
    }

    /// <summary>Records a chunk's outcome (or, for an atomic job, the whole job's) in the unit that applied it.</summary>
    public static Task ProgressAsync(WriteUnit w, JobRow job) => w.ExecuteAsync("""
        UPDATE jobs SET chunks_done = @ChunksDone, rows_done = @RowsDone, n_created = @Created, n_updated = @Updated, n_deleted = @Deleted,
                        n_unchanged = @Unchanged, n_rejected = @Rejected, n_conflicts = @Conflicts, n_warnings = @Warnings, status = @Status,
                        state = @State,
                        error = @Error, finished_at = @FinishedAt
        WHERE partnership_id = @PartnershipId AND id = @Id
        """, job);

    /// <summary>The oldest job that is queued, or running under a lease that has run out (its runner died); null when there
    /// is none. Claim it with <see cref="ClaimAsync"/>.</summary>
    public async Task<JobRow?> NextAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenPlatformAsync(ct);
        return await c.QuerySingleOrDefaultAsync<JobRow>(new CommandDefinition($"""
            SELECT {Columns} FROM jobs
            WHERE state = 'queued' OR (state = 'running' AND lease_until < @now)
            ORDER BY created_at {db.Dialect.Limit}
            """, new { now, Limit = 1 }, cancellationToken: ct));
    }

    /// <summary>Takes <paramref name="job"/> for <paramref name="lease"/>, in its partnership's write; false when another
    /// runner took it first.</summary>
    public static async Task<bool> ClaimAsync(WriteUnit w, JobRow job, TimeSpan lease)
    {
        job.Attempts++;
        job.StartedAt ??= w.Now;
        var claimed = await w.ExecuteAsync("""
            UPDATE jobs SET state = 'running', attempts = @Attempts, started_at = @StartedAt, lease_until = @until
            WHERE partnership_id = @PartnershipId AND id = @Id AND (state = 'queued' OR (state = 'running' AND lease_until < @now))
            """, new { job.Attempts, job.StartedAt, until = w.Now + lease, now = w.Now, job.PartnershipId, job.Id });
        job.State = "running";
        return claimed == 1;
    }

    /// <summary>Holds the job <paramref name="until"/> then (null: no longer, once it has finished).</summary>
    public static Task RenewLeaseAsync(WriteUnit w, JobRow job, DateTimeOffset? until) =>
        w.ExecuteAsync("UPDATE jobs SET lease_until = @until WHERE partnership_id = @PartnershipId AND id = @Id",
            new { until, job.PartnershipId, job.Id });

    /// <summary>Ends a job that could not run to its end (its chunks go; what it applied stays, as its progress says).</summary>
    public static async Task FailAsync(WriteUnit w, JobRow job, string error)
    {
        await w.ExecuteAsync("""
            UPDATE jobs SET state = 'failed', error = @error, finished_at = @Now, lease_until = NULL
            WHERE partnership_id = @PartnershipId AND id = @Id
            """, new { error, w.Now, job.PartnershipId, job.Id });
        await DropChunksAsync(w, job.Id);
    }

    /// <summary>The partnerships with jobs finished before <paramref name="before"/>.</summary>
    public async Task<List<Guid>> ExpiredAsync(DateTimeOffset before, CancellationToken ct)
    {
        await using var c = await db.OpenPlatformAsync(ct);
        return (await c.QueryAsync<Guid>(new CommandDefinition("SELECT DISTINCT partnership_id FROM jobs WHERE finished_at < @before",
            new { before }, cancellationToken: ct))).AsList();
    }

    /// <summary>Removes the partnership's jobs finished before <paramref name="before"/>, with their conflicts.</summary>
    public static async Task<int> PurgeAsync(WriteUnit w, DateTimeOffset before)
    {
        await w.ExecuteAsync("""
            DELETE FROM job_conflicts WHERE partnership_id = @PartnershipId
              AND job_id IN (SELECT id FROM jobs WHERE partnership_id = @PartnershipId AND finished_at < @before)
            """, new { w.PartnershipId, before });
        await w.ExecuteAsync("""
            DELETE FROM job_warnings WHERE partnership_id = @PartnershipId
              AND job_id IN (SELECT id FROM jobs WHERE partnership_id = @PartnershipId AND finished_at < @before)
            """, new { w.PartnershipId, before });
        return await w.ExecuteAsync("DELETE FROM jobs WHERE partnership_id = @PartnershipId AND finished_at < @before", new { w.PartnershipId, before });
    }

    /// <summary>Removes the rows of a job that has finished.</summary>
    public static Task DropChunksAsync(WriteUnit w, Guid jobId) =>
        w.ExecuteAsync("DELETE FROM job_chunks WHERE partnership_id = @PartnershipId AND job_id = @jobId", new { w.PartnershipId, jobId });

    /// <summary>The partnership a job's runner acts in, as the client that sent the job.</summary>
    public async Task<Tenant?> TenantAsync(JobRow job, CancellationToken ct)
    {
        await using var c = await db.OpenPlatformAsync(ct);
        var p = await c.QuerySingleOrDefaultAsync<(string Slug, string AreaCode)>(new CommandDefinition(
            "SELECT slug, area_code FROM partnerships WHERE id = @PartnershipId", new { job.PartnershipId }, cancellationToken: ct));
        if (p.Slug is null) return null;
        if (job.Id == Guid.Empty) return new Tenant(job.PartnershipId, p.Slug, p.AreaCode, false, Caller.Platform);
        var scopes = new HashSet<string>(StringComparer.Ordinal) { Scopes.ObservationsWrite };
        if (job.ForceFinal) scopes.Add(Scopes.Admin);
        var caller = job.ClientId is null
            ? Caller.Platform
            : new Caller(job.ClientId, job.PartnershipId, job.AgencyId, scopes, false);
        return new Tenant(job.PartnershipId, p.Slug, p.AreaCode, false, caller);
    }

    public async Task<int> QueuedAsync(CancellationToken ct)
    {
        await using var c = await db.OpenPlatformAsync(ct);
        return await c.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM jobs WHERE state = 'queued'", cancellationToken: ct));
    }
}
