namespace Csp.Api.Tests.Infrastructure;

/// <summary>
/// The engine this project runs the suite on: SQLite. Csp.Api.SqlServer.Tests compiles the same behavioural tests with a
/// SuiteDatabase of its own (SQL Server), which is why this file is the one it leaves out.
/// </summary>
internal static class SuiteDatabase
{
    public static TestDatabase Create() => new SqliteTestDatabase();
}
