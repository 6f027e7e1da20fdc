namespace Csp.Api.Tests.Infrastructure;

/// <summary>
/// The service on SQL Server whatever the project's suite engine: a fresh database on the server <c>CSP_TEST_SQLSERVER</c>
/// points at (<see cref="SqlServerTestDatabase"/>), created empty, migrated by the service at start-up exactly as in
/// production (Database:Provider=SqlServer) and dropped on dispose. For the SQL-Server-only scenarios of the SQLite project.
/// </summary>
public sealed class SqlServerApiFactory() : CspApiFactory(new SqlServerTestDatabase(), ownsDatabase: true)
{
    public static bool Available => SqlServerTestDatabase.Available;

    public const string NotSetReason = SqlServerTestDatabase.NotSetReason;

    public string ConnectionString => Database.ConnectionString;
}
