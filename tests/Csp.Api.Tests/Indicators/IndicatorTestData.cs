using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Indicators;

/// <summary>Builders for indicators and observations of a test's own partnership.</summary>
public static class IndicatorTestData
{
    public static async Task<JsonObject> CreateIndicatorAsync(this TestTenant t, Guid sourceAgencyId, string code = "ROB-PERSONAL",
        string unit = "count", string direction = "decrease", string frequency = "monthly", object? target = null, object? baseline = null,
        Guid[]? priorityIds = null, object[]? targets = null, decimal? nearTolerancePercent = null) =>
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), new
        {
            code, name = $"Indicator {code}", description = (string?)null, unit, direction, frequency, sourceAgencyId, priorityIds, baseline, target,
            targets, nearTolerancePercent,
        }), HttpStatusCode.Created);

    public static object Row(string indicator, string period, decimal value, string? area = null, string? status = null, string? note = null) =>
        new { indicator, period, area, value, status, note };

    public static Task<HttpResponseMessage> PushAsync(this HttpClient client, TestTenant t, IEnumerable<object> rows, string query = "") =>
        client.PostAsJsonAsync(t.Path("/observations" + query), new { observations = rows.ToArray() });

    public static async Task<JsonObject> PushOkAsync(this HttpClient client, TestTenant t, IEnumerable<object> rows, string query = "") =>
        await TestTenant.Expect(await client.PushAsync(t, rows, query), HttpStatusCode.OK);

    public static JsonArray Arr(this JsonNode? node) => node!.AsArray();

    public static int Int(this JsonObject o, string name) => o[name]!.GetValue<int>();

    /// <summary>The stored rows of one indicator, straight from the database (as <see cref="StoredText"/>).</summary>
    public static async Task<List<StoredObservation>> StoredAsync(this TestTenant t, Guid indicatorId) =>
        (await t.Factory.QueryTextAsync("""
            SELECT period, area, value, status, note, client_id, period_start, period_end, version
            FROM observations WHERE partnership_id = @p AND indicator_id = @i ORDER BY period, area
            """, new { p = t.Id, i = indicatorId }))
        .Select(r => new StoredObservation(r[0]!, r[1]!, r[2]!, r[3]!, r[4], r[5], r[6]!, r[7]!, long.Parse(r[8]!, CultureInfo.InvariantCulture)))
        .ToList();

    public static Task<long> CountAsync(this TestTenant t, string table) =>
        t.Factory.ScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE partnership_id = @p", new { p = t.Id });
}

public sealed record StoredObservation(string Period, string Area, string Value, string Status, string? Note, string? ClientId,
    string PeriodStart, string PeriodEnd, long Version);
