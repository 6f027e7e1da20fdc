using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Areas;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observations;

[Collection(ApiCollection.Name)]
public sealed class ConcurrentPushTests(CspApiFactory factory)
{
    private const int Clients = 8;
    private const int Rounds = 4;
    private static readonly string[] Codes = ["ROB-PERSONAL", "THEFT-PERSON", "KNIFE-INJURY"];
    private static readonly string[] Areas = ["E09000028", "E05011095"];
    private static readonly string[] Months = Enumerable.Range(1, 12).Select(m => $"2024-{m:D2}").ToArray();

    private sealed record Key(string Code, string Period, string Area);

    private static readonly List<Key> Keys =
        [.. from c in Codes from p in Months from a in Areas select new Key(c, p, a)];

    /// <summary>The value of a key in a round: every client touching it in that round sends the same one, and it changes every round.</summary>
    private static decimal ValueOf(int round, int key) => 1000 * (round + 1) + key + 0.25m;

    /// <summary>Client c pushes, in round r, the keys with (key + c + r) % 3 != 0: two thirds of all keys, overlapping with every other client.</summary>
    private static bool Touches(int client, int round, int key) => (key + client + round) % 3 != 0;

    /// <summary>
    /// Issue 4, point 7. Eight clients push overlapping batches concurrently; each sends its batch twice at
    /// once and once more afterwards with the same Idempotency-Key (a client retrying after a timeout),
    /// retrying on 409 while the first is in flight. Rounds run one after another, so the last writer of
    /// every key is the last round. Nothing may be lost or written twice.
    /// </summary>
    [Fact]
    public async Task Eight_concurrent_clients_with_retries_lose_nothing_and_duplicate_nothing()
    {
        var t = await TestTenant.CreateAsync(factory, "load");
        await t.RegisterWardAsync("E05011095", "Borough & Bankside");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var indicatorIds = new Dictionary<string, Guid>();
        foreach (var code in Codes) indicatorIds[code] = (await t.CreateIndicatorAsync(met, code, unit: "rate_per_1000")).Id();
        var clients = new List<(HttpClient Http, Guid Id)>();
        for (var c = 0; c < Clients; c++)
        {
            var (http, _, id) = await t.KeyAsync(["observations:write"], met);
            clients.Add((http, id));
        }

        var summaries = new List<JsonObject>();
        var rowsSent = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var batches = Enumerable.Range(0, Clients).Select(c =>
            {
                var rows = Enumerable.Range(0, Keys.Count).Where(k => Touches(c, round, k))
                    .Select(k => Row(Keys[k].Code, Keys[k].Period, ValueOf(round, k), Keys[k].Area)).ToArray();
                return (Client: clients[c].Http, Key: $"round-{round}-client-{c}", Rows: rows);
            }).ToList();
            rowsSent += batches.Sum(b => b.Rows.Length);

            var results = await Task.WhenAll(batches.Select(async b =>
            {
                // A request and its impatient retry race; one runs, the other waits for it (409) or replays it.
                var answers = await Task.WhenAll(SendUntilAnswered(b.Client, t, b.Key, b.Rows), SendUntilAnswered(b.Client, t, b.Key, b.Rows));
                var late = await SendUntilAnswered(b.Client, t, b.Key, b.Rows);
                Assert.All(answers.Append(late), a => Assert.Equal(answers[0].Body, a.Body));
                Assert.Equal(2, answers.Append(late).Count(a => a.Replayed));
                return JsonNode.Parse(answers[0].Body)!.AsObject();
            }));
            summaries.AddRange(results);
        }

        // Counts add up: every row sent was counted once, as created, updated or unchanged.
        Assert.All(summaries, s => Assert.Equal(("ok", 0), (s.Str("status"), s.Int("rejected"))));
        Assert.Equal(rowsSent, summaries.Sum(s => s.Int("created") + s.Int("updated") + s.Int("unchanged")));
        Assert.Equal(Keys.Count, summaries.Sum(s => s.Int("created")));
        Assert.Equal(Keys.Count * (Rounds - 1), summaries.Sum(s => s.Int("updated")));

        // The table holds the last round's value of every key, once.
        var stored = new Dictionary<Key, string>();
        foreach (var code in Codes)
            foreach (var o in await t.StoredAsync(indicatorIds[code]))
                stored.Add(new Key(code, o.Period, o.Area), o.Value);
        Assert.Equal(Keys.Count, stored.Count);
        for (var k = 0; k < Keys.Count; k++)
            Assert.Equal(ValueOf(Rounds - 1, k).ToString(System.Globalization.CultureInfo.InvariantCulture), stored[Keys[k]]);

        // Every change is recorded exactly once, in order: round r-1's value became round r's. (Rounds run one after another,
        // so revised_at orders a key's revisions on both engines; ids are UUIDv7, which SQL Server does not sort by time.)
        var revisions = (await factory.QueryTextAsync("""
            SELECT indicator_id, period, area, old_value, new_value FROM observation_revisions WHERE partnership_id = @p ORDER BY revised_at, id
            """, new { p = t.Id })).Select(r => (IndicatorId: r[0]!, Period: r[1]!, Area: r[2]!, OldValue: r[3]!, NewValue: r[4]!)).ToList();
        Assert.Equal(Keys.Count * (Rounds - 1), revisions.Count);
        var codeOf = indicatorIds.ToDictionary(kv => kv.Value.ToString(), kv => kv.Key);
        foreach (var group in revisions.GroupBy(r => new Key(codeOf[r.IndicatorId], r.Period, r.Area)))
        {
            var k = Keys.IndexOf(group.Key);
            var expected = Enumerable.Range(1, Rounds - 1).Select(r => (ValueOf(r - 1, k), ValueOf(r, k))).ToList();
            Assert.Equal(expected, group.Select(r => (decimal.Parse(r.OldValue, System.Globalization.CultureInfo.InvariantCulture),
                decimal.Parse(r.NewValue, System.Globalization.CultureInfo.InvariantCulture))).ToList());
        }
    }

    private static async Task<(string Body, bool Replayed)> SendUntilAnswered(HttpClient client, TestTenant t, string key, object[] rows)
    {
        for (var attempt = 0; attempt < 400; attempt++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, t.Path("/observations")) { Content = JsonContent.Create(new { observations = rows }) };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                await Task.Delay(25);
                continue;
            }
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
            return (body, response.Headers.Contains("Idempotent-Replayed"));
        }
        throw new TimeoutException($"Request {key} stayed in flight.");
    }
}
