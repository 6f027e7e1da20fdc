using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Infrastructure.Data;

/// <summary>The singleton data source and dialect every query class opens its connections from.</summary>
public sealed class Db(DbDataSource dataSource, SqlDialect dialect, string connectionString)
{
    public SqlDialect Dialect { get; } = dialect;
    public string ConnectionString { get; } = connectionString;

    public ValueTask<DbConnection> OpenAsync(CancellationToken ct) => dataSource.OpenConnectionAsync(ct);

    /// <summary>Opens a connection and begins a write transaction (BEGIN IMMEDIATE on SQLite, so
    /// concurrent writers queue on the busy timeout instead of failing on a lock upgrade).</summary>
    public async Task<(DbConnection Connection, DbTransaction Transaction)> BeginWriteAsync(CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            var tx = connection is SqliteConnection sqlite
                ? sqlite.BeginTransaction(deferred: false)
                : await connection.BeginTransactionAsync(ct);
            return (connection, tx);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public static Db Create(DatabaseProvider provider, string connectionString)
    {
        TypeHandlers.Register();
        DbDataSource source = provider == DatabaseProvider.SqlServer
            ? SqlClientFactory.Instance.CreateDataSource(connectionString)
            : SqliteFactory.Instance.CreateDataSource(connectionString);
        return new Db(source, SqlDialect.For(provider), connectionString);
    }
}
