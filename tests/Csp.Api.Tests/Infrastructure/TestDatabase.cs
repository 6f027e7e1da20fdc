using System.Data.Common;
using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Tests.Infrastructure;

/// <summary>
/// The database one <see cref="CspApiFactory"/> runs the service on: a fresh one of its own, empty until the service
/// migrates it at start-up, removed when the factory that owns it is disposed. Which engine a test project uses is
/// decided by its <c>SuiteDatabase</c>: SQLite in Csp.Api.Tests, SQL Server in Csp.Api.SqlServer.Tests (which compiles
/// the same tests).
/// </summary>
public abstract class TestDatabase : IDisposable
{
    public abstract DatabaseProvider Provider { get; }

    /// <summary>The connection string the service is given (ConnectionStrings:Csp).</summary>
    public abstract string ConnectionString { get; }

    /// <summary>Makes sure the (empty) database exists before a service starts on it; safe to call again.</summary>
    public abstract void Prepare();

    /// <summary>An open connection of the test's own, outside the service and its pool: for a change made "outside the API".</summary>
    public abstract Task<DbConnection> OpenConnectionAsync();

    public abstract void Dispose();
}
