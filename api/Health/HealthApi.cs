using Csp.Api.Infrastructure.Data;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Health;

/// <summary>Liveness (the process answers) and readiness (the database answers and is migrated).</summary>
internal static class HealthApi
{
    public sealed record HealthReport(string Status, string? Database = null);

    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/live", Live).WithName("getLiveness").WithSummary("Liveness probe")
            .WithDescription("Answers 200 while the process is up. Needs no key.");
        group.MapGet("/ready", Ready).WithName("getReadiness").WithSummary("Readiness probe")
            .WithDescription("Answers 200 when the database answers and holds the schema, else 503. Needs no key.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    private static Ok<HealthReport> Live() => TypedResults.Ok(new HealthReport("ok"));

    private static async Task<Results<Ok<HealthReport>, ProblemHttpResult>> Ready(Db db, ILogger<Db> logger, CancellationToken ct)
    {
        try
        {
            // A failover or a deadlock is not "not ready": retried briefly before the probe answers 503.
            await Retry.TransientAsync(async t =>
            {
                // A platform connection: under row-level security one without a scope would count no row at all.
                await using var c = await db.OpenPlatformAsync(t);
                return await c.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM partnerships", cancellationToken: t));
            }, Retry.IsTransient, attempts: 3, Retry.DefaultFirstDelay, ct);
            return TypedResults.Ok(new HealthReport("ok", db.Dialect.Provider.ToString()));
        }
        catch (System.Data.Common.DbException e)
        {
            logger.LogWarning(e, "Readiness check failed");
            return TypedResults.Problem(title: "Not ready", detail: "The database does not answer or is not migrated.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
