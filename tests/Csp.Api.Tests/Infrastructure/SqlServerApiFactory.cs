using Microsoft.Data.SqlClient;

namespace Csp.Api.Tests.Infrastructure;

/// <summary>
/// The service on SQL Server: when <c>CSP_TEST_SQLSERVER</c> holds a connection string (to any database of the
/// server; it needs the right to create databases), a fresh database of a random name, created and migrated by the
/// service at start-up exactly as in production (Database:Provider=SqlServer) and dropped on dispose.
/// </summary>
public sealed class SqlServerApiFactory : CspApiFactory
{
    public const string Variable = "CSP_TEST_SQLSERVER";

    public const string NotSetReason = "CSP_TEST_SQLSERVER is not set";

    public static string? ServerConnectionString =>
        System.Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s ? s : null;

    public static bool Available => ServerConnectionString is not null;

    public string DatabaseName { get; } = $"csp_test_{Guid.NewGuid():N}";

    public string ConnectionString { get; }

    public SqlServerApiFactory()
    {
        var server = ServerConnectionString ?? throw new InvalidOperationException(NotSetReason);
        ConnectionString = new SqlConnectionStringBuilder(server) { InitialCatalog = DatabaseName }.ConnectionString;
    }

    protected override IEnumerable<(string Key, string Value)> Settings =>
        [("Database:Provider", "SqlServer"), ("ConnectionStrings:Csp", ConnectionString)];

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        SqlConnection.ClearAllPools();
        var master = new SqlConnectionStringBuilder(ConnectionString) { InitialCatalog = "master", Pooling = false }.ConnectionString;
        using var c = new SqlConnection(master);
        c.Open();
        using var drop = c.CreateCommand();
        // The name is ours (csp_test_ + 32 hex digits), never input, so bracketing it is enough.
        drop.CommandText = $"""
            IF DB_ID(N'{DatabaseName}') IS NOT NULL
            BEGIN
                ALTER DATABASE [{DatabaseName}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE;
                DROP DATABASE [{DatabaseName}];
            END
            """;
        drop.ExecuteNonQuery();
    }
}
