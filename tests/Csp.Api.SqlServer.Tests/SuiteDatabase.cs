namespace Csp.Api.Tests.Infrastructure;

/// <summary>
/// The engine this project runs the suite on: SQL Server. Every <see cref="CspApiFactory"/> the linked tests create (the
/// shared one and the special-purpose ones alike) gets a fresh database on the server <c>CSP_TEST_SQLSERVER</c> points at,
/// dropped when the factory is disposed, whatever the tests' outcome.
/// </summary>
internal static class SuiteDatabase
{
    public static TestDatabase Create() => new SqlServerTestDatabase();
}
