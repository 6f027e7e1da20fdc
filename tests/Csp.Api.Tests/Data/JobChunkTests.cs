using System.Net;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Jobs;
using Microsoft.Extensions.DependencyInjection;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Data;

/// <summary>
/// SQLite: a job's chunk is checked, and its keys' stored rows read, before its write turn (in the partnership's push turn), as a
/// synchronous push is; a write of the partnership that commits between those checks and the turn makes the chunk check its rows
/// again in the turn, against what that write stored, with the job's keys claimed once. On a database of its own, so that no other
/// test's writer waits for the turn.
/// </summary>
public sealed class JobChunkTests(CspApiFactory factory) : IClassFixture<CspApiFactory>
{
    private static object Ward(int i, decimal value) => Row("ROB-PERSONAL", "2024-06", value, $"E05{i:D6}");

    [Fact]
    public async Task A_chunk_checks_its_rows_again_when_the_partnership_was_written_after_its_checks()
    {
        var t = await TestTenant.CreateAsync(factory, "jobstale", areaCheck: "off");
        var indicator = (await t.CreateIndicatorAsync((await t.CreateAgencyAsync("MET")).Id())).Id();
        var db = factory.Services.GetRequiredService<Db>();
        var tenant = new Tenant(t.Id, t.Slug, "E09000028", false, Caller.Platform);

        string jobId;
        // The test holds the partnership's push turn, so the job (two chunks of 2,000 rows) is claimed and waits to check its first
        // chunk; then it holds the write turn with a write of the partnership that stores a value for a key of that chunk, and lets
        // the chunk check its rows (on a reader, which does not see that write yet) and wait for the turn.
        using (var pushTurn = await db.PushTurnAsync(tenant, CancellationToken.None))
        {
            var (_, job) = await JobKit.SubmitAsync(t.Admin, t, JobKit.Json(Enumerable.Range(0, 4_000).Select(i => Ward(i, i % 400))));
            jobId = job.Str("id");
            for (var waited = 0; (await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/jobs/{jobId}")), HttpStatusCode.OK)).Str("state") != "running"; waited += 20)
            {
                Assert.True(waited < 30_000, "the job never started");
                await Task.Delay(20);
            }
            await using var edit = await db.BeginWriteAsync(tenant, CancellationToken.None);
            await BehindTheApi.StoreJune2024Async(edit, t.Id, indicator, "E05001000", 5m);
            pushTurn!.Dispose();
            for (var waited = 0; db.WritersWaiting < 1; waited += 5)
            {
                Assert.True(waited < 30_000, "the job's first chunk never waited for the write turn");
                await Task.Delay(5);
            }
            await edit.CommitAsync();
        }

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
}
