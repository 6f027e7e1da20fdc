using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Infrastructure.Idempotency;
using Csp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.Http;

/// <summary>Every POST honours Idempotency-Key: the same key and body replay status, body, Location and ETag and write nothing;
/// another body is 422; while the first runs, 409 with Retry-After.</summary>
[Collection(ApiCollection.Name)]
public sealed class IdempotencyEverywhereTests(CspApiFactory factory)
{
    private static HttpRequestMessage Post(string path, object? body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private Task<long> EventsAsync(Guid partnership) =>
        factory.ScalarAsync<long>("SELECT COUNT(*) FROM audit_events WHERE partnership_id = @p", new { p = partnership.ToString() });

    /// <summary>Each POST of the API with a body it accepts, in an order in which each succeeds.</summary>
    private static async Task<List<(string Operation, string Path, object? Body)>> EveryPostAsync(TestTenant t)
    {
        var met = await t.CreateAgencyAsync("MET", "police");
        var plan = await t.CreatePlanAsync("Plan 2024-25", "2024-04-01", "2025-03-31");
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());
        var approved = await t.CreatePlanAsync("Plan 2023-24", "2023-04-01", "2024-03-31");
        var framework = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/frameworks"), new { code = "PCP", title = "Police and Crime Plan" }),
            HttpStatusCode.Created);
        var outcome = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/frameworks/{framework.Id()}/outcomes"),
            new { code = "PCP-1", title = "Reducing violence" }), HttpStatusCode.Created);
        var indicator = new
        {
            code = "ROB", name = "Personal robbery", unit = "count", direction = "decrease", frequency = "monthly", sourceAgencyId = met.Id(),
        };
        return
        [
            ("createPartnership", "/v1/partnerships", new { slug = "idem-" + Guid.NewGuid().ToString("N")[..20], name = "Idempotent", areaCode = "E09000028" }),
            ("createAgency", t.Path("/agencies"), new { code = "LFB", name = "London Fire Brigade", kind = "fire_rescue" }),
            ("createPlan", t.Path("/plans"), new { title = "Plan 2025-26", periodStart = "2025-04-01", periodEnd = "2026-03-31" }),
            ("createPriority", t.Path($"/plans/{plan.Id()}/priorities"), new { code = "P2", title = "Reducing harm" }),
            ("createCommitment", t.Path($"/priorities/{priority.Id()}/commitments"), new { code = "C2", title = "Street drinking" }),
            ("addCommitmentUpdate", t.Path($"/commitments/{commitment.Id()}/updates"), new { status = "on_track", commentary = "Started." }),
            ("createIndicator", t.Path("/indicators"), indicator),
            ("pushObservations", t.Path("/observations"), new { observations = new[] { new { indicator = "ROB", period = "2024-06", value = 187 } } }),
            ("createFramework", t.Path("/frameworks"), new { code = "S2030", title = "Southwark 2030" }),
            ("createFrameworkVersion", t.Path($"/frameworks/{framework.Id()}/versions"), new { title = "Police and Crime Plan (revised)" }),
            ("createOutcome", t.Path($"/frameworks/{framework.Id()}/outcomes"), new { code = "PCP-2", title = "Safer communities" }),
            ("createAlignment", t.Path("/alignments"), new { outcomeId = outcome.Id(), priorityId = priority.Id(), rationale = "Violence." }),
            ("approvePlan", t.Path($"/plans/{approved.Id()}/approve"), null),
            ("refreshPlan", t.Path($"/plans/{approved.Id()}/refresh"), new { title = "Plan 2024-25 (refreshed)", periodStart = "2024-04-01", periodEnd = "2025-03-31" }),
            ("archivePlan", t.Path($"/plans/{approved.Id()}/archive"), null),
        ];
    }

    [Fact]
    public async Task Every_post_replays_its_first_answer_with_its_headers_and_writes_nothing_again()
    {
        var t = await TestTenant.CreateAsync(factory);
        var platform = factory.ClientWithKey(CspApiFactory.PlatformKey);
        foreach (var (operation, path, body) in await EveryPostAsync(t))
        {
            var client = operation == "createPartnership" ? platform : t.Admin;
            var key = $"{operation}-{Guid.NewGuid():N}";
            var first = await client.SendAsync(Post(path, body, key));
            var firstBody = await first.Content.ReadAsStringAsync();
            Assert.True(first.IsSuccessStatusCode, $"{operation}: {(int)first.StatusCode} {firstBody}");
            var events = await EventsAsync(t.Id);

            var retry = await client.SendAsync(Post(path, body, key));

            Assert.True(retry.StatusCode == first.StatusCode, $"{operation}: {(int)retry.StatusCode}");
            Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
            Assert.Equal(first.Headers.Location, retry.Headers.Location);
            Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
            Assert.True(retry.Headers.Contains(IdempotencyFilter.ReplayedHeader), operation);
            Assert.Equal(events, await EventsAsync(t.Id));

            if (body is null) continue; // (nothing to send differently: another query would be another, refused, parameter)
            // The same request with one free-text value changed (a value that still binds, so the key is what answers).
            var changed = System.Text.Json.JsonSerializer.SerializeToNode(body)!.AsObject();
            if (changed["observations"] is JsonArray pushed) pushed[0]!["value"] = 188;
            else
            {
                var text = new[] { "title", "name", "commentary", "rationale" }.First(changed.ContainsKey);
                changed[text] = changed[text]!.GetValue<string>() + " (again)";
            }
            var other = await client.SendAsync(Post(path, changed, key));
            Assert.True(other.StatusCode == HttpStatusCode.UnprocessableEntity, $"{operation}: {(int)other.StatusCode}");
        }
    }

    [Fact]
    public async Task A_retried_progress_update_is_stored_once()
    {
        var t = await TestTenant.CreateAsync(factory);
        var commitment = await t.CreateCommitmentAsync((await t.CreatePriorityAsync((await t.CreatePlanAsync()).Id())).Id());
        var update = new { status = "at_risk", commentary = "Funding delayed." };

        foreach (var _ in Enumerable.Range(0, 3))
            Assert.Equal(HttpStatusCode.Created,
                (await t.Admin.SendAsync(Post(t.Path($"/commitments/{commitment.Id()}/updates"), update, "update-1"))).StatusCode);

        Assert.Equal(1, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM commitment_updates WHERE commitment_id = @c",
            new { c = commitment.Id().ToString() }));
    }

    [Fact]
    public async Task A_retry_while_the_first_runs_is_409_with_retry_after()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = new { code = "CGL", name = "Change Grow Live", kind = "voluntary" };
        var admin = (await factory.QueryAsync<string>("SELECT id FROM clients WHERE partnership_id = @p", new { p = t.Id.ToString() })).Single();
        var instance = factory.Services.GetRequiredService<ServiceInstance>();
        // What a request of this run leaves while it runs: its claim, in flight.
        Assert.Equal(HttpStatusCode.Created, (await t.Admin.SendAsync(Post(t.Path("/agencies"), agency, "slow"))).StatusCode);
        await factory.ExecuteAsync("UPDATE idempotency_keys SET status = 'in_flight', owner_run = @run WHERE client_id = @admin AND idempotency_key = 'slow'",
            new { admin, run = instance.Run.ToString() });

        var retry = await t.Admin.SendAsync(Post(t.Path("/agencies"), agency, "slow"));

        await TestTenant.ExpectProblem(retry, HttpStatusCode.Conflict);
        Assert.True(retry.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    [Fact]
    public async Task A_new_clients_key_is_never_kept_and_its_replay_says_it_was_issued()
    {
        var t = await TestTenant.CreateAsync(factory);
        var request = new { name = "Met CONNECT extract", scopes = new[] { "observations:write" } };

        var first = await TestTenant.Expect(await t.Admin.SendAsync(Post(t.Path("/clients"), request, "client-1")), HttpStatusCode.Created);
        var retry = await t.Admin.SendAsync(Post(t.Path("/clients"), request, "client-1"));

        var key = first.Str("key");
        var problem = await TestTenant.ExpectProblem(retry, HttpStatusCode.Conflict);
        Assert.Contains($"client {first.Id()}", problem.Str("detail"), StringComparison.Ordinal);
        Assert.EndsWith($"/clients/{first.Id()}", retry.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Contains("already issued", problem.Str("title"), StringComparison.Ordinal);
        Assert.DoesNotContain(key, problem.ToJsonString(), StringComparison.Ordinal);
        var stored = await factory.QueryAsync<byte[]>("SELECT response_body FROM idempotency_keys WHERE idempotency_key = 'client-1'");
        Assert.DoesNotContain(key, System.Text.Encoding.UTF8.GetString(stored.Single()), StringComparison.Ordinal);
        Assert.Equal(1, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM clients WHERE partnership_id = @p AND name = 'Met CONNECT extract'",
            new { p = t.Id.ToString() }));
    }

    [Fact]
    public async Task An_answer_over_64_KB_is_kept_and_replayed_as_its_summary()
    {
        var t = await TestTenant.CreateAsync(factory);
        // 2,000 rows of an unknown indicator: rejected, with a conflict each — an answer far over 64 KB.
        var rows = Enumerable.Range(0, 2000).Select(i => new { indicator = "NOPE", period = "2024-06", value = i }).ToArray();

        var first = await t.Admin.SendAsync(Post(t.Path("/observations"), new { observations = rows }, "big"));
        var firstBody = await first.Content.ReadAsByteArrayAsync();
        var retry = await t.Admin.SendAsync(Post(t.Path("/observations"), new { observations = rows }, "big"));

        Assert.True(firstBody.Length > IdempotencyFilter.MaxStoredBodyBytes);
        var stored = (await factory.QueryAsync<byte[]>("SELECT response_body FROM idempotency_keys WHERE idempotency_key = 'big'")).Single();
        Assert.True(stored.Length < 1024, $"{stored.Length} bytes kept");
        var summary = JsonNode.Parse(await retry.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(first.StatusCode, retry.StatusCode);
        Assert.Equal(("rejected", 2000), (summary["status"]!.GetValue<string>(), summary["rejected"]!.GetValue<int>()));
        Assert.Empty(summary["conflicts"]!.AsArray());
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(firstBody));
        Assert.Equal($"sha256={digest}, bytes={firstBody.Length}", retry.Headers.GetValues(IdempotencyFilter.SummaryHeader).Single());
    }
}
