using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Jobs;

/// <summary>Pushes that become jobs, and waiting for a job to finish.</summary>
public static class JobKit
{
    /// <summary>A push sent with <c>Prefer: respond-async</c> (or large enough to be a job anyway): the 202 and the job.</summary>
    public static async Task<(HttpResponseMessage Response, JsonObject Job)> SubmitAsync(HttpClient client, TestTenant t, HttpContent body,
        string query = "", string? idempotencyKey = null, bool preferAsync = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, t.Path("/observations" + query)) { Content = body };
        if (preferAsync) request.Headers.Add("Prefer", "respond-async");
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        var response = await client.SendAsync(request);
        var job = await TestTenant.Expect(response, HttpStatusCode.Accepted);
        Assert.Equal(t.Path($"/jobs/{job.Str("id")}"), response.Headers.Location?.OriginalString);
        return (response, job);
    }

    public static JsonContent Json(IEnumerable<object> rows) => JsonContent.Create(new { observations = rows.ToArray() });

    /// <summary>Reads the job until it has succeeded or failed (at most a minute).</summary>
    public static async Task<JsonObject> FinishedAsync(HttpClient client, TestTenant t, string jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var job = await TestTenant.Expect(await client.GetAsync(t.Path($"/jobs/{jobId}")), HttpStatusCode.OK);
            if (job.Str("state") is "succeeded" or "failed" || DateTime.UtcNow > deadline) return job;
            await Task.Delay(50);
        }
    }

    /// <summary>Every conflict of the job, following the cursor with pages of <paramref name="limit"/>.</summary>
    public static Task<List<JsonNode>> ConflictsAsync(HttpClient client, TestTenant t, string jobId, int limit = 200) =>
        AllAsync(client, t, $"/jobs/{jobId}/conflicts", limit);

    /// <summary>Every data-quality warning of the job, following the cursor with pages of <paramref name="limit"/>.</summary>
    public static Task<List<JsonNode>> WarningsAsync(HttpClient client, TestTenant t, string jobId, int limit = 200) =>
        AllAsync(client, t, $"/jobs/{jobId}/warnings", limit);

    private static async Task<List<JsonNode>> AllAsync(HttpClient client, TestTenant t, string path, int limit)
    {
        var all = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = await TestTenant.Expect(await client.GetAsync(t.Path($"{path}?limit={limit}" +
                (cursor is null ? "" : $"&cursor={cursor}"))), HttpStatusCode.OK);
            all.AddRange(page["items"]!.AsArray().Select(n => n!));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        return all;
    }
}
