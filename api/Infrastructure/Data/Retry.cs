using System.Data.Common;
using Microsoft.Data.SqlClient;

namespace Csp.Api.Infrastructure.Data;

/// <summary>
/// Retries a unit of work that failed for a reason that goes away by itself: a deadlock victim, an Azure SQL
/// failover or throttling, a timeout. Only for work that is safe to run twice: an idempotent read, or a write
/// whose transaction the failure rolled back and that recomputes its plan from the database (the batch push).
/// SQLite failures never qualify: its busy timeout has already waited.
/// </summary>
public static class Retry
{
    /// <summary>SQL Server error numbers worth another attempt.</summary>
    public static readonly IReadOnlySet<int> TransientSqlServerErrors = new HashSet<int>
    {
        1205,   // chosen as deadlock victim (the transaction was rolled back)
        -2,     // client-side timeout
        4060,   // cannot open database (e.g. during a failover)
        40197,  // service error processing the request (failover, upgrade)
        40501,  // service busy
        40613,  // database not currently available
        49918, 49919, 49920, // not enough resources / too many operations in progress
        10928, 10929, // resource limits reached
    };

    public const int DefaultAttempts = 4;

    public static readonly TimeSpan DefaultFirstDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>The error numbers an exception carries: a SqlException's errors; none for any other exception.</summary>
    public static IEnumerable<int> SqlServerErrorNumbers(DbException e) =>
        e is SqlException sql ? sql.Errors.Cast<SqlError>().Select(x => x.Number).Append(sql.Number) : [];

    /// <summary>True when <paramref name="e"/> is a SQL Server error worth another attempt.</summary>
    public static bool IsTransient(Exception e) => IsTransient(e, SqlServerErrorNumbers);

    /// <summary>The classification, over any way of reading error numbers (tests use a fake DbException).</summary>
    public static bool IsTransient(Exception e, Func<DbException, IEnumerable<int>> errorNumbers) =>
        e is DbException db && errorNumbers(db).Any(TransientSqlServerErrors.Contains);

    /// <summary>Runs <paramref name="operation"/>, retrying transient SQL Server errors with exponential backoff and jitter.</summary>
    public static Task<T> TransientAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken ct) =>
        TransientAsync(operation, IsTransient, DefaultAttempts, DefaultFirstDelay, ct);

    public static async Task<T> TransientAsync<T>(Func<CancellationToken, Task<T>> operation, Func<Exception, bool> isTransient,
        int attempts, TimeSpan firstDelay, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation(ct);
            }
            catch (Exception e) when (attempt < attempts && !ct.IsCancellationRequested && isTransient(e))
            {
                // 100 ms, 200 ms, 400 ms … each plus up to 50 % jitter, so retrying replicas do not collide again.
                var backoff = firstDelay * Math.Pow(2, attempt - 1);
                await Task.Delay(backoff + backoff * (Random.Shared.NextDouble() / 2), ct);
            }
        }
    }
}
