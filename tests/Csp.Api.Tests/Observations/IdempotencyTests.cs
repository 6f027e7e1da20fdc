using System.Net;
using System.Net.Http.Json;
using Csp.Api.Infrastructure.Idempotency;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observations;

[Collection(ApiCollection.Name)]
public sealed class IdempotencyTests(CspApiFactory factory)
{
    private async Task<(TestTenant T, Guid Indicator, HttpClient Pusher, Guid PusherId)> SetupAsync()
    {
        var t = await TestTenant.CreateAsync(factory, "idem");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var indicator = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        var (pusher, _, pusherId) = await t.KeyAsync(["observations:write"]);
        return (t, indicator, pusher, pusherId);
    }

    private static Task<HttpResponseMessage> Push(HttpClient client, TestTenant t, string key, object[] rows, string query = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, t.Path("/observations" + query)) { Content = JsonContent.Create(new { observations = rows }) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    [Fact]
    public async Task A_retry_with_the_same_key_and_body_replays_the_first_response_and_writes_nothing()
    {
        var (t, indicator, pusher, _) = await SetupAsync();
        await pusher.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-05", 100)]);
        var rows = new[] { Row("ROB-PERSONAL", "2024-05", 101), Row("ROB-PERSONAL", "2024-06", 187) };

        var first = await Push(pusher, t, "batch-2024-07-06", rows);
        var firstBody = await first.Content.ReadAsStringAsync();
        var retry = await Push(pusher, t, "batch-2024-07-06", rows);
        var retryBody = await retry.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(firstBody, retryBody);
        Assert.Contains("\"created\":1", firstBody);
        Assert.Contains("\"updated\":1", firstBody);
        Assert.Equal("application/json", retry.Content.Headers.ContentType?.MediaType);
        Assert.True(retry.Headers.Contains(IdempotencyFilter.ReplayedHeader));
        Assert.False(first.Headers.Contains(IdempotencyFilter.ReplayedHeader));
        Assert.Equal(1, await t.CountAsync("observation_revisions"));
        Assert.Equal(["101", "187"], (await t.StoredAsync(indicator)).Select(o => o.Value));
        Assert.Equal(1, await t.CountAsync("idempotency_keys"));

        // Without the key the same body runs again (and now finds everything unchanged).
        var fresh = await pusher.PushOkAsync(t, rows);
        Assert.Equal(2, fresh.Int("unchanged"));
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_or_query_is_422()
    {
        var (t, indicator, pusher, _) = await SetupAsync();
        await TestTenant.Expect(await Push(pusher, t, "k1", [Row("ROB-PERSONAL", "2024-06", 187)]), HttpStatusCode.OK);

        var body = await TestTenant.ExpectProblem(await Push(pusher, t, "k1", [Row("ROB-PERSONAL", "2024-06", 188)]), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("different request", body.Str("detail"));
        await TestTenant.ExpectProblem(await Push(pusher, t, "k1", [Row("ROB-PERSONAL", "2024-06", 187)], "?dryRun=true"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("187", Assert.Single(await t.StoredAsync(indicator)).Value);
    }

    [Fact]
    public async Task Keys_belong_to_one_client()
    {
        var (t, indicator, pusher, _) = await SetupAsync();
        var (other, _, _) = await t.KeyAsync(["observations:write"]);
        await TestTenant.Expect(await Push(pusher, t, "shared", [Row("ROB-PERSONAL", "2024-06", 187)]), HttpStatusCode.OK);

        var response = await TestTenant.Expect(await Push(other, t, "shared", [Row("ROB-PERSONAL", "2024-06", 190)]), HttpStatusCode.OK);

        Assert.Equal(1, response.Int("updated"));
        Assert.Equal("190", Assert.Single(await t.StoredAsync(indicator)).Value);
        Assert.Equal(2, await t.CountAsync("idempotency_keys"));
    }

    [Fact]
    public async Task A_retry_while_the_first_request_runs_is_409_and_writes_nothing()
    {
        var (t, indicator, pusher, pusherId) = await SetupAsync();
        var rows = new[] { Row("ROB-PERSONAL", "2024-06", 187) };
        // The first request has claimed the key and not finished: its record is in flight.
        await InsertKeyAsync(t, pusherId, "running", "in_flight", DateTimeOffset.UtcNow, hashOf: null);

        var problem = await TestTenant.ExpectProblem(await Push(pusher, t, "running", rows), HttpStatusCode.Conflict);

        Assert.Contains("still running", problem.Str("detail"));
        Assert.Empty(await t.StoredAsync(indicator));
    }

    [Fact]
    public async Task An_abandoned_in_flight_key_and_an_expired_key_run_the_request_again()
    {
        var (t, indicator, pusher, pusherId) = await SetupAsync();
        await InsertKeyAsync(t, pusherId, "crashed", "in_flight", DateTimeOffset.UtcNow.AddMinutes(-6), hashOf: null);
        await InsertKeyAsync(t, pusherId, "yesterday", "complete", DateTimeOffset.UtcNow.AddHours(-25), hashOf: null);

        var afterCrash = await TestTenant.Expect(await Push(pusher, t, "crashed", [Row("ROB-PERSONAL", "2024-06", 187)]), HttpStatusCode.OK);
        var afterExpiry = await TestTenant.Expect(await Push(pusher, t, "yesterday", [Row("ROB-PERSONAL", "2024-07", 160)]), HttpStatusCode.OK);

        Assert.Equal((1, 1), (afterCrash.Int("created"), afterExpiry.Int("created")));
        Assert.Equal(2, (await t.StoredAsync(indicator)).Count);
        Assert.Equal(["complete", "complete"], await factory.QueryAsync<string>(
            "SELECT status FROM idempotency_keys WHERE partnership_id = @p ORDER BY idempotency_key", new { p = t.Id }));
    }

    [Fact]
    public async Task Keys_older_than_24_hours_are_purged()
    {
        var (t, _, pusher, pusherId) = await SetupAsync();
        await InsertKeyAsync(t, pusherId, "old", "complete", DateTimeOffset.UtcNow.AddHours(-25), hashOf: null);
        await TestTenant.Expect(await Push(pusher, t, "new", [Row("ROB-PERSONAL", "2024-06", 187)]), HttpStatusCode.OK);

        var purged = await factory.Services.GetRequiredService<IdempotencyQueries>().PurgeAsync(CancellationToken.None);

        Assert.True(purged >= 1);
        Assert.Equal(["new"], await factory.QueryAsync<string>("SELECT idempotency_key FROM idempotency_keys WHERE partnership_id = @p", new { p = t.Id }));
    }

    [Fact]
    public async Task A_malformed_key_is_400()
    {
        var (t, indicator, pusher, _) = await SetupAsync();
        var problem = await TestTenant.ExpectProblem(await Push(pusher, t, new string('k', 256), [Row("ROB-PERSONAL", "2024-06", 187)]), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["Idempotency-Key"]);
        Assert.Empty(await t.StoredAsync(indicator));
    }

    private Task<int> InsertKeyAsync(TestTenant t, Guid clientId, string key, string status, DateTimeOffset createdAt, byte[]? hashOf) =>
        factory.ExecuteAsync("""
            INSERT INTO idempotency_keys (partnership_id, client_id, idempotency_key, request_hash, status, response_status, response_content_type, response_body, created_at)
            VALUES (@p, @clientId, @key, @hash, @status, 200, 'application/json', @body, @createdAt)
            """, new { p = t.Id, clientId, key, hash = hashOf ?? new byte[32], status, body = "{}"u8.ToArray(), createdAt });

    /// <summary>The state a crash between the commit and the stored response leaves (the write and its result committed, no
    /// response, the claim held by a run that is gone): the retry answers exactly as the first request did, writing nothing.</summary>
    [Fact]
    public async Task A_retry_after_a_crash_between_commit_and_answer_replays_the_first_answer()
    {
        var (t, _, pusher, pusherId) = await SetupAsync();
        var rows = new[] { Row("ROB-PERSONAL", "2024-05", 101), Row("ROB-PERSONAL", "2024-06", 187) };
        var first = await Push(pusher, t, "crash-after-commit", rows);
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("\"created\":2", firstBody);
        // The result was written by the push's own transaction.
        Assert.Equal(1, await factory.ScalarAsync<long>(
            "SELECT COUNT(*) FROM idempotency_keys WHERE client_id = @c AND result_json LIKE '%\"created\":2%'", new { c = pusherId.ToString() }));
        await factory.ExecuteAsync("""
            UPDATE idempotency_keys SET status = 'committed', response_status = NULL, response_content_type = NULL, response_body = NULL,
                   owner_run = @deadRun
            WHERE client_id = @c
            """, new { c = pusherId.ToString(), deadRun = Guid.NewGuid().ToString() });
        var events = await t.CountAsync("audit_events");

        var retry = await Push(pusher, t, "crash-after-commit", rows);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
        Assert.True(retry.Headers.Contains(IdempotencyFilter.ReplayedHeader));
        Assert.Equal(events, await t.CountAsync("audit_events"));
        Assert.Equal(0, await t.CountAsync("observation_revisions"));
        // Completed now: the next retry replays the stored response.
        Assert.Equal(firstBody, await (await Push(pusher, t, "crash-after-commit", rows)).Content.ReadAsStringAsync());
    }

    /// <summary>A claim whose process died before it committed (still in flight, owned by a run that is gone) is taken over
    /// at once by the retry, not refused with 409 until a lease runs out.</summary>
    [Fact]
    public async Task A_retry_takes_over_at_once_a_claim_whose_process_died()
    {
        var (t, indicator, pusher, pusherId) = await SetupAsync();
        var rows = new[] { Row("ROB-PERSONAL", "2024-05", 101) };
        var instance = factory.Services.GetRequiredService<ServiceInstance>();
        // What the dead run left: its claim of this very request, in flight, never finished (made from a real claim).
        var probe = await Push(pusher, t, "probe-for-hash", rows);
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        await factory.ExecuteAsync("""
            UPDATE idempotency_keys SET idempotency_key = 'died-in-flight', status = 'in_flight', response_status = NULL,
                   response_content_type = NULL, response_body = NULL, result_json = NULL, owner_instance = @name, owner_run = @deadRun
            WHERE client_id = @c
            """, new { c = pusherId.ToString(), name = instance.Name, deadRun = Guid.NewGuid().ToString() });
        await factory.ExecuteAsync("DELETE FROM observations WHERE indicator_id = @i", new { i = indicator.ToString() });

        var retry = await Push(pusher, t, "died-in-flight", rows);

        var body = await TestTenant.Expect(retry, HttpStatusCode.OK);
        Assert.Equal(1, body.Int("created"));
        Assert.False(retry.Headers.Contains(IdempotencyFilter.ReplayedHeader));
        // A claim of a live run (this one's own) still answers 409.
        await factory.ExecuteAsync("UPDATE idempotency_keys SET status = 'in_flight', owner_run = @run WHERE client_id = @c AND idempotency_key = 'died-in-flight'",
            new { c = pusherId.ToString(), run = instance.Run.ToString() });
        await TestTenant.ExpectProblem(await Push(pusher, t, "died-in-flight", rows), HttpStatusCode.Conflict);
    }
}
