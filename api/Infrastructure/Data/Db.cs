using System.Data.Common;
using Csp.Api.Infrastructure.Auth;
using Dapper;
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

    /// <summary>
    /// Opens a connection for one partnership's unit of work. On SQL Server the connection's session context carries the
    /// partnership, which the row-level security policy checks on every read and write, so a query that forgot its
    /// partnership_id filter still sees nothing of another partnership. Use this wherever a tenant is known.
    /// </summary>
    public async ValueTask<DbConnection> OpenAsync(Tenant tenant, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await ScopeAsync(connection, null, tenant.PartnershipId, ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc cref="BeginWriteAsync(CancellationToken)"/>
    /// <remarks>Scoped to the tenant's partnership as <see cref="OpenAsync(Tenant, CancellationToken)"/> is.</remarks>
    public async Task<(DbConnection Connection, DbTransaction Transaction)> BeginWriteAsync(Tenant tenant, CancellationToken ct)
    {
        var (connection, tx) = await BeginWriteAsync(ct);
        try
        {
            await ScopeAsync(connection, tx, tenant.PartnershipId, ct);
            return (connection, tx);
        }
        catch
        {
            await tx.DisposeAsync();
            await connection.DisposeAsync();
            throw;
        }
    }

    // Pooled connections are reset (sp_reset_connection clears the session context) before reuse, so a scope never leaks
    // into another request's unit of work.
    private Task ScopeAsync(DbConnection connection, DbTransaction? tx, Guid partnershipId, CancellationToken ct) =>
        Dialect.ScopeToPartnership is { } sql
            ? connection.ExecuteAsync(new CommandDefinition(sql, new { PartnershipId = partnershipId }, tx, cancellationToken: ct))
            : Task.CompletedTask;

    public static Db Create(DatabaseProvider provider, string connectionString)
    {
        TypeHandlers.Register();
        DbDataSource source = provider == DatabaseProvider.SqlServer
            ? SqlClientFactory.Instance.CreateDataSource(connectionString)
            : SqliteFactory.Instance.CreateDataSource(connectionString);
        return new Db(source, SqlDialect.For(provider), connectionString);
    }
}
