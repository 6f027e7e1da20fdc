using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Health;

/// <summary>Liveness (the process answers) and readiness (the database answers and is migrated).</summary>
internal static class HealthApi
{
    /// <summary>The probe's answer.</summary>
    /// <param name="Status">Always <c>ok</c> (a service that is not ready answers 503 with a problem instead).</param>
    /// <param name="Database">The database engine the service uses (<c>Sqlite</c> or <c>SqlServer</c>); given by the readiness probe only,
    /// null from the liveness probe.</param>
    public sealed record HealthReport(string Status, string? Database = null);

    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/live", Live).WithName("getLiveness").WithSummary("Liveness probe")
            .WithDescription("Answers 200 while the process is up. Needs no key.");
        group.MapGet("/ready", Ready).WithName("getReadiness").WithSummary("Readiness probe")
            .WithDescription("Answers 200 when the service can read and write: the database is the file it started on, its storage takes a write, " +
                             "it holds every migration of this build and answers a read; else 503 naming the cause, with Retry-After. Needs no key.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    private static Ok<HealthReport> Live() => TypedResults.Ok(new HealthReport("ok"));

    /// <summary>Retry-After of a 503 from the readiness probe.</summary>
    private const string NotReadyRetryAfter = "5";

    private static async Task<Results<Ok<HealthReport>, ProblemHttpResult>> Ready(ReadinessProbe probe, HttpContext http, CancellationToken ct)
    {
        if (await probe.ProblemAsync(ct) is not { } problem) return TypedResults.Ok(new HealthReport("ok", probe.Provider.ToString()));
        http.Response.Headers.RetryAfter = NotReadyRetryAfter;
        return TypedResults.Problem(title: "Not ready", detail: problem, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
