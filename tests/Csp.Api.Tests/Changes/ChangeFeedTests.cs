using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Changes;

[Collection(ApiCollection.Name)]
public sealed class ChangeFeedTests(CspApiFactory factory)
{
    private static readonly Dictionary<string, string> Paths = new()
    {
        ["agency"] = "/agencies/", ["plan"] = "/plans/", ["priority"] = "/priorities/", ["commitment"] = "/commitments/",
    };

    [Fact]
    public async Task Replaying_the_feed_and_fetching_each_entity_gives_exactly_the_current_state()
    {
        var t = await TestTenant.CreateAsync(factory);
        var random = new Random(20261126);
        var agencies = new List<Guid>();
        var plans = new List<Guid>();
        var priorities = new List<Guid>();
        var commitments = new List<Guid>();
        var planOf = new Dictionary<Guid, Guid>();      // priority -> plan
        var priorityOf = new Dictionary<Guid, Guid>();  // commitment -> priority
        for (var step = 0; step < 60; step++)
        {
            switch (random.Next(8))
            {
                case 0:
                    agencies.Add((await t.CreateAgencyAsync($"A{step}")).Id());
                    break;
                case 1:
                    plans.Add((await t.CreatePlanAsync($"Plan {step}")).Id());
                    break;
                case 2 when plans.Count > 0:
                    var plan = plans[random.Next(plans.Count)];
                    var priority = (await t.CreatePriorityAsync(plan, $"P{step}")).Id();
                    priorities.Add(priority);
                    planOf[priority] = plan;
                    break;
                case 3 when priorities.Count > 0:
                    var parent = priorities[random.Next(priorities.Count)];
                    var commitment = (await t.CreateCommitmentAsync(parent, $"C{step}")).Id();
                    commitments.Add(commitment);
                    priorityOf[commitment] = parent;
                    break;
                case 4 when commitments.Count > 0:
                    await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/commitments/{commitments[random.Next(commitments.Count)]}/updates"),
                        new { status = "at_risk", commentary = $"step {step}" }), HttpStatusCode.Created);
                    break;
                case 5 when agencies.Count > 0:
                    var a = agencies[random.Next(agencies.Count)];
                    await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/agencies/{a}"), new { code = $"R{step}", name = "renamed", kind = "other" }), HttpStatusCode.OK);
                    break;
                case 6 when commitments.Count > 0:
                    var c = commitments[random.Next(commitments.Count)];
                    commitments.Remove(c);
                    await TestTenant.Expect(await t.Admin.DeleteAsync(t.Path($"/commitments/{c}")), HttpStatusCode.NoContent);
                    break;
                case 7 when plans.Count > 1:
                    var p = plans[random.Next(plans.Count)];
                    plans.Remove(p);
                    await TestTenant.Expect(await t.Admin.DeleteAsync(t.Path($"/plans/{p}")), HttpStatusCode.NoContent);
                    priorities.RemoveAll(x => planOf[x] == p); // deleting a draft plan takes its contents with it
                    commitments.RemoveAll(x => !priorities.Contains(priorityOf[x]));
                    break;
            }
        }

        // Replay the feed in small pages, as a portal would.
        var replica = new Dictionary<(string, Guid), JsonNode?>();
        long after = 0, lastSeq = 0;
        while (true)
        {
            var page = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/changes?after={after}&limit=7")), HttpStatusCode.OK);
            foreach (var change in page["items"]!.AsArray())
            {
                var seq = change!["seq"]!.GetValue<long>();
                Assert.True(seq > lastSeq, "the feed is in commit order");
                lastSeq = seq;
                var type = change["entityType"]!.GetValue<string>();
                var id = change["entityId"]!.GetValue<Guid>();
                if (!Paths.TryGetValue(type, out var path)) continue;
                if (change["op"]!.GetValue<string>() == "delete") { replica.Remove((type, id)); continue; }
                var current = await t.Admin.GetAsync(t.Path(path + id));
                // A later tombstone (or a cascade) may already have removed it; the feed will say so.
                replica[(type, id)] = current.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await current.Content.ReadAsStringAsync()) : null;
            }
            after = page["next"]!.GetValue<long>();
            if (!page["hasMore"]!.GetValue<bool>()) break;
        }

        var live = replica.Where(kv => kv.Value is not null).Select(kv => kv.Key).ToHashSet();
        var expected = agencies.Select(id => ("agency", id))
            .Concat(plans.Select(id => ("plan", id)))
            .Concat(priorities.Select(id => ("priority", id)))
            .Concat(commitments.Select(id => ("commitment", id)))
            .ToHashSet();
        // What the test tracked is what the API holds.
        Assert.Equal(priorities.Order(), (await LivePriorities(t, plans)).Order());
        Assert.Equal(commitments.Order(), (await LiveCommitments(t, plans)).Order());
        Assert.Equal(expected.OrderBy(x => x.Item2), live.OrderBy(x => x.Item2));
    }

    private static async Task<List<Guid>> LivePriorities(TestTenant t, List<Guid> plans)
    {
        var ids = new List<Guid>();
        foreach (var plan in plans)
        {
            var doc = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/plans/{plan}")), HttpStatusCode.OK);
            ids.AddRange(doc["priorities"]!.AsArray().Select(p => p!["id"]!.GetValue<Guid>()));
        }
        return ids;
    }

    private static async Task<List<Guid>> LiveCommitments(TestTenant t, List<Guid> plans)
    {
        var ids = new List<Guid>();
        foreach (var plan in plans)
        {
            var doc = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/plans/{plan}")), HttpStatusCode.OK);
            ids.AddRange(doc["priorities"]!.AsArray().SelectMany(p => p!["commitments"]!.AsArray()).Select(c => c!["id"]!.GetValue<Guid>()));
        }
        return ids;
    }
}
