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

    /// <summary>A push with an Idempotency-Key, the process killed while it runs, the service started again: the retry
    /// gets the push's answer (run again, or replayed if the first had committed), never 409, and the rows are there once.</summary>
    [Fact]
    public async Task A_push_killed_in_flight_is_answered_by_the_retry_after_restart()
    {
        const string police = "csp_demopolice_southwark-demo-met-feed-key-not-secret";
        var codes = new[] { "ROB-PERSONAL", "THEFT-PERSON", "VAWG-OFFENCES", "ASB-CALLS" };
        var rows = codes.SelectMany(code => Enumerable.Range(0, 900).Select(m => new
        {
            indicator = code, period = $"{1900 + m / 12:D4}-{m % 12 + 1:D2}", area = "E09000028", value = 100 + m % 50, status = "final",
        })).ToList();
        HttpRequestMessage Push()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/partnerships/southwark/observations")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { observations = rows }),
            };
            request.Headers.Add("X-Api-Key", police);
            request.Headers.Add("Idempotency-Key", "restated-1900-1974");
            return request;
        }

        await using (var service = await LiveService.StartAsync(folder: folder))
        {
            using var http = new HttpClient { BaseAddress = service.BaseAddress };
            var push = http.SendAsync(Push());
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Count("SELECT COUNT(*) FROM idempotency_keys") == 0 && DateTime.UtcNow < deadline) await Task.Delay(1);
            await service.KillAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => push); // the first request never got its answer
        }

        await using (var again = await LiveService.StartAsync(folder: folder))
        {
            using var http = new HttpClient { BaseAddress = again.BaseAddress };
            var retry = await http.SendAsync(Push());
            var body = System.Text.Json.Nodes.JsonNode.Parse(await retry.Content.ReadAsStringAsync())!;

            Assert.Equal(System.Net.HttpStatusCode.OK, retry.StatusCode);
            Assert.Equal(rows.Count, body["created"]!.GetValue<int>());
        }
        // 1900–1974: none of the demo's own values (the 24 months before today).
        Assert.Equal(rows.Count, Count("SELECT COUNT(*) FROM observations WHERE period < '1975'"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
