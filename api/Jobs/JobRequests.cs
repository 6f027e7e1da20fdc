using System.Text.Json.Serialization;
using Csp.Api.Infrastructure;
using Csp.Api.Observations;

namespace Csp.Api.Jobs;

/// <summary>Where a job is: <c>queued</c> (accepted, waiting for the job runner), <c>running</c>, <c>succeeded</c> (its
/// <c>result</c> says what it did, which may be <c>rejected</c>) or <c>failed</c> (it could not be run to its end; <c>error</c>
/// says why, and no chunk of an atomic job was kept).</summary>
[JsonConverter(typeof(StringEnumConverter<JobState>))]
public enum JobState
{
    [JsonStringEnumMemberName("queued")] Queued,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("succeeded")] Succeeded,
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>What a job does: <c>observations</c>, a batch push.</summary>
[JsonConverter(typeof(StringEnumConverter<JobKind>))]
public enum JobKind
{
    [JsonStringEnumMemberName("observations")] Observations,
}

/// <summary>How far a job has got.</summary>
/// <param name="RowsDone">Rows applied (or, in a dry run, checked) so far.</param>
/// <param name="RowsTotal">Rows the job holds.</param>
public sealed record JobProgress(int RowsDone, int RowsTotal);

/// <summary>What a finished push job did: the summary a synchronous push answers, with its conflicts at
/// <c>/jobs/{id}/conflicts</c> and its warnings at <c>/jobs/{id}/warnings</c>. created + updated + deleted + unchanged + rejected = rows sent.</summary>
/// <param name="Status"><c>ok</c>, <c>partial</c> or <c>rejected</c>.</param>
/// <param name="Created">Rows for an (indicator, period, area) that had no value yet.</param>
/// <param name="Updated">Rows that changed a stored value, status or note (each old value kept as a revision).</param>
/// <param name="Deleted">Delete rows that retracted a stored value.</param>
/// <param name="Unchanged">Rows equal to the stored value, and delete rows for a value that is not there.</param>
/// <param name="Rejected">Rows not kept: those with a conflict, or every row when the job was rejected as a whole.</param>
/// <param name="DryRun">True when nothing was written.</param>
public sealed record JobResult(BatchStatus Status, int Created, int Updated, int Deleted, int Unchanged, int Rejected, bool DryRun);

/// <summary>An asynchronous job: a push too large to answer at once, or sent with <c>Prefer: respond-async</c>.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Kind">What the job does.</param>
/// <param name="State"><c>queued</c>, <c>running</c>, <c>succeeded</c> or <c>failed</c>.</param>
/// <param name="DryRun">The push was sent with <c>dryRun=true</c>: it checks and reports, writing nothing.</param>
/// <param name="Atomic">The push was sent with <c>atomic=true</c>: any conflict rejects the whole job, and nothing of it is kept.</param>
/// <param name="Progress">Rows done of rows sent.</param>
/// <param name="Result">When <c>succeeded</c>: what the push did; null before.</param>
/// <param name="Conflicts">How many conflicts the job has found so far (read them at <c>/jobs/{id}/conflicts</c>).</param>
/// <param name="Warnings">How many data-quality warnings the job's rows have had so far, as a synchronous push answers them (read them
/// at <c>/jobs/{id}/warnings</c>).</param>
/// <param name="Error">When <c>failed</c>: why; null otherwise.</param>
/// <param name="CreatedAt">When the job was accepted (UTC).</param>
/// <param name="StartedAt">When the job runner first took it; null while queued.</param>
/// <param name="FinishedAt">When it succeeded or failed; null before.</param>
/// <param name="ExpiresAt">When a finished job is purged (7 days after it finished); null before.</param>
public sealed record Job(Guid Id, JobKind Kind, JobState State, bool DryRun, bool Atomic, JobProgress Progress, JobResult? Result, int Conflicts,
    int Warnings, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, DateTimeOffset? ExpiresAt);
