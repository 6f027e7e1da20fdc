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

    private List<Action<bool>>? onEnd;

    /// <summary>Runs <paramref name="ended"/> when the unit ends, told whether it committed, while it still holds the write turn
    /// (so the next writer sees what it leaves; an exception in it is not caught). Not run for a unit that joined a larger one
    /// (<see cref="For"/>): that one's end is not this unit's.</summary>
    public void OnEnd(Action<bool> ended) => (onEnd ??= []).Add(ended);

    public async Task CommitAsync()
    {
        using (CspTelemetry.StartSpan("commit"))
            await Transaction.CommitAsync(Token);
        Committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        try
        {
            foreach (var ended in onEnd ?? []) ended(Committed);
        }
        finally
        {
            await Connection.DisposeAsync();
        }
    }
}
