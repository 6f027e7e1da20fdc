using System.Net;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Jobs;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Data;

/// <summary>
/// SQLite: a job's chunk is checked, and its keys' stored rows read, before its write turn (in the partnership's push turn), as a
/// synchronous push is; a write of the partnership that commits between those checks and the turn makes the chunk check its rows
/// again in the turn, against what that write stored, with the job's keys claimed once; a chunk whose write a constraint refuses
/// stops the job as failed, with what the chunks before applied. On a database of its own, so that no other test's writer waits
/// for the turn.
/// </summary>
public sealed class JobChunkTests(CspApiFactory factory) : IClassFixture<CspApiFactory>
{
    private static object Ward(int i, decimal value) => Row("ROB-PERSONAL", "2024-06", value, $"E05{i:D6}");

    /// <summary>A partnership of its own (area checks off) with the Met's ROB-PERSONAL indicator: the partnership, the indicator's id
    /// and the partnership as its writes name it.</summary>
    private async Task<(TestTenant T, Guid Indicator, Tenant Tenant)> SetupAsync(string slug)
    {
        var t = await TestTenant.CreateAsync(factory, slug, areaCheck: "off");
        var indicator = (await t.CreateIndicatorAsync((await t.CreateAgencyAsync("MET")).Id())).Id();
        return (t, indicator, new Tenant(t.Id, t.Slug, "E09000028", false, Caller.Platform));
    }

    /// <summary>A job of 4,000 rows (two chunks) whose first chunk checks its rows before <paramref name="write"/> commits and
    /// takes its write turn after: the test holds the partnership's push turn until the job is running, then the write turn with
    /// <paramref name="write"/> in it until the chunk, its checks made on a reader, waits for the turn. The job's id.</summary>
    private async Task<string> JobAroundAWriteAsync(TestTenant t, Tenant tenant, Func<WriteUnit, Task> write)
    {
        var db = factory.Services.GetRequiredService<Db>();
        using var pushTurn = await db.PushTurnAsync(tenant, CancellationToken.None);
        var (_, job) = await JobKit.SubmitAsync(t.Admin, t, JobKit.Json(Enumerable.Range(0, 4_000).Select(i => Ward(i, i % 400))));
        var jobId = job.Str("id");
        for (var waited = 0; (await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/jobs/{jobId}")), HttpStatusCode.OK)).Str("state") != "running";
             waited += 20)
        {
            Assert.True(waited < 30_000, "the job never started");
            await Task.Delay(20);
        }
        await using var edit = await db.BeginWriteAsync(tenant, CancellationToken.None);
        await write(edit);
        pushTurn!.Dispose();
        for (var waited = 0; db.WritersWaiting < 1; waited += 5)
        {
            Assert.True(waited < 30_000, "the job's first chunk never waited for the write turn");
            await Task.Delay(5);
        }
        await edit.CommitAsync();
        return jobId;
    }

    [Fact]
    public async Task A_chunk_checks_its_rows_again_when_the_partnership_was_written_after_its_checks()
    {
        var (t, indicator, tenant) = await SetupAsync("jobstale");

        // The test holds the partnership's push turn, so the job (two chunks of 2,000 rows) is claimed and waits to check its first
        // chunk; then it holds the write turn with a write of the partnership that stores a value for a key of that chunk, and lets
        // the chunk check its rows (on a reader, which does not see that write yet) and wait for the turn.
        var jobId = await JobAroundAWriteAsync(t, tenant, edit => BehindTheApi.StoreJune2024Async(edit, t.Id, indicator, "E05001000", 5m));

        // The first chunk found that value in its turn: an update with its revision, not an insert; and no row of the chunk is
        // taken for a duplicate of itself (its keys were claimed by the checks before the turn, then again).
        var done = await JobKit.FinishedAsync(t.Admin, t, jobId);
        Assert.Equal("succeeded", done.Str("state"));
        var result = done["result"]!.AsObject();
        Assert.Equal(("ok", 3_999, 1, 0), (result.Str("status"), result.Int("created"), result.Int("updated"), result.Int("rejected")));
        Assert.Empty(await JobKit.ConflictsAsync(t.Admin, t, jobId));
        Assert.Equal(4_000, (await t.StoredAsync(indicator)).Count);
        Assert.Equal(1L, await t.CountAsync("observation_revisions"));
    }

    [Fact]
    public async Task A_chunk_whose_write_a_constraint_refuses_stops_the_job_as_failed_with_what_was_applied()
    {
        var (t, indicator, tenant) = await SetupAsync("jobrefused");

        // As above, but the row stored between the chunk's checks and its turn comes with no audit event (a writer that breaks the
        // rule every write of the API keeps): the chunk's checks still hold by the change token, and its insert of that key fails.
        var jobId = await JobAroundAWriteAsync(t, tenant, edit => edit.ExecuteAsync("""
            INSERT INTO observations (partnership_id, indicator_id, period, area, period_start, period_end, value, status, note,
                                      client_id, version, created_at, updated_at)
            VALUES (@p, @i, '2024-06', 'E05001000', '2024-06-01', '2024-06-30', '5', 'provisional', NULL, NULL, 1,
                    '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z')
            """, new { p = t.Id.ToString(), i = indicator.ToString() }));

        // Failed, saying which rows and how many were applied before them; nothing of the chunk (nor its progress) committed, and
        // the job did not go on to the next chunk.
        var done = await JobKit.FinishedAsync(t.Admin, t, jobId);
        Assert.Equal("failed", done.Str("state"));
        Assert.StartsWith("Rows 0 to 1,999 were refused (", done.Str("error"));
        Assert.EndsWith("the 0 rows before them were applied. Send the rest again.", done.Str("error"));
        Assert.Equal(0, done["progress"]!["rowsDone"]!.GetValue<int>());
        Assert.Equal(["E05001000"], (await t.StoredAsync(indicator)).Select(o => o.Area));
    }

    /// <summary>Submits an atomic job of <paramref name="rows"/> while the test holds the partnership's push turn, and waits until
    /// the job, claimed, waits for that turn to check its first chunk on a reader (as a chunk of any job does) rather than in the
    /// write turn. The job's id, and how many write turns the partnership had taken by then (its submission and its claim).</summary>
    private async Task<(string JobId, int Turns, IDisposable? PushTurn)> AtomicJobWaitingToCheckAsync(TestTenant t, Tenant tenant, IEnumerable<object> rows)
    {
        var db = factory.Services.GetRequiredService<Db>();
        var pushTurn = await db.PushTurnAsync(tenant, CancellationToken.None);
        var (_, job) = await JobKit.SubmitAsync(t.Admin, t, JobKit.Json(rows), "?atomic=true");
        for (var waited = 0; db.PushTurnUsers(t.Id) < 2; waited += 10)
        {
            Assert.True(waited < 30_000, "the atomic job never waited for the push turn to check its rows");
            await Task.Delay(10);
        }
        Assert.Equal(0, db.WritersWaiting);
        return (job.Str("id"), db.WriteTurns(t.Id), pushTurn);
    }

    [Fact]
    public async Task An_atomic_job_with_a_conflict_is_rejected_by_checks_made_out_of_the_write_turn()
    {
        var (t, indicator, tenant) = await SetupAsync("jobatomiccheck");
        var db = factory.Services.GetRequiredService<Db>();

        // 6,000 rows (three chunks), the last one's period impossible. The job is claimed, then waits for the push turn to check.
        var rows = Enumerable.Range(0, 6_000).Select(i => i == 5_999 ? Row("ROB-PERSONAL", "2024-13", 1) : Ward(i, i % 400));
        var (jobId, turns, pushTurn) = await AtomicJobWaitingToCheckAsync(t, tenant, rows);
        pushTurn?.Dispose();

        // Rejected whole, with its conflict, nothing kept; and it took one write turn after its checks, to record that outcome.
        // (It used to check every chunk in one write turn, holding every other partnership's writes for as long as that took.)
        var done = await JobKit.FinishedAsync(t.Admin, t, jobId);
        var result = done["result"]!.AsObject();
        Assert.Equal(("succeeded", "rejected", 0, 6_000), (done.Str("state"), result.Str("status"), result.Int("created"), result.Int("rejected")));
        var conflict = Assert.Single(await JobKit.ConflictsAsync(t.Admin, t, jobId));
        Assert.Equal((5_999, "invalid_period"), (conflict["index"]!.GetValue<int>(), conflict["code"]!.GetValue<string>()));
        Assert.Empty(await t.StoredAsync(indicator));
        Assert.Equal(1, db.WriteTurns(t.Id) - turns);
    }

    [Fact]
    public async Task An_atomic_job_renews_its_lease_while_it_checks_its_rows_out_of_the_write_turn()
    {
        var (t, indicator, tenant) = await SetupAsync("jobatomiclease");
        var db = factory.Services.GetRequiredService<Db>();
        var options = factory.Services.GetRequiredService<IOptions<JobOptions>>().Value;
        var lease = options.Lease;
        options.Lease = TimeSpan.FromMilliseconds(300);
        try
        {
            // The job's checks wait longer than a third of its lease for the push turn, the test holding it: before its next chunk
            // the job renews its lease (a write of its own), then records its outcome (rejected, by the impossible period).
            var rows = Enumerable.Range(0, 4_000).Select(i => i == 3_999 ? Row("ROB-PERSONAL", "2024-13", 1) : Ward(i, i % 400));
            var (jobId, turns, pushTurn) = await AtomicJobWaitingToCheckAsync(t, tenant, rows);
            await Task.Delay(250);
            pushTurn?.Dispose();

            var done = await JobKit.FinishedAsync(t.Admin, t, jobId);
            Assert.Equal(("succeeded", "rejected"), (done.Str("state"), done["result"]!.AsObject().Str("status")));
            Assert.Empty(await t.StoredAsync(indicator));
            Assert.InRange(db.WriteTurns(t.Id) - turns, 2, 4);
        }
        finally
        {
            options.Lease = lease;
        }
    }

    [Fact]
    public async Task An_atomic_job_whose_checks_pass_is_checked_again_in_its_write_against_what_landed_since()
    {
        var (t, indicator, tenant) = await SetupAsync("jobatomicagain");
        var db = factory.Services.GetRequiredService<Db>();

        // 4,000 provisional values (two chunks), none with a conflict when the job checks them. While the job checks, the test
        // holds the write turn with a write of the partnership that stores a final value for one of the job's keys, and lets it
        // go once the job waits for the write turn.
        var (jobId, _, pushTurn) = await AtomicJobWaitingToCheckAsync(t, tenant, Enumerable.Range(0, 4_000).Select(i => Ward(i, i % 400)));
        await using (var edit = await db.BeginWriteAsync(tenant, CancellationToken.None))
        {
            await BehindTheApi.StoreJune2024Async(edit, t.Id, indicator, "E05001000", 5m, status: "final");
            pushTurn?.Dispose();
            for (var waited = 0; db.WritersWaiting < 1; waited += 5)
            {
                Assert.True(waited < 30_000, "the atomic job never waited for the write turn");
                await Task.Delay(5);
            }
            await edit.CommitAsync();
        }

        // In its write the job found the final value: a provisional value does not replace it, so the job is rejected whole and
        // only the final value is stored.
        var done = await JobKit.FinishedAsync(t.Admin, t, jobId);
        Assert.Equal(("succeeded", "rejected"), (done.Str("state"), done["result"]!.AsObject().Str("status")));
        var conflict = Assert.Single(await JobKit.ConflictsAsync(t.Admin, t, jobId));
        Assert.Equal((1_000, "final_value_locked"), (conflict["index"]!.GetValue<int>(), conflict["code"]!.GetValue<string>()));
        Assert.Equal([("E05001000", "final")], (await t.StoredAsync(indicator)).Select(o => (o.Area, o.Status)));
    }
}
