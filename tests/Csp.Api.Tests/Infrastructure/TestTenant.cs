using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Csp.Api.Tests.Infrastructure;

/// <summary>
/// A partnership of a test's own (unique slug) with an admin key, and builders for its data,
/// so tests never share rows and can run in parallel.
/// </summary>
public sealed class TestTenant
{
    public required CspApiFactory Factory { get; init; }
    public required string Slug { get; init; }
    public required Guid Id { get; init; }
    public required string AdminKey { get; init; }
    public required HttpClient Admin { get; init; }

    public string Path(string rest = "") => $"/v1/partnerships/{Slug}{rest}";

    /// <param name="areaCheck">The partnership's area check; strict (the default for new partnerships) when null. "off" for tests that
    /// push many made-up areas.</param>
    public static async Task<TestTenant> CreateAsync(CspApiFactory factory, string prefix = "t", bool publicRead = false, string? areaCheck = null)
    {
        var slug = $"{prefix}-{Guid.NewGuid():N}"[..30];
        var platform = factory.ClientWithKey(CspApiFactory.PlatformKey);
        var created = await platform.PostAsJsonAsync("/v1/partnerships", new { slug, name = $"Test {slug}", areaCode = "E09000028", publicRead, areaCheck });
        await Expect(created, HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        var client = await platform.PostAsJsonAsync($"/v1/partnerships/{slug}/clients",
            new { name = "test admin", scopes = new[] { "admin" } });
        await Expect(client, HttpStatusCode.Created);
        var key = (await client.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
        return new TestTenant { Factory = factory, Slug = slug, Id = id, AdminKey = key, Admin = factory.ClientWithKey(key) };
    }

    /// <summary>A key of this partnership with exactly these scopes (and optionally an agency).</summary>
    public async Task<(HttpClient Client, string Key, Guid ClientId)> KeyAsync(string[] scopes, Guid? agencyId = null)
    {
        var response = await Admin.PostAsJsonAsync(Path("/clients"), new { name = "key " + string.Join("+", scopes), agencyId, scopes });
        var body = await Expect(response, HttpStatusCode.Created);
        var key = body["key"]!.GetValue<string>();
        return (Factory.ClientWithKey(key), key, body["id"]!.GetValue<Guid>());
    }

    public async Task<JsonObject> CreateAgencyAsync(string code = "MET", string kind = "police", string? name = null) =>
        await Expect(await Admin.PostAsJsonAsync(Path("/agencies"), new { code, name = name ?? $"Agency {code}", kind }), HttpStatusCode.Created);

    public async Task<JsonObject> CreatePlanAsync(string title = "Plan 2025-26", string start = "2025-04-01", string end = "2026-03-31") =>
        await Expect(await Admin.PostAsJsonAsync(Path("/plans"), new { title, periodStart = start, periodEnd = end }), HttpStatusCode.Created);

    public async Task<JsonObject> ApprovePlanAsync(Guid planId, string approvedBy = "Test Community Safety Partnership Board",
        string approvedOn = "2025-03-20") =>
        await Expect(await Admin.PostAsJsonAsync(Path($"/plans/{planId}/approve"), new { approvedBy, approvedOn }), HttpStatusCode.OK);

    public async Task<JsonObject> CreatePriorityAsync(Guid planId, string code = "P1", string title = "Reducing violence", Guid? leadAgencyId = null) =>
        await Expect(await Admin.PostAsJsonAsync(Path($"/plans/{planId}/priorities"), new { code, title, leadAgencyId }), HttpStatusCode.Created);

    public async Task<JsonObject> CreateCommitmentAsync(Guid priorityId, string code = "C1", string title = "Night-time safety spaces",
        Guid? leadAgencyId = null, Guid[]? partnerAgencyIds = null, string? startDate = null, string? dueDate = null) =>
        await Expect(await Admin.PostAsJsonAsync(Path($"/priorities/{priorityId}/commitments"),
            new { code, title, leadAgencyId, partnerAgencyIds, startDate, dueDate }), HttpStatusCode.Created);

    public static async Task<JsonObject> Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) as JsonObject ?? new JsonObject { ["value"] = JsonNode.Parse(text) };
    }

    /// <summary>Asserts an RFC 9457 problem with this status; returns its body.</summary>
    public static async Task<JsonObject> ExpectProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await Expect(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, body["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(body["title"]?.GetValue<string>()));
        return body;
    }
}

public static class Json
{
    public static Guid Id(this JsonObject o) => o["id"]!.GetValue<Guid>();
    public static string Str(this JsonObject o, string name) => o[name]!.GetValue<string>();
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
