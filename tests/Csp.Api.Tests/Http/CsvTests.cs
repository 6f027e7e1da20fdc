using System.Text.Json.Serialization;
using Csp.Api.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Tests.Http;

/// <summary>The one CSV writer: a table declares its columns, the writer quotes and formats every value the same way.</summary>
public sealed class CsvTests
{
    [JsonConverter(typeof(JsonStringEnumConverter<Mood>))]
    public enum Mood
    {
        [JsonStringEnumMemberName("on_track")] OnTrack,
        [JsonStringEnumMemberName("at_risk")] AtRisk,
    }

    public sealed record Row(Guid Id, string Title, string? Note, decimal Value, decimal? Target, DateOnly Due, DateTimeOffset At,
        Mood Mood, Mood? Was, IReadOnlyList<Guid> Partners);

    private static readonly CsvTable<Row> Table = new()
    {
        { "id", r => r.Id },
        { "title", r => r.Title },
        { "note", r => r.Note },
        { "value", r => r.Value },
        { "target", r => r.Target },
        { "due", r => r.Due },
        { "at", r => r.At },
        { "mood", r => r.Mood },
        { "was", r => r.Was },
        { "partners", r => r.Partners },
    };

    private static readonly Guid A = Guid.Parse("0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b");
    private static readonly Guid B = Guid.Parse("0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6c");

    [Fact]
    public void The_header_row_is_the_column_names_in_order() =>
        Assert.Equal("id,title,note,value,target,due,at,mood,was,partners", Table.Header);

    [Fact]
    public void Values_are_formatted_one_way_whatever_the_table()
    {
        var row = new Row(A, "Phone-theft posters", null, 1234.5m, null, new DateOnly(2025, 3, 31),
            new DateTimeOffset(2025, 6, 1, 13, 4, 5, TimeSpan.FromHours(1)).AddTicks(1234567), Mood.AtRisk, null, [A, B]);

        var csv = Table.Write([row]);

        Assert.Equal("id,title,note,value,target,due,at,mood,was,partners\r\n" +
                     $"{A},Phone-theft posters,,1234.5,,2025-03-31,2025-06-01T12:04:05.1234567Z,at_risk,,{A} {B}\r\n", csv);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a, b", "\"a, b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("line one\nline two", "\"line one\nline two\"")]
    [InlineData("cr\rlf", "\"cr\rlf\"")]
    [InlineData("", "")]
    public void Fields_are_quoted_only_when_they_hold_a_comma_quote_or_line_break(string title, string field)
    {
        var row = new Row(A, title, null, 0m, 0.25m, new DateOnly(2025, 1, 1), DateTimeOffset.UnixEpoch, Mood.OnTrack, Mood.AtRisk, []);

        var line = Table.Write([row]).Split("\r\n")[1];

        Assert.Equal($"{A},{field},,0,0.25,2025-01-01,1970-01-01T00:00:00.0000000Z,on_track,at_risk,", line);
    }

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+44 20 7525 5000", "'+44 20 7525 5000")]
    [InlineData("-3.5", "'-3.5")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\t=1+1", "'\t=1+1")]
    [InlineData("\r=1+1", "\"'\r=1+1\"")]
    [InlineData("=HYPERLINK(\"https://evil.example\",\"x\")", "\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\"")]
    [InlineData("a=1", "a=1")]
    [InlineData(" =1", " =1")]
    public void Text_that_begins_as_a_formula_gets_a_leading_quote(string title, string field)
    {
        var row = new Row(A, title, title, 0m, null, new DateOnly(2025, 1, 1), DateTimeOffset.UnixEpoch, Mood.OnTrack, null, []);

        var line = Table.Write([row]).Split("\r\n")[1];

        Assert.StartsWith($"{A},{field},{field},0,", line);
    }

    [Fact]
    public void A_negative_number_stays_a_number()
    {
        var row = new Row(A, "t", null, -3.5m, -0.25m, new DateOnly(2025, 1, 1), DateTimeOffset.UnixEpoch, Mood.OnTrack, null, []);

        var line = Table.Write([row]).Split("\r\n")[1];

        Assert.StartsWith($"{A},t,,-3.5,-0.25,", line);
    }

    [Fact]
    public void An_empty_list_is_the_header_row_alone() => Assert.Equal(Table.Header + "\r\n", Table.Write([]));

    [Fact]
    public void A_page_is_JSON_unless_CSV_is_preferred()
    {
        var page = new Page<Row>([], null);

        var json = Csv.PageOr(Context("application/json"), page, Table, "rows.csv");

        Assert.Same(page, Assert.IsType<Ok<Page<Row>>>(json.Result).Value);
    }

    [Fact]
    public void A_CSV_page_links_the_next_page_keeping_the_other_query_parameters()
    {
        var http = Context("text/csv");
        http.Request.Path = "/v1/partnerships/p/commitments";
        http.Request.QueryString = new QueryString("?status=on_track&cursor=old&limit=2");

        var csv = Assert.IsType<ContentHttpResult>(Csv.PageOr(http, new Page<Row>([], "next"), Table, "p-commitments.csv").Result);

        Assert.Equal("text/csv; charset=utf-8", csv.ContentType);
        Assert.Equal("\uFEFF" + Table.Header + "\r\n", csv.ResponseContent);
        Assert.Equal("attachment; filename=\"p-commitments.csv\"", http.Response.Headers.ContentDisposition.ToString());
        Assert.Equal("</v1/partnerships/p/commitments?status=on_track&cursor=next&limit=2>; rel=\"next\"", http.Response.Headers.Link.ToString());
    }

    [Fact]
    public void The_last_CSV_page_has_no_link()
    {
        var http = Context("text/csv");

        Assert.IsType<ContentHttpResult>(Csv.PageOr(http, new Page<Row>([], null), Table, "rows.csv").Result);
        Assert.Equal(0, http.Response.Headers.Link.Count);
    }

    [Theory]
    [InlineData(new[] { "southwark", "plan", "0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b", "commitments" }, "southwark-plan-0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b-commitments.csv")]
    [InlineData(new[] { "southwark", "ASB-\"x\"/../é;", "observations" }, "southwark-ASB-x..-observations.csv")]
    public void A_download_name_keeps_only_characters_safe_in_a_header_and_a_file_system(string[] parts, string name) =>
        Assert.Equal(name, Csv.FileName(parts));

    /// <summary>A request negotiated as the list endpoints' filter does it (JSON or CSV by Accept).</summary>
    private static DefaultHttpContext Context(string accept)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.Accept = accept;
        var endpoint = new Endpoint(null, new EndpointMetadataCollection(new NegotiatedMediaTypes(["application/json", "text/csv"])), "list");
        http.SetEndpoint(endpoint);
        return http;
    }
}
