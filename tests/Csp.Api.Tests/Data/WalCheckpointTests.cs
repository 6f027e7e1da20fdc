using System.Net;
using System.Net.Http.Json;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.Data;

/// <summary>SQLite's write-ahead log does not keep its size once writes pause (WalCheckpointer), and a checkpoint waits out
/// readers instead of giving up while one is reading.</summary>
public sealed class WalCheckpointTests : IDisposable
{
    private readonly CspApiFactory factory = new();

    private long WalBytes()
    {
        var path = ((SqliteTestDatabase)factory.Database).FilePath + "-wal";
        return File.Exists(path) ? new FileInfo(path).Length : 0;
    }

    [Fact]
    public async Task The_wal_is_truncated_to_nothing_when_writes_pause()
    {
        var t = await TestTenant.CreateAsync(factory);
        for (var i = 0; i < 20; i++)
            await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/agencies"), new { code = $"A{i}", name = new string('x', 200), kind = "other" }),
                HttpStatusCode.Created);
        Assert.True(WalBytes() > 0, "the writes went to the WAL");

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (WalBytes() > 0 && DateTime.UtcNow < deadline) await Task.Delay(200);

        Assert.Equal(0, WalBytes());
        // Nothing was lost: the rows are in the database file.
        Assert.Equal(20, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM agencies WHERE partnership_id = @p", new { p = t.Id.ToString() }));
    }

    [Fact]
    public async Task A_checkpoint_waits_for_a_reader_of_an_older_snapshot_to_finish()
    {
        var t = await TestTenant.CreateAsync(factory);
        await t.CreateAgencyAsync("MET", "police");
        var db = factory.Services.GetRequiredService<Db>();
        await using var reader = await factory.Database.OpenConnectionAsync();
        await using var read = ((Microsoft.Data.Sqlite.SqliteConnection)reader).BeginTransaction(deferred: true);
        await using (var select = reader.CreateCommand())
        {
            select.Transaction = read;
            select.CommandText = "SELECT COUNT(*) FROM agencies"; // the read transaction now holds a snapshot
            await select.ExecuteScalarAsync();
        }
        await t.CreateAgencyAsync("LFB", "fire_rescue"); // a commit after that snapshot

        var checkpoint = db.TruncateWalAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        await Task.Delay(300);
        Assert.False(checkpoint.IsCompleted, $"the checkpoint gave up (or went ahead) while a reader used the log: {(checkpoint.IsCompleted ? await checkpoint : null)}");
        await read.CommitAsync();

        Assert.True(await checkpoint.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, WalBytes());
    }

    public void Dispose() => factory.Dispose();
}
