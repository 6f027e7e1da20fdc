using System.Data.Common;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Observability;
using Dapper;

namespace Csp.Api.Infrastructure.Data;

/// <summary>
/// One write transaction and the connection it runs on, as one disposable unit: opened by <see cref="Db.BeginWriteAsync(Tenant, CancellationToken)"/>
/// (one partnership's writes) or <see cref="Db.BeginPlatformWriteAsync"/> (the platform's own bookkeeping). Disposing it
/// without <see cref="CommitAsync"/> rolls everything back and gives up the write turn. Every statement runs in the
/// transaction and with the token the unit was opened with.
/// </summary>
public sealed class WriteUnit : IAsyncDisposable
{
    internal WriteUnit(DbConnection connection, DbTransaction transaction, SqlDialect dialect, Tenant? tenant, DateTimeOffset now,
        CancellationToken ct)
    {
        Now = now;
        Connection = connection;
        Transaction = transaction;
        Dialect = dialect;
        this.tenant = tenant;
        Token = ct;
    }

    private readonly Tenant? tenant;

    /// <summary>The change-feed events this unit has written, by partnership and entity (shared with <see cref="For"/>), so
    /// that one unit gives each entity one event in the feed (<see cref="Audit.AuditLog"/>).</summary>
    internal Dictionary<(Guid Partnership, string EntityType, Guid EntityId), (long FeedSeq, string FirstOp)> FeedEvents { get; private init; } = [];

    /// <summary>What <see cref="FeedEvents"/> holds now, to put back when the statements since are rolled back to a savepoint.</summary>
    internal Action FeedEventsRestorer()
    {
        var kept = FeedEvents.ToList();
        return () =>
        {
            FeedEvents.Clear();
            foreach (var (key, value) in kept) FeedEvents[key] = value;
        };
    }

    public DbConnection Connection { get; }
    public DbTransaction Transaction { get; }
    public SqlDialect Dialect { get; }

    /// <summary>When the unit began: the one time every row and audit event it writes carries.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The token every statement of the unit runs with.</summary>
    public CancellationToken Token { get; }

    /// <summary>The partnership whose unit this is (a platform unit has none).</summary>
    public Tenant Tenant => tenant ?? throw new InvalidOperationException("A platform write unit belongs to no partnership.");

    /// <summary>The partnership id every tenant-owned statement filters by.</summary>
    public Guid PartnershipId => Tenant.PartnershipId;

    /// <summary>Whether <see cref="CommitAsync"/> has run.</summary>
    public bool Committed { get; private set; }

    public Task<int> ExecuteAsync(string sql, object? args = null) =>
        Connection.ExecuteAsync(Command(sql, args));

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? args = null) =>
        Connection.QueryAsync<T>(Command(sql, args));

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? args = null) =>
        Connection.QuerySingleOrDefaultAsync<T>(Command(sql, args));

    public Task<T?> ScalarAsync<T>(string sql, object? args = null) =>
        Connection.ExecuteScalarAsync<T>(Command(sql, args));

    /// <summary>A Dapper command in this unit's transaction, for calls the shortcuts above do not cover.</summary>
    public CommandDefinition Command(string sql, object? args = null) => new(sql, args, Transaction, cancellationToken: Token);

    /// <summary>The same transaction acting for another partnership's tenant object (the same partnership on SQL Server,
    /// whose session is scoped to one): for a write that joins a larger unit (<see cref="Audit.AuditedWriter.AllOrNothingAsync{T}"/>).</summary>
    public WriteUnit For(Tenant other) => new(Connection, Transaction, Dialect, other, Now, Token) { Committed = Committed, FeedEvents = FeedEvents };

    public async Task CommitAsync()
    {
        using (CspTelemetry.StartSpan("commit"))
            await Transaction.CommitAsync(Token);
        Committed = true;
        foreach (var action in afterCommit) action();
        afterCommit.Clear();
    }

    private readonly List<Action> afterCommit = [];

    /// <summary>Runs <paramref name="action"/> once the unit has committed, before it gives up the write turn (on SQLite, before
    /// the next writer of this process can begin): for what must follow the commit but precede any later write. Nothing runs
    /// when the unit rolls back, nor for a unit joined to another (<see cref="For"/>), which commits elsewhere.</summary>
    public void AfterCommit(Action action) => afterCommit.Add(action);

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
