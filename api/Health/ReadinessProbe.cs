using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Health;

/// <summary>Whether the service can serve: the database answers and holds the schema.</summary>
public sealed class ReadinessProbe(Db db, ILogger<ReadinessProbe> logger)
{
    /// <summary>Null when ready; otherwise why not, in words for the operator.</summary>
    public async Task<string?> ProblemAsync(CancellationToken ct)
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
            return null;
        }
        catch (System.Data.Common.DbException e)
        {
            logger.LogWarning(e, "Readiness check failed");
            return "The database does not answer or is not migrated.";
        }
    }

    public DatabaseProvider Provider => db.Dialect.Provider;
}
