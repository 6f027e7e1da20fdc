using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Health;

/// <summary>Liveness (the process answers) and readiness (the database answers and is migrated).</summary>
internal static class HealthApi
{
    public sealed record HealthReport(string Status, string? Database = null);

    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health");
        group.MapGet("/live", Live).WithName("getLiveness").WithSummary("Liveness probe")
            .WithDescription("Answers 200 while the process is up. Needs no key.");
        group.MapGet("/ready", Ready).WithName("getReadiness").WithSummary("Readiness probe")
            .WithDescription("Answers 200 when the database answers and holds the schema, else 503. Needs no key.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    private static Ok<HealthReport> Live() => TypedResults.Ok(new HealthReport("ok"));

    private static async Task<Results<Ok<HealthReport>, ProblemHttpResult>> Ready(ReadinessProbe probe, CancellationToken ct) =>
        await probe.ProblemAsync(ct) is { } problem
            ? TypedResults.Problem(title: "Not ready", detail: problem, statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Ok(new HealthReport("ok", probe.Provider.ToString()));
}
