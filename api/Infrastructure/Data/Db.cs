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

    // SQLite: one writer at a time in this process. SQLite allows a single write transaction per file, and
    // Microsoft.Data.Sqlite waits out a busy lock by sleeping 150 ms between retries, so two requests of this process
    // that both wanted to write left the lock idle while one slept (measured: concurrent batch pushes ran at the speed
    // of one). Queued here, the next writer starts the moment the previous one closes its connection; the busy
    // timeout still covers writers in other processes sharing the file.
    private readonly SemaphoreSlim? writeGate = dialect.Provider == DatabaseProvider.Sqlite ? new(1, 1) : null;

    /// <summary>As long as a writer waits for SQLite's lock (the busy timeout of the connection string).</summary>
    private static readonly TimeSpan WriteTurnTimeout = TimeSpan.FromSeconds(30);

    public ValueTask<DbConnection> OpenAsync(CancellationToken ct) => dataSource.OpenConnectionAsync(ct);

    /// <summary>Opens a connection and begins a write transaction (BEGIN IMMEDIATE on SQLite, so
    /// concurrent writers queue instead of failing on a lock upgrade). On SQLite the connection holds this
    /// process's write turn until it is closed: dispose it promptly.</summary>
    public async Task<(DbConnection Connection, DbTransaction Transaction)> BeginWriteAsync(CancellationToken ct)
    {
        if (writeGate is null) return await BeginAsync(await dataSource.OpenConnectionAsync(ct), ct);
        if (!await writeGate.WaitAsync(WriteTurnTimeout, ct))
            throw new SqliteException($"database is locked: no write turn within {WriteTurnTimeout.TotalSeconds:N0} s", 5); // SQLITE_BUSY
        DbConnection connection;
        try
        {
            connection = await dataSource.OpenConnectionAsync(ct);
        }
        catch
        {
            writeGate.Release();
            throw;
        }
        var released = 0;
        connection.StateChange += (_, e) =>
        {
            if (e.CurrentState == System.Data.ConnectionState.Closed && Interlocked.Exchange(ref released, 1) == 0)
                writeGate.Release();
        };
        return await BeginAsync(connection, ct);
    }

    private static async Task<(DbConnection Connection, DbTransaction Transaction)> BeginAsync(DbConnection connection, CancellationToken ct)
    {
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
