using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Plans;

/// <summary>Requests with conditional headers and the assertions the plan, priority and commitment tests share.</summary>
internal static class PlanTestKit
{
    /// <summary>A plans row as stored, read by its columns' types (the same on both engines).</summary>
    internal sealed record PlanRow(Guid PartnershipId, string Title, DateOnly PeriodStart, DateOnly PeriodEnd, string Status, DateOnly? ApprovedOn, long Version);

    public static async Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string path,
        object? body = null, string? ifMatch = null, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return await client.SendAsync(request);
    }

    /// <summary>The strong ETag of a response, asserted present.</summary>
    public static string ETagOf(HttpResponseMessage response)
    {
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak, "ETags of single resources are strong.");
        return etag.Tag;
    }

    /// <summary>A 400 validation problem whose <c>errors</c> map names exactly <paramref name="fields"/>.</summary>
    public static async Task<JsonObject> ExpectInvalid(HttpResponseMessage response, params string[] fields)
    {
        var body = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        var errors = Assert.IsType<JsonObject>(body["errors"]);
        Assert.Equal(fields.Order(StringComparer.Ordinal), errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        foreach (var field in fields)
            Assert.Contains(errors[field]!.AsArray(), m => m!.GetValue<string>().Length > 0);
        return body;
    }

    /// <summary>A 404 problem.</summary>
    public static Task<JsonObject> ExpectNotFound(HttpResponseMessage response) =>
        TestTenant.ExpectProblem(response, HttpStatusCode.NotFound);

    public static Task<JsonObject> ExpectConflict(HttpResponseMessage response) =>
        TestTenant.ExpectProblem(response, HttpStatusCode.Conflict);

    public static Task<JsonObject> ExpectStale(HttpResponseMessage response) =>
        TestTenant.ExpectProblem(response, HttpStatusCode.PreconditionFailed);

    /// <summary>Rows matched by a <c>COUNT(*)</c> query with one <c>@id</c> parameter (SQLite ids are lower-case text).</summary>
    public static Task<long> CountAsync(this CspApiFactory factory, string sql, Guid id) =>
        factory.ScalarAsync<long>(sql, new { id = id.ToString() });

    public static long Version(this JsonObject o) => o["version"]!.GetValue<long>();

    /// <summary>The ids of a list page's items, in order.</summary>
    public static Guid[] ItemIds(this JsonObject page) => page["items"]!.AsArray().Select(x => x!["id"]!.GetValue<Guid>()).ToArray();

    public static Guid? GuidOrNull(this JsonNode? node) => node is null ? null : node.GetValue<Guid>();

    public static string[] Strings(this JsonNode? array) => array!.AsArray().Select(x => x!.GetValue<string>()).ToArray();

    public static Guid[] Guids(this JsonNode? array) => array!.AsArray().Select(x => x!.GetValue<Guid>()).ToArray();

    public static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly TodayUtc => DateOnly.FromDateTime(DateTime.UtcNow);

    public static async Task<JsonObject> AddUpdateAsync(this TestTenant t, Guid commitmentId, string status, string commentary, HttpClient? client = null) =>
        await TestTenant.Expect(await (client ?? t.Admin).PostAsJsonAsync(t.Path($"/commitments/{commitmentId}/updates"), new { status, commentary }),
            HttpStatusCode.Created);

    public static async Task<JsonObject> GetOkAsync(this TestTenant t, string path) =>
        await TestTenant.Expect(await t.Admin.GetAsync(t.Path(path)), HttpStatusCode.OK);

    public static async Task<JsonObject> ArchivePlanAsync(this TestTenant t, Guid planId) =>
        await TestTenant.Expect(await t.Admin.PostAsync(t.Path($"/plans/{planId}/archive"), null), HttpStatusCode.OK);
}
