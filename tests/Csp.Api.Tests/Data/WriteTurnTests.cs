using Csp.Api.Infrastructure.Data;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Tests.Data;

/// <summary>
/// SQLite writers of one process queue for their turn in <see cref="Db.BeginPlatformWriteAsync"/> (and every write opener) rather than
/// in SQLite's busy handler (which Microsoft.Data.Sqlite serves by sleeping 150 ms a time): the next writer starts when
/// the previous one closes its connection, and a writer that gives up never keeps the turn.
/// </summary>
public sealed class WriteTurnTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "csp-tests", Guid.NewGuid().ToString("N"));
    private readonly Db db;

    public WriteTurnTests()
    {
        Directory.CreateDirectory(folder);
        db = Db.Create(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(folder, "turn.db")};Default Timeout=30");
    }

    [Fact]
    public async Task The_next_writer_starts_when_the_previous_one_closes_its_connection()
    {
        var first = await db.BeginPlatformWriteAsync(CancellationToken.None);
        var second = db.BeginPlatformWriteAsync(CancellationToken.None);
        await Task.Delay(300);
        Assert.False(second.IsCompleted, "a second writer started while the first still held its turn");

        await first.DisposeAsync();
        await using var w = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(System.Data.ConnectionState.Open, w.Connection.State);
    }

    [Fact]
    public async Task A_writer_that_gives_up_waiting_does_not_keep_the_turn()
    {
        var first = await db.BeginPlatformWriteAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.BeginPlatformWriteAsync(cancel.Token));
        await first.DisposeAsync();

        await using var w = await db.BeginPlatformWriteAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(System.Data.ConnectionState.Open, w.Connection.State);
    }

    [Fact]
    public async Task Many_concurrent_writers_all_commit_one_after_another()
    {
        await using (var c = await db.OpenPlatformAsync(CancellationToken.None))
        await using (var create = c.CreateCommand())
        {
            create.CommandText = "CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0);";
            await create.ExecuteNonQueryAsync();
        }
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            await using (var w = await db.BeginPlatformWriteAsync(CancellationToken.None))
            {
                var (c, tx) = (w.Connection, w.Transaction);
                await using var read = c.CreateCommand();
                read.Transaction = tx;
                read.CommandText = "SELECT n FROM counter";
                var n = (long)(await read.ExecuteScalarAsync())!;
                await Task.Delay(5);
                await using var write = c.CreateCommand();
                write.Transaction = tx;
                write.CommandText = $"UPDATE counter SET n = {n + 1}";
                await write.ExecuteNonQueryAsync();
                await tx.CommitAsync();
            }
        })));
        await using var check = await db.OpenPlatformAsync(CancellationToken.None);
        await using var count = check.CreateCommand();
        count.CommandText = "SELECT n FROM counter";
        Assert.Equal(16L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Writers_get_the_large_page_cache_on_every_write_turn()
    {
        for (var i = 0; i < 3; i++)
        {
            await using (var w = await db.BeginPlatformWriteAsync(CancellationToken.None))
            {
                var (c, tx) = (w.Connection, w.Transaction);
                await using var read = c.CreateCommand();
                read.Transaction = tx;
                read.CommandText = "PRAGMA cache_size";
                Assert.Equal(-65536L, (long)(await read.ExecuteScalarAsync())!);
            }
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
