using System.Net;
using System.Net.Http.Json;
using System.Text;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observations;

/// <summary>The push's bodies as CSV (the download's column names) and NDJSON, read a row at a time.</summary>
[Collection(ApiCollection.Name)]
public sealed class PushFormatTests(CspApiFactory factory)
{
    private async Task<(TestTenant T, Guid Robbery, HttpClient Pusher)> SetupAsync()
    {
        var t = await TestTenant.CreateAsync(factory, "fmt", areaCheck: "off");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var robbery = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        var (pusher, _, _) = await t.KeyAsync(["observations:write"]);
        return (t, robbery, pusher);
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, TestTenant t, string body, string mediaType, string query = "") =>
        client.PostAsync(t.Path("/observations" + query), new StringContent(body, Encoding.UTF8, mediaType));

    [Fact]
    public async Task A_csv_body_with_the_download_columns_is_pushed_and_its_conflicts_count_rows_from_0()
    {
        var (t, robbery, pusher) = await SetupAsync();
        // A byte order mark, CRLF, a quoted note with a comma, a quote and a line break, a column of the download that is
        // ignored, the reason column, an empty status (provisional) and a delete row.
        const string csv = "\uFEFFindicator,period,area,value,status,note,reason,delete,updated_at\r\n" +
                           "ROB-PERSONAL,2024-05,E09000028,180,final,\"CONNECT, \"\"May\"\"\r\nextract\",first send,,2024-06-01T00:00:00Z\r\n" +
                           "NOPE,2024-06,E09000028,1,,,,,\r\n" +
                           "ROB-PERSONAL,202406,E05011095,0,,,,false,\r\n";

        var result = await TestTenant.Expect(await Send(pusher, t, csv, "text/csv"), HttpStatusCode.OK);

        Assert.Equal(("partial", 2, 1), (result.Str("status"), result.Int("created"), result.Int("rejected")));
        var conflict = Assert.Single(result["conflicts"].Arr())!;
        Assert.Equal((1, "unknown_indicator"), (conflict["index"]!.GetValue<int>(), conflict["code"]!.GetValue<string>()));
        var stored = await t.StoredAsync(robbery);
        Assert.Equal(["2024-05|E09000028|180|final", "2024-06|E05011095|0|provisional"], stored.Select(o => $"{o.Period}|{o.Area}|{o.Value}|{o.Status}"));
        Assert.Equal("CONNECT, \"May\"\r\nextract", stored[0].Note);

        var retract = await TestTenant.Expect(await Send(pusher, t, "indicator,period,area,delete\nROB-PERSONAL,2024-06,E05011095,true\n", "text/csv"),
            HttpStatusCode.OK);
        Assert.Equal(1, retract.Int("deleted"));
        Assert.Single(await t.StoredAsync(robbery));
    }

    [Fact]
    public async Task An_ndjson_body_is_pushed_one_row_per_line_and_blank_lines_are_skipped()
    {
        var (t, robbery, pusher) = await SetupAsync();
        const string ndjson = """
            {"indicator":"ROB-PERSONAL","period":"2024-05","value":180,"status":"final","reason":"CONNECT re-extract"}

            {"indicator":"ROB-PERSONAL","period":"2024-13","value":1}
            {"indicator":"ROB-PERSONAL","period":"2024-06","area":"E05011095","value":0,"note":"ward"}
            """;

        var result = await TestTenant.Expect(await Send(pusher, t, ndjson.Replace("\n", "\r\n", StringComparison.Ordinal), "application/x-ndjson"),
            HttpStatusCode.OK);

        Assert.Equal(("partial", 2), (result.Str("status"), result.Int("created")));
        var conflict = Assert.Single(result["conflicts"].Arr())!;
        Assert.Equal((1, "invalid_period"), (conflict["index"]!.GetValue<int>(), conflict["code"]!.GetValue<string>()));
        Assert.Equal(["2024-05|E09000028|180", "2024-06|E05011095|0"], (await t.StoredAsync(robbery)).Select(o => $"{o.Period}|{o.Area}|{o.Value}"));
    }

    [Theory]
    [InlineData("indicator,period,value\nROB-PERSONAL,2024-05,1\nROB-PERSONAL,2024-06,abc\n", "value", "Line 3")]
    [InlineData("indicator,period,value,status\nROB-PERSONAL,2024-05,1,draft\n", "status", "Line 2")]
    [InlineData("indicator,period,value,delete\nROB-PERSONAL,2024-05,,yes\n", "delete", "Line 2")]
    [InlineData("indicator,period,value\nROB-PERSONAL,2024-05\n", "body", "Line 2")]
    [InlineData("indicator,period,value\n\"ROB-PERSONAL\"x,2024-05,1\n", "body", "Line 2")]
    [InlineData("indicator,period,amount\nROB-PERSONAL,2024-05,1\n", "header", "'amount'")]
    [InlineData("indicator,value\nROB-PERSONAL,1\n", "header", "period")]
    [InlineData("", "header", "Line 1")]
    public async Task A_csv_body_that_cannot_be_read_is_a_400_naming_the_line_and_nothing_is_stored(string csv, string field, string named)
    {
        var (t, robbery, pusher) = await SetupAsync();

        var problem = await TestTenant.ExpectProblem(await Send(pusher, t, csv, "text/csv"), HttpStatusCode.BadRequest);

        Assert.Contains(named, problem["errors"]![field]![0]!.GetValue<string>());
        Assert.Empty(await t.StoredAsync(robbery));
    }

    [Theory]
    [InlineData("{\"indicator\":\"ROB-PERSONAL\",\"period\":\"2024-05\",\"value\":1}\n{\"indicator\":\"ROB-PERSONAL\",\"period\":\"2024-06\",\"value\":\"1\"}", "value", "Line 2")]
    [InlineData("{\"indicator\":\"ROB-PERSONAL\",\"period\":\"2024-05\",\"value\":1}\n\n{\"indicator\":\"ROB-PERSONAL\",\"colour\":1}", "colour", "Line 3")]
    [InlineData("{\"indicator\":\"ROB-PERSONAL\",\"period\":\"2024-05\",\"value\":1}\nnot json", "body", "Line 2")]
    [InlineData("null", "body", "Line 1")]
    public async Task An_ndjson_line_that_cannot_be_read_is_a_400_naming_the_line_and_nothing_is_stored(string ndjson, string field, string named)
    {
        var (t, robbery, pusher) = await SetupAsync();

        var problem = await TestTenant.ExpectProblem(await Send(pusher, t, ndjson, "application/x-ndjson"), HttpStatusCode.BadRequest);

        Assert.Contains(named, problem["errors"]![field]![0]!.GetValue<string>());
        Assert.Empty(await t.StoredAsync(robbery));
    }

    [Theory]
    [InlineData("""{"observations":[{"indicator":"ROB-PERSONAL","period":"2024-05","value":1},{"indicator":"ROB-PERSONAL","period":"2024-06","value":"x"}]}""", "observations[1].value")]
    [InlineData("""{"observations":[{"indicator":"ROB-PERSONAL","period":"2024-05","value":1},null]}""", "observations[1]")]
    [InlineData("""{"observations":[],"extra":1}""", "extra")]
    [InlineData("""{"observations":null}""", "observations")]
    [InlineData("""{"observations":[{"indicator":"ROB-PERSONAL","period":"2024-05","value":1}""", "body")]
    [InlineData("""[]""", "body")]
    public async Task A_json_body_that_cannot_be_read_is_a_400_naming_the_field_and_nothing_is_stored(string json, string field)
    {
        var (t, robbery, pusher) = await SetupAsync();

        var problem = await TestTenant.ExpectProblem(await Send(pusher, t, json, "application/json"), HttpStatusCode.BadRequest);

        Assert.NotNull(problem["errors"]![field]);
        Assert.Empty(await t.StoredAsync(robbery));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Another_media_type_is_a_415_that_lists_the_accepted_ones(string mediaType)
    {
        var (t, robbery, pusher) = await SetupAsync();

        var problem = await TestTenant.ExpectProblem(await Send(pusher, t, "indicator,period,value\nROB-PERSONAL,2024-05,1\n", mediaType),
            HttpStatusCode.UnsupportedMediaType);

        foreach (var accepted in new[] { "application/json", "text/csv", "application/x-ndjson" }) Assert.Contains(accepted, problem.Str("detail"));
        Assert.Empty(await t.StoredAsync(robbery));
    }

    [Fact]
    public async Task The_same_rows_as_csv_ndjson_or_json_are_the_same_request_for_an_idempotency_key()
    {
        var (t, robbery, pusher) = await SetupAsync();
        HttpRequestMessage Request(string body, string mediaType)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, t.Path("/observations")) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
            request.Headers.Add("Idempotency-Key", "same-rows");
            return request;
        }

        var first = await pusher.SendAsync(Request("indicator,period,value\nROB-PERSONAL,2024-05,180\n", "text/csv"));
        var again = await pusher.SendAsync(Request("""{"indicator":"ROB-PERSONAL","period":"2024-05","value":180}""", "application/x-ndjson"));
        var other = await pusher.SendAsync(Request("indicator,period,value\nROB-PERSONAL,2024-05,181\n", "text/csv"));

        Assert.Equal(1, (await TestTenant.Expect(first, HttpStatusCode.OK)).Int("created"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(again.Headers.Contains("Idempotent-Replayed"));
        await TestTenant.ExpectProblem(other, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("180", Assert.Single(await t.StoredAsync(robbery)).Value);
        var json = await TestTenant.Expect(await pusher.PostAsJsonAsync(t.Path("/observations"), new { observations = new[] { Row("ROB-PERSONAL", "2024-05", 180) } }),
            HttpStatusCode.OK);
        Assert.Equal(1, json.Int("unchanged"));
    }
}
