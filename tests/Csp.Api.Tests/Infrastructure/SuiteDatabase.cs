using System.Data.Common;
using Csp.Api.Infrastructure.Data;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Tests.Infrastructure;

/// <summary>
/// The engine this project runs the suite on: SQLite. Csp.Api.SqlServer.Tests compiles the same behavioural tests with a
/// SuiteDatabase of its own (SQL Server), which is why this file is the one it leaves out.
/// </summary>
internal static class SuiteDatabase
{
    public static TestDatabase Create() => new SqliteTestDatabase();
}

/// <summary>A SQLite file in a temporary folder of its own.</summary>
public sealed class SqliteTestDatabase : TestDatabase
{
    private readonly string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "csp-tests", Guid.NewGuid().ToString("N"));

    public string FilePath => System.IO.Path.Combine(folder, "csp.db");

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override string ConnectionString => $"Data Source={FilePath}";

    public override void Prepare() => Directory.CreateDirectory(folder);

    public override async Task<DbConnection> OpenConnectionAsync()
    {
        var connection = new SqliteConnection($"Data Source={FilePath};Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    public override void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
