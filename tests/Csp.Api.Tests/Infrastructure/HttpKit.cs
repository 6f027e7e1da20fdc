using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Infrastructure;

/// <summary>Request builders and database probes shared by the agency, client, partnership, error and paging tests.</summary>
internal static class HttpKit
{
    public static HttpRequestMessage Request(HttpMethod method, string path, object? json = null,
        string? ifMatch = null, string? ifNoneMatch = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = JsonContent.Create(json);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return request;
    }

    /// <summary>
    /// A client that skips the contract check of <see cref="CspApiFactory.CreateClient()"/>: only for requests that
    /// are outside the contract by design (unknown routes, methods a route does not have).
    /// </summary>
    public static HttpClient OffContractClient(this CspApiFactory factory, string? key)
    {
        var client = factory.CreateDefaultClient();
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public static StringContent Raw(string body, string mediaType = "application/json") =>
        new(body, Encoding.UTF8, mediaType);

    public static string? ETag(this HttpResponseMessage response) => response.Headers.ETag?.ToString();

    public static JsonObject Errors(this JsonObject problem) =>
        problem["errors"] as JsonObject ?? throw new Xunit.Sdk.XunitException($"The problem has no errors map: {problem.ToJsonString()}");

    public static Task<long> AgencyCountAsync(this CspApiFactory factory, Guid partnershipId) =>
        factory.ScalarAsync<long>("SELECT COUNT(*) FROM agencies WHERE partnership_id = @partnershipId", new { partnershipId });

    public static Task<long> ClientCountAsync(this CspApiFactory factory, Guid partnershipId) =>
        factory.ScalarAsync<long>("SELECT COUNT(*) FROM clients WHERE partnership_id = @partnershipId", new { partnershipId });

    public static async Task<(string Code, string Name, string Kind, long Version)> AgencyRowAsync(this CspApiFactory factory, Guid id) =>
        (await factory.QueryAsync<(string, string, string, long)>(
            "SELECT code, name, kind, version FROM agencies WHERE id = @id", new { id })).Single();

    /// <summary>A problem body must never carry internals (exception types, stack frames, SQL).</summary>
    public static void AssertNoInternals(JsonObject problem)
    {
        var text = problem.ToJsonString();
        foreach (var leak in new[] { "Exception", "   at ", "Csp.Api.", "SQLite Error", "stackTrace", "SELECT " })
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
    }
}
