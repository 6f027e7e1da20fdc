using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Plans;

namespace Csp.Api.Tests.Changes;

/// <summary>Issue 5, point 4: a portal polling the change feed while writes commit concurrently never skips a change
/// (on SQLite writers are serialised, so seq order is commit order: see ChangeQueries).</summary>
[Collection(ApiCollection.Name)]
public sealed class ChangeFeedOrderTests(CspApiFactory factory)
{
    [Fact]
    public async Task A_reader_polling_during_concurrent_writes_sees_every_change_once_in_seq_order()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id(), "P1");
        var seen = new List<long>();
        long after = 0;
        using var done = new CancellationTokenSource();

        async Task PollAsync()
        {
            while (true)
            {
                var finished = done.IsCancellationRequested;
                var page = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/changes?after={after}&limit=1000")), HttpStatusCode.OK);
                seen.AddRange(page["items"]!.AsArray().Select(i => i!["seq"]!.GetValue<long>()));
                after = page["next"]!.GetValue<long>();
                if (finished && !page["hasMore"]!.GetValue<bool>()) return;
            }
        }

        var poller = PollAsync();
        await Task.WhenAll(Enumerable.Range(0, 24).Select(async n =>
        {
            var commitment = await t.CreateCommitmentAsync(priority.Id(), $"C{n}", $"Commitment {n}");
            await t.AddUpdateAsync(commitment.Id(), "on_track", $"Update {n}");
        }));
        await done.CancelAsync();
        await poller;

        // Every event the feed shows, in commit (seq) order: the feed gave them all, once, in that order.
        var stored = await factory.QueryAsync<long>(
            "SELECT feed_seq FROM audit_events WHERE partnership_id = @p AND feed_seq IS NOT NULL ORDER BY seq", new { p = t.Id.ToString() });
        Assert.Equal(stored, seen);
        Assert.True(seen.Zip(seen.Skip(1)).All(x => x.First < x.Second), "seq must only increase along the feed");
    }
}
