using Csp.Api.Infrastructure.Data;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Tests.Data;

/// <summary>The lock-free "anything committed?" check on SQLite's WAL-index header, against commits of other connections.</summary>
public sealed class WalChangeWatchTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "csp-tests", Guid.NewGuid().ToString("N"));

    private string ConnectionString => $"Data Source={Path.Combine(folder, "wal.db")};Pooling=False";

    private void Execute(string sql)
    {
        using var c = new SqliteConnection(ConnectionString);
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public void The_stamp_stays_while_nothing_commits_and_moves_with_every_commit_of_another_connection()
    {
        Directory.CreateDirectory(folder);
        Execute("PRAGMA journal_mode=WAL; CREATE TABLE t (n INTEGER);");
        using var watch = WalChangeWatch.For(ConnectionString)!;

        var seen = new HashSet<ChangeStamp>();
        var stamp = watch.Now();
        Assert.NotNull(stamp);
        Assert.Equal(stamp, watch.Now());
        seen.Add(stamp.Value);
        for (var i = 0; i < 5; i++)
        {
            Execute($"INSERT INTO t VALUES ({i})");
            var next = watch.Now();
            Assert.NotNull(next);
            Assert.True(seen.Add(next.Value), $"commit {i + 1} left the stamp as an earlier one");
            Assert.Equal(next, watch.Now());
        }

        // A read-only transaction commits nothing.
        using (var reader = new SqliteConnection(ConnectionString))
        {
            reader.Open();
            using var select = reader.CreateCommand();
            select.CommandText = "SELECT COUNT(*) FROM t";
            Assert.Equal(5L, select.ExecuteScalar());
        }
        Assert.Contains(watch.Now()!.Value, seen);
    }

    [Fact]
    public void A_database_not_in_WAL_mode_or_in_memory_has_no_stamp()
    {
        Directory.CreateDirectory(folder);
        Execute("PRAGMA journal_mode=DELETE; CREATE TABLE t (n INTEGER);");
        using var watch = WalChangeWatch.For(ConnectionString)!;
        Assert.Null(watch.Now());
        Assert.Null(WalChangeWatch.For("Data Source=:memory:"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
