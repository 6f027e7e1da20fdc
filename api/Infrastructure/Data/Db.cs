using System.Data.Common;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Observability;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Infrastructure.Data;

/// <summary>The singleton data source and dialect every query class opens its connections from.</summary>
/// <remarks>
/// Every connection is opened for a scope, named at the call: one partnership's unit of work
/// (<see cref="OpenAsync(Tenant, CancellationToken)"/>, <see cref="BeginWriteAsync(Tenant, CancellationToken)"/>) or the
/// platform's own cross-tenant work (<see cref="OpenPlatformAsync"/>, <see cref="BeginPlatformWriteAsync"/>). On SQL Server
/// the scope is the session context the row-level security policy checks on every read and write, and a connection with
/// neither sees and accepts no tenant row at all (db/sqlserver/0006). On SQLite there is no row-level security: the scope
/// costs nothing and the partnership_id filter every query carries is the only guard.
/// </remarks>
public sealed class Db(DbDataSource dataSource, SqlDialect dialect, string connectionString, DbDataSource? writerSource = null,
    TimeProvider? clock = null)
{
    /// <summary>Reported instead of CS0618 for the un-scoped overloads, so only they can be let through, file by file.</summary>
    public const string UnscopedDiagnostic = "CSP0001";

    private const string UnscopedMessage =
        "Name the scope: OpenAsync(tenant, ct) / BeginWriteAsync(tenant, ct) for one partnership's unit of work, " +
        "OpenPlatformAsync(ct) / BeginPlatformWriteAsync(ct) for genuinely cross-tenant work.";

    public SqlDialect Dialect { get; } = dialect;
    public string ConnectionString { get; } = connectionString;

    /// <summary>SQLite: the database file's full path; null for SQL Server and an in-memory database.</summary>
    public string? FilePath { get; } = SqliteFilePath(dialect, connectionString);

    private static string? SqliteFilePath(SqlDialect dialect, string connectionString)
    {
        if (dialect.Provider != DatabaseProvider.Sqlite) return null;
        var csb = new SqliteConnectionStringBuilder(connectionString);
        return csb.Mode == SqliteOpenMode.Memory || csb.DataSource is "" or ":memory:" ? null : Path.GetFullPath(csb.DataSource);
    }

    // The file the service started on (SQLite): a database deleted or replaced underneath is refused, not written to.
    private FileIdentity? startedOn;

    /// <summary>SQLite: remembers which file the database is, once it exists (start-up, after migrating).</summary>
    public void RememberFile() => startedOn = FilePath is null ? null : FileIdentity.Of(FilePath);

    /// <summary>SQLite: null while the database is the file the service started on (or that cannot be told); otherwise what
    /// became of it.</summary>
    public string? FileProblem()
    {
        if (startedOn is not { } then || FilePath is null) return null;
        var now = FileIdentity.Of(FilePath);
        // A connection opened after a deletion (a new one of the pool) leaves an empty file at the path: still a deletion.
        return now == then ? null
            : now is null || LengthOf(FilePath) == 0 ? $"the database file {FilePath} was deleted while the service ran"
            : $"the database file {FilePath} was replaced while the service ran";
    }

    private static long LengthOf(string file)
    {
        try
        {
            return new FileInfo(file).Length;
        }
        catch (IOException)
        {
            return 0; // gone again since
        }
    }

    /// <summary>Why the storage refused (for the client and the operator): the file's fate, or the folder's state.</summary>
    public string Describe(StorageFault fault) =>
        FileProblem()
        ?? (FilePath is not null ? StorageProbe.FolderProblem(Path.GetDirectoryName(FilePath)!) : null)
        ?? fault switch
        {
            StorageFault.Full => "the disk (or the database's file group or log) is full",
            StorageFault.ReadOnly => "the database is read-only",
            _ => "the database cannot be opened or read",
        };

    /// <summary>
    /// SQLite: copies the WAL into the database file and truncates it to nothing, in this process's write turn (no writer of
    /// this process runs meanwhile; readers that began before wait out at most <paramref name="readerWait"/>). False when a
    /// reader or another process's writer held it up (the next attempt will do).
    /// </summary>
    public async Task<bool> TruncateWalAsync(TimeSpan readerWait, CancellationToken ct)
    {
        if (FilePath is null) return true;
        await using var connection = await OpenForWriteAsync(Guid.Empty, ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        // Tried again until readers of older snapshots have finished (new readers start on the latest one and do not hold
        // it up); no writer of this process can commit meanwhile, so the log only has to be emptied once.
        var deadline = Environment.TickCount64 + (long)readerWait.TotalMilliseconds;
        while (true)
        {
            try
            {
                await using var result = await command.ExecuteReaderAsync(ct);
                if (await result.ReadAsync(ct) && result.GetInt64(0) == 0) return true; // busy = 0: the checkpoint completed
            }
            catch (SqliteException e) when (Dialect.IsBusy(e))
            {
            }
            if (Environment.TickCount64 >= deadline) return false;
            await Task.Delay(20, ct);
        }
    }

    // SQLite: one writer at a time in this process. SQLite allows a single write transaction per file, and
    // Microsoft.Data.Sqlite waits out a busy lock by sleeping 150 ms between retries, so two requests of this process
    // that both wanted to write left the lock idle while one slept (measured: concurrent batch pushes ran at the speed
    // of one). Queued here, the next writer starts the moment the previous one closes its connection; the busy
    // timeout still covers writers in other processes sharing the file. The turn goes to the partnership that has used it
    // least lately (FairWriteGate), so one partnership pushing flat out does not starve the others.
    private readonly FairWriteGate? writeGate = dialect.Provider == DatabaseProvider.Sqlite ? new() : null;

    /// <summary>SQLite: how many writers of this process wait for the write turn (for tests).</summary>
    internal int WritersWaiting => writeGate?.Waiting ?? 0;

    /// <summary>SQLite: how many write turns the partnership's writes have taken in this process (for tests).</summary>
    internal int WriteTurns(Guid partnershipId) => writeGate?.Turns(partnershipId) ?? 0;

    /// <summary>As long as a writer waits for SQLite's lock (the busy timeout of the connection string).</summary>
    private static readonly TimeSpan WriteTurnTimeout = TimeSpan.FromSeconds(30);

    private readonly PartnershipTurns? pushTurns = dialect.Provider == DatabaseProvider.Sqlite ? new() : null;

    /// <summary>SQLite: the partnership's push turn (<see cref="PartnershipTurns"/>), to hold from a batch push's checks, made
    /// before its write turn, to its commit; null on SQL Server, whose push checks its rows in its write transaction.</summary>
    public async Task<IDisposable?> PushTurnAsync(Tenant tenant, CancellationToken ct) =>
        pushTurns is null ? null : await pushTurns.EnterAsync(tenant.PartnershipId, WriteTurnTimeout, ct);

    /// <summary>SQLite: whether the partnership's latest push wrote nothing (<see cref="PartnershipTurns.Quiet"/>); false on SQL Server.</summary>
    public bool PushesQuiet(Tenant tenant) => pushTurns?.Quiet(tenant.PartnershipId) ?? false;

    /// <summary>SQLite: notes whether a push of the partnership wrote (<see cref="PartnershipTurns.Pushed"/>).</summary>
    public void NotePush(Tenant tenant, bool wrote) => pushTurns?.Pushed(tenant.PartnershipId, wrote);

    /// <summary>SQLite: how many pushes of the partnership hold or wait for its push turn (for tests).</summary>
    internal int PushTurnUsers(Guid partnershipId) => pushTurns?.Users(partnershipId) ?? 0;

    /// <summary>
    /// Opens a connection for one partnership's unit of work. On SQL Server the connection's session context carries the
    /// partnership, which the row-level security policy checks on every read and write, so a query that forgot its
    /// partnership_id filter still sees nothing of another partnership. Use this wherever a tenant is known.
    /// </summary>
    public ValueTask<DbConnection> OpenAsync(Tenant tenant, CancellationToken ct) =>
        Dialect.ScopeToPartnership is { } scope
            ? OpenScopedAsync(scope, tenant.PartnershipId, ct)
            : dataSource.OpenConnectionAsync(ct);

    /// <summary>Opens a <see cref="WriteUnit"/>: a connection and its write transaction (BEGIN IMMEDIATE on SQLite, so concurrent writers queue
    /// instead of failing on a lock upgrade; on SQLite the connection holds this process's write turn until it is closed,
    /// so dispose it promptly; on SQL Server the transaction holds the partnership's write turn,
    /// <see cref="SqlDialect.TakePartnershipWriteTurn"/>), scoped to the tenant's partnership as
    /// <see cref="OpenAsync(Tenant, CancellationToken)"/> is.</summary>
    public Task<WriteUnit> BeginWriteAsync(Tenant tenant, CancellationToken ct) =>
        BeginScopedWriteAsync(Dialect.ScopeToPartnership is { } scope ? scope + Dialect.TakePartnershipWriteTurn : null, tenant, ct);

    /// <summary>
    /// Opens a connection for the platform's own work, which is not one partnership's: authentication (the tenant is not
    /// known yet), the operator's partnership list, the key-usage flush, idempotency records (the operator's key has no
    /// partnership), the demo seed's emptiness check and the readiness probe. On SQL Server the row-level security policy
    /// lets such a connection see and write every partnership's rows, so each query here must carry its own filters.
    /// </summary>
    public ValueTask<DbConnection> OpenPlatformAsync(CancellationToken ct) =>
        Dialect.ScopeToPlatform is { } scope ? OpenScopedAsync(scope, null, ct) : dataSource.OpenConnectionAsync(ct);

    /// <summary>A write transaction (as <see cref="BeginWriteAsync(Tenant, CancellationToken)"/>) for the platform's own
    /// work (as <see cref="OpenPlatformAsync"/>).</summary>
    public Task<WriteUnit> BeginPlatformWriteAsync(CancellationToken ct) =>
        BeginScopedWriteAsync(Dialect.ScopeToPlatform, null, ct);

    /// <summary>Not for any code: a connection with no named scope. No caller is left; the overloads stay so that writing one
    /// fails the build with <see cref="UnscopedMessage"/> (CSP0001), which says what to call instead.</summary>
    [Obsolete(UnscopedMessage, DiagnosticId = UnscopedDiagnostic)]
    public ValueTask<DbConnection> OpenAsync(CancellationToken ct) => OpenPlatformAsync(ct);

    /// <inheritdoc cref="OpenAsync(CancellationToken)"/>
    [Obsolete(UnscopedMessage, DiagnosticId = UnscopedDiagnostic)]
    public Task<WriteUnit> BeginWriteAsync(CancellationToken ct) => BeginPlatformWriteAsync(ct);

    // Pooled connections are reset (sp_reset_connection clears the session context, read-only keys included) before
    // reuse, so a scope never leaks into another request's unit of work.
    private async ValueTask<DbConnection> OpenScopedAsync(string scope, Guid? partnershipId, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(scope, Args(partnershipId), cancellationToken: ct));
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private readonly TimeProvider clock = clock ?? TimeProvider.System;

    private async Task<WriteUnit> BeginScopedWriteAsync(string? scope, Tenant? tenant, CancellationToken ct)
    {
        if (FileProblem() is { } gone)
            throw new DatabaseUnavailableException($"Nothing was written: {gone}. Restore it and restart the service.");
        using var turn = CspTelemetry.TimeWriteTurn(tenant?.Slug, Dialect.Provider == DatabaseProvider.Sqlite ? "sqlite" : "microsoft.sql_server");
        var connection = await OpenForWriteAsync(tenant?.PartnershipId ?? Guid.Empty, ct);
        DbTransaction? tx = null;
        try
        {
            tx = connection is SqliteConnection sqlite
                ? sqlite.BeginTransaction(deferred: false)
                : await connection.BeginTransactionAsync(ct);
            if (scope is not null) await connection.ExecuteAsync(new CommandDefinition(scope, Args(tenant?.PartnershipId), tx, cancellationToken: ct));
            return new WriteUnit(connection, tx, Dialect, tenant, clock.GetUtcNow(), ct);
        }
        catch
        {
            if (tx is not null) await tx.DisposeAsync();
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <param name="turnOf">Whose turn it is (<see cref="FairWriteGate"/>): the partnership, or Guid.Empty for the platform.</param>
    private async ValueTask<DbConnection> OpenForWriteAsync(Guid turnOf, CancellationToken ct)
    {
        if (writeGate is null) return await dataSource.OpenConnectionAsync(ct);
        var writers = writerSource ?? dataSource;
        if (!await writeGate.WaitAsync(turnOf, WriteTurnTimeout, ct))
            throw new SqliteException($"database is locked: no write turn within {WriteTurnTimeout.TotalSeconds:N0} s", 5); // SQLITE_BUSY
        DbConnection connection;
        try
        {
            connection = await writers.OpenConnectionAsync(ct);
            if (writerSource is not null) await WriterCacheAsync((SqliteConnection)connection, ct);
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
        return connection;
    }

    // The writer's page cache: a batch push touches a few hundred b-tree pages; SQLite's default 2 MB cache let them
    // fall out between batches and be read back from the file. Set once per native connection (the pool reuses them).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> WriterCacheSet = new();

    private static async Task WriterCacheAsync(SqliteConnection connection, CancellationToken ct)
    {
        var handle = connection.Handle!;
        if (WriterCacheSet.TryGetValue(handle, out _)) return;
        await using var pragma = connection.CreateCommand();
        // The WAL never keeps more than this on disk after a checkpoint has reset it (WalCheckpointer truncates it to nothing).
        pragma.CommandText = "PRAGMA cache_size = -65536; PRAGMA journal_size_limit = 67108864;";
        await pragma.ExecuteNonQueryAsync(ct);
        WriterCacheSet.AddOrUpdate(handle, handle);
    }

    private static object? Args(Guid? partnershipId) => partnershipId is { } id ? new { PartnershipId = id } : null;

    public static Db Create(DatabaseProvider provider, string connectionString, TimeProvider? clock = null)
    {
        TypeHandlers.Register();
        if (provider == DatabaseProvider.SqlServer)
            return new Db(SqlClientFactory.Instance.CreateDataSource(connectionString), SqlDialect.For(provider), connectionString, clock: clock);
        return new Db(SqliteFactory.Instance.CreateDataSource(connectionString), SqlDialect.For(provider), connectionString,
            WriterSource(connectionString), clock);
    }

    /// <summary>
    /// SQLite writers draw from a pool of their own. Writers take turns, so that pool holds one connection in practice, and
    /// its page cache stays warm from one write to the next: SQLite drops a connection's whole cache when it starts a
    /// transaction after another connection of the file has committed, which happened on nearly every push while readers
    /// and writers shared one pool. (Microsoft.Data.Sqlite pools by connection string; the writers' differs only in an
    /// explicit "Cache=Private", which is what the default cache mode already is.)
    /// </summary>
    private static DbDataSource? WriterSource(string connectionString)
    {
        var csb = new SqliteConnectionStringBuilder(connectionString);
        if (csb.Cache != SqliteCacheMode.Default || !csb.Pooling || csb.Mode == SqliteOpenMode.Memory) return null;
        csb.Cache = SqliteCacheMode.Private;
        return SqliteFactory.Instance.CreateDataSource(csb.ToString());
    }
}
