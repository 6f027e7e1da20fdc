using System.Data.Common;
using Csp.Api.Infrastructure.Data;
using Microsoft.Data.SqlClient;

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

/// <summary>
/// A database of a random name (<c>csp_test_</c> + 32 hex digits) on the server <c>CSP_TEST_SQLSERVER</c> points at (any
/// database of it; the login needs CREATE DATABASE), created empty on first use and dropped on dispose. Nothing touches
/// the server until a service starts, so a factory whose tests are all skipped never needs the variable.
/// </summary>
public sealed class SqlServerTestDatabase : TestDatabase
{
    public const string Variable = "CSP_TEST_SQLSERVER";

    public const string NotSetReason = "CSP_TEST_SQLSERVER is not set";

    public static string? ServerConnectionString =>
        System.Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s ? s : null;

    public static bool Available => ServerConnectionString is not null;

    private readonly Lock gate = new();
    private bool created;

    public string Name { get; } = $"csp_test_{Guid.NewGuid():N}";

    public override DatabaseProvider Provider => DatabaseProvider.SqlServer;

    public override string ConnectionString =>
        new SqlConnectionStringBuilder(ServerConnectionString ?? throw new InvalidOperationException(NotSetReason)) { InitialCatalog = Name }
            .ConnectionString;

    private string Master => new SqlConnectionStringBuilder(ConnectionString) { InitialCatalog = "master", Pooling = false }.ConnectionString;

    public override void Prepare()
    {
        lock (gate)
        {
            if (created) return;
            _ = StaleDatabases.Value; // once per run, before its first database
            // The name is ours, never input, so bracketing it is enough.
            Run($"CREATE DATABASE [{Name}] COLLATE {SqlServerPreflight.Collation}");
            created = true;
        }
    }

    public override async Task<DbConnection> OpenConnectionAsync()
    {
        var connection = new SqlConnection(new SqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public override void Dispose()
    {
        lock (gate)
        {
            if (!created) return;
            using (var pooled = new SqlConnection(ConnectionString)) SqlConnection.ClearPool(pooled);
            Run(Drop(Name));
            created = false;
        }
    }

    private static string Drop(string name) => $"""
        IF DB_ID(N'{name}') IS NOT NULL
        BEGIN
            ALTER DATABASE [{name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE;
            DROP DATABASE [{name}];
        END
        """;

    private void Run(string sql)
    {
        using var c = new SqlConnection(Master);
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Databases of this suite left behind by a run that was killed before its fixtures were disposed (a test failing
    /// does not leave one: disposal runs whatever the outcome). Older than a day, so never one of a run still going.
    /// </summary>
    private static readonly Lazy<int> StaleDatabases = new(() =>
    {
        using var c = new SqlConnection(new SqlConnectionStringBuilder(ServerConnectionString!) { InitialCatalog = "master", Pooling = false }.ConnectionString);
        c.Open();
        var stale = new List<string>();
        using (var find = c.CreateCommand())
        {
            find.CommandText = """
                SELECT name FROM sys.databases
                WHERE name LIKE 'csp[_]test[_]%' AND LEN(name) = 41 AND create_date < DATEADD(DAY, -1, SYSDATETIME())
                """;
            using var reader = find.ExecuteReader();
            while (reader.Read()) stale.Add(reader.GetString(0));
        }
        foreach (var name in stale.Where(n => n[9..].All(Uri.IsHexDigit)))
        {
            using var drop = c.CreateCommand();
            drop.CommandText = Drop(name);
            drop.ExecuteNonQuery();
        }
        return stale.Count;
    });
}
