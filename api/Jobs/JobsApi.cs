using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Observations;
using Csp.Api.Quality;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Jobs;

internal static class JobsApi
{
    public static RouteGroupBuilder MapJobs(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/jobs").WithTags("Jobs");
        group.MapGet("/{jobId:guid}", GetJob).WithName("getJob").WithSummary("A push job's state, progress and result")
            .WithDescription("A push sent with `Prefer: respond-async`, or larger than 10,000 rows, answers 202 with this job's URL in " +
                             "`Location`. The job is `queued`, then `running` (progress: rows done of rows sent), then `succeeded` with the " +
                             "summary a synchronous push answers (its conflicts at `/jobs/{id}/conflicts`, its warnings at `/jobs/{id}/warnings`), or `failed` with an `error`. " +
                             "A job survives a restart of the service: it resumes where it was, and never applies a row twice. While it " +
                             "is queued or running the answer says `Retry-After`. Finished jobs are kept 7 days (`expiresAt`).")
            .RequireScope(Scopes.ObservationsWrite).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{jobId:guid}/conflicts", ListJobConflicts).WithName("listJobConflicts").WithSummary("A push job's conflicts")
            .WithDescription("Why each rejected row of the job was rejected, {index, field, code, message} as in a synchronous push, in row " +
                             "order; cursor-paginated. It grows while the job runs.")
            .RequireScope(Scopes.ObservationsWrite).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{jobId:guid}/warnings", ListJobWarnings).WithName("listJobWarnings").WithSummary("A push job's data-quality warnings")
            .WithDescription("The data-quality warnings of the job's rows, {index, code, message, expected?, rule?} as in a synchronous " +
                             "push (`outside_bounds`, `outlier`, `large_change`, `rule_violation`), in the order the job met them; " +
                             "cursor-paginated. It grows while the job runs. With `failOn=warnings` they are conflicts instead.")
            .RequireScope(Scopes.ObservationsWrite).ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>Retry-After while a job is queued or running: when to look again.</summary>
    public const int PollSeconds = 1;

    private static async Task<Results<Ok<Job>, ProblemHttpResult>> GetJob(Tenant tenant, Guid jobId, JobQueries jobs, HttpContext http,
        CancellationToken ct)
    {
        if (await jobs.GetAsync(tenant, jobId, ct) is not { } row) return Errors.NotFound("job " + jobId);
        var job = row.ToJob();
        if (job.State is JobState.Queued or JobState.Running)
            http.Response.Headers.RetryAfter = PollSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Ok(job);
    }

    private static Task<Results<Ok<Page<ObservationConflict>>, ValidationProblem, ProblemHttpResult>> ListJobConflicts(
        Tenant tenant, Guid jobId, [AsParameters] PageQuery query, JobQueries jobs, CancellationToken ct) =>
        ListAsync(tenant, jobId, query, jobs, page => jobs.ConflictsAsync(tenant, jobId, page, ct), ct);

    private static Task<Results<Ok<Page<ObservationWarning>>, ValidationProblem, ProblemHttpResult>> ListJobWarnings(
        Tenant tenant, Guid jobId, [AsParameters] PageQuery query, JobQueries jobs, CancellationToken ct) =>
        ListAsync(tenant, jobId, query, jobs, page => jobs.WarningsAsync(tenant, jobId, page, ct), ct);

    /// <summary>A page of what a job found (numbered in the order it found them), after the job's own 404.</summary>
    private static async Task<Results<Ok<Page<T>>, ValidationProblem, ProblemHttpResult>> ListAsync<T>(Tenant tenant, Guid jobId, PageQuery query,
        JobQueries jobs, Func<PageRequest, Task<IReadOnlyList<(int N, T Item)>>> read, CancellationToken ct)
    {
        if (!query.TryGet(out var page, out var errors)) return Errors.Invalid(errors);
        if (await jobs.GetAsync(tenant, jobId, ct) is null) return Errors.NotFound("job " + jobId);
        var paged = page.ToPage(await read(page), r => PageRequest.Key(r.N, Guid.Empty));
        return TypedResults.Ok(new Page<T>(paged.Items.Select(r => r.Item).ToList(), paged.NextCursor));
    }

    /// <summary>The path a job is read at.</summary>
    public static string PathOf(Tenant tenant, Guid jobId) => $"/v1/partnerships/{tenant.Slug}/jobs/{jobId}";
}

public static class JobsSetup
{
    public static IServiceCollection AddCspJobs(this IServiceCollection services)
    {
        services.AddOptions<JobOptions>().BindConfiguration(JobOptions.Section).ValidateOnStart();
        services.AddSingleton<PushJobs>();
        services.AddSingleton<Infrastructure.Observability.IJobQueueDepth>(sp => sp.GetRequiredService<PushJobs>());
        // Not while the build generates the contract (GetDocument.Insider runs Program without a database).
        if (System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name != "GetDocument.Insider")
            services.AddHostedService(sp => sp.GetRequiredService<PushJobs>());
        return services;
    }
}
