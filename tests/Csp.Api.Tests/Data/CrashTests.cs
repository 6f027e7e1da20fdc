using Csp.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Tests.Data;

/// <summary>The real service process killed (SIGKILL) at a bad moment, then started again on the same file.</summary>
public sealed class CrashTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "csp-crash", Guid.NewGuid().ToString("N"));

    private long Count(string sql)
    {
        var file = Path.Combine(folder, "csp.db");
        if (!File.Exists(file)) return 0;
        using var c = new SqliteConnection($"Data Source={file};Pooling=False");
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = sql;
        try
        {
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException e) when (e.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return 0; // the migrations are still running
        }
    }

    /// <summary>The demo as the seed leaves it: every partnership, and its last steps (approval, frameworks, alignments).</summary>
    private (long Partnerships, long Approved, long Frameworks, long Alignments, long Observations) Demo() => (
        Count("SELECT COUNT(*) FROM partnerships"),
        Count("SELECT COUNT(*) FROM plans WHERE status = 'approved'"),
        Count("SELECT COUNT(*) FROM frameworks"),
        Count("SELECT COUNT(*) FROM alignments"),
        Count("SELECT COUNT(*) FROM observations"));

    [Fact]
    public async Task A_demo_seed_killed_part_way_leaves_nothing_and_the_next_start_seeds_it_whole()
    {
        // Killed the moment the demo partnership is visible in the file: a seed that commits step by step is then far from
        // done; one that commits once is complete or absent.
        (long, long, long, long, long) atKill;
        await using (var service = await LiveService.StartAsync(folder: folder, waitReady: false))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (Demo().Partnerships == 0 && DateTime.UtcNow < deadline) await Task.Delay(2);
            await service.KillAsync();
            atKill = Demo();
        }
        Assert.Equal(1, atKill.Item1);
        Assert.True(atKill is { Item2: 1, Item3: 2 } && atKill.Item4 > 0 && atKill.Item5 > 0, $"a partial demo after the kill: {atKill}");

        await using (await LiveService.StartAsync(folder: folder)) { }
        Assert.Equal(atKill, Demo()); // the complete demo is kept, not seeded twice
    }

    [Fact]
    public async Task A_demo_seed_killed_before_it_commits_leaves_nothing_and_the_next_start_seeds_it_whole()
    {
        await using (var service = await LiveService.StartAsync(folder: folder, waitReady: false))
        {
            // The migrations are in: the seed is next (or running).
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (Count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'alignments'") == 0 && DateTime.UtcNow < deadline) await Task.Delay(2);
            await service.KillAsync();
        }
        var atKill = Demo();
        Assert.True(atKill.Partnerships == 0 || atKill is { Approved: 1, Frameworks: 2 }, $"a partial demo after the kill: {atKill}");

        await using (await LiveService.StartAsync(folder: folder)) { }
        var seeded = Demo();
        Assert.Equal((1L, 1L, 2L), (seeded.Partnerships, seeded.Approved, seeded.Frameworks));
        Assert.True(seeded.Alignments > 0 && seeded.Observations > 0);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
