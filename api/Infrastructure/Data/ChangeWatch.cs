namespace Csp.Api.Infrastructure.Data;

/// <summary>
/// "Has anything been committed to the database since stamp T?" — asked before a remembered read is reused. A commit by any
/// connection of any process (a write through the API, another replica, an edit made outside the API) must change the answer.
/// </summary>
public interface IChangeWatch
{
    /// <summary>A stamp of everything committed so far: equal to an earlier stamp exactly when nothing has been committed since
    /// that one was taken. Null when the database cannot say now; then nothing read may be remembered or reused.</summary>
    ChangeStamp? Now();
}

/// <summary>An opaque mark of the database's committed state (see <see cref="IChangeWatch.Now"/>).</summary>
public readonly record struct ChangeStamp(ulong A, ulong B, ulong C, ulong D, ulong E, ulong F);

public static class ChangeWatch
{
    /// <summary>The watch for <paramref name="db"/>: SQLite's WAL-index header, read lock-free; none for SQL Server or an
    /// in-memory database, which always answer "cannot say".</summary>
    public static IChangeWatch For(Db db) =>
        (db.Dialect.Provider == DatabaseProvider.Sqlite ? WalChangeWatch.For(db.ConnectionString) : null) ?? (IChangeWatch)Never.Instance;

    private sealed class Never : IChangeWatch
    {
        public static readonly Never Instance = new();

        public ChangeStamp? Now() => null;
    }
}
