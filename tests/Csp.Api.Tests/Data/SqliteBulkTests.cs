using Csp.Api.Infrastructure.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Tests.Data;

/// <summary>
/// The SQLite bulk path binds only the values that changed from the previous row (SQLite keeps the rest across reset):
/// every row must still store exactly its own values, nulls and changes back included.
/// </summary>
public sealed class SqliteBulkTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "csp-tests", Guid.NewGuid().ToString("N"));

    private sealed record Row(long N, string? Note, decimal Value, Guid Id, DateTimeOffset At);

    private sealed record Stored(long N, string? Note, string Value, string Id, string At);

    [Fact]
    public async Task Every_row_stores_its_own_values_when_consecutive_rows_repeat_or_change_them()
    {
        Directory.CreateDirectory(folder);
        var db = Db.Create(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(folder, "bulk.db")}");
        var (g1, g2) = (Guid.NewGuid(), Guid.NewGuid());
        var t1 = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        var t2 = t1.AddHours(1);
        Row[] rows =
        [
            new(1, "x", 1.50m, g1, t1),
            new(2, "x", 1.5m, g1, t1),     // the same decimal at another scale: stored alike
            new(3, null, 2m, g1, t1),      // a value becomes null
            new(4, null, 2m, g2, t1),      // null again, another id
            new(5, "x", 2m, g2, t2),       // back from null; a new timestamp
            new(6, "x", 2m, g1, t2),       // back to an earlier id
        ];

        await using (var w = await db.BeginPlatformWriteAsync(CancellationToken.None))
        {
            var (c, tx) = (w.Connection, w.Transaction);
            await c.ExecuteAsync("CREATE TABLE bulk (n INTEGER NOT NULL, note TEXT NULL, value TEXT NOT NULL, id TEXT NOT NULL, at TEXT NOT NULL)",
                transaction: tx);
            await SqliteBulk.ExecuteAsync(c, tx, "INSERT INTO bulk (n, note, value, id, at) VALUES (@N, @Note, @Value, @Id, @At)", rows,
                CancellationToken.None);
            await tx.CommitAsync();
        }

        await using var read = await db.OpenPlatformAsync(CancellationToken.None);
        var stored = (await read.QueryAsync<Stored>("SELECT n AS N, note AS Note, value AS Value, id AS Id, at AS At FROM bulk ORDER BY n")).ToList();
        string Text(DateTimeOffset t) => (string)SqliteBulk.ToSqlite(t);
        Assert.Equal(
        [
            new Stored(1, "x", "1.5", g1.ToString("D"), Text(t1)),
            new Stored(2, "x", "1.5", g1.ToString("D"), Text(t1)),
            new Stored(3, null, "2", g1.ToString("D"), Text(t1)),
            new Stored(4, null, "2", g2.ToString("D"), Text(t1)),
            new Stored(5, "x", "2", g2.ToString("D"), Text(t2)),
            new Stored(6, "x", "2", g1.ToString("D"), Text(t2)),
        ], stored);
    }

    private sealed record Key(long N, Guid Id);

    [Fact]
    public async Task A_query_per_key_finds_each_key_s_row_by_its_index_and_reads_nulls_as_null()
    {
        Directory.CreateDirectory(folder);
        var db = Db.Create(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(folder, "each.db")}");
        var (g1, g2) = (Guid.NewGuid(), Guid.NewGuid());
        await using (var w = await db.BeginPlatformWriteAsync(CancellationToken.None))
        {
            await w.ExecuteAsync("CREATE TABLE kv (n INTEGER NOT NULL, id TEXT NOT NULL, note TEXT NULL, PRIMARY KEY (n, id))");
            await w.ExecuteAsync("INSERT INTO kv VALUES (1, @g1, 'one'), (2, @g1, NULL), (2, @g2, 'two')",
                new { g1 = g1.ToString("D"), g2 = g2.ToString("D") });
            await w.CommitAsync();
        }

        await using var read = await db.OpenPlatformAsync(CancellationToken.None);
        // Repeated and missing keys among found ones: each answer is for its own key, whatever was bound before.
        Key[] keys = [new(2, g2), new(1, g2), new(1, g1), new(1, g1), new(2, g1), new(3, g1)];
        var found = SqliteBulk.QueryEach(read, "SELECT n, note FROM kv WHERE n = @N AND id = @Id", keys,
            row => (N: row.Text(0), Note: row.Text(1)), CancellationToken.None);

        Assert.Equal([(0, ("2", "two")), (2, ("1", "one")), (3, ("1", "one")), (4, ("2", (string?)null))],
            found.Select(f => (f.Index, (f.Row.N, f.Row.Note))));

        // Every row of each key, in order, when asked: here every id of n = 2, then of n = 1.
        var every = SqliteBulk.QueryEach(read, "SELECT id FROM kv WHERE n = @N ORDER BY note", [new Key(2, g1), new Key(1, g1), new Key(3, g1)],
            row => row.Text(0), CancellationToken.None, everyRow: true);
        Assert.Equal([(0, g1.ToString("D")), (0, g2.ToString("D")), (1, g1.ToString("D"))], every.Select(f => (f.Index, f.Row)));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
