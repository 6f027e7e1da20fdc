using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure;

/// <summary>RFC 4180 CSV for lists officers open in Excel: CRLF line ends, a header row, fields quoted when they hold a
/// comma, quote or line break.</summary>
public static class Csv
{
    public const string MediaType = "text/csv";

    public static StringBuilder Field(StringBuilder sb, string? value)
    {
        if (string.IsNullOrEmpty(value)) return sb;
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0) return sb.Append(value);
        return sb.Append('"').Append(value.Replace("\"", "\"\"")).Append('"');
    }

    public static StringBuilder Field(StringBuilder sb, decimal? value) =>
        value is { } v ? sb.Append(v.ToString(CultureInfo.InvariantCulture)) : sb;

    public static StringBuilder Field(StringBuilder sb, DateOnly? value) =>
        value is { } d ? sb.Append(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) : sb;

    public static StringBuilder Field(StringBuilder sb, Guid? value) => value is { } g ? sb.Append(g.ToString("D")) : sb;

    /// <summary>A whole table: the header, then one line per row from <paramref name="fields"/> (already escaped with <see cref="Field(StringBuilder, string?)"/>).</summary>
    public static string Write<T>(string header, IEnumerable<T> rows, Action<StringBuilder, T> fields)
    {
        var sb = new StringBuilder(header.Length + 2 + 256);
        sb.Append(header).Append("\r\n");
        foreach (var row in rows)
        {
            fields(sb, row);
            sb.Append("\r\n");
        }
        return sb.ToString();
    }

    /// <summary>A CSV page cannot carry nextCursor: the next page's URL goes in a <c>Link: &lt;…&gt;; rel="next"</c> header.</summary>
    public static void LinkNext(HttpContext http, string? nextCursor)
    {
        if (nextCursor is null) return;
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(http.Request.QueryString.Value);
        query["cursor"] = nextCursor;
        var qs = QueryString.Create(query.SelectMany(kv => kv.Value.Select(v => new KeyValuePair<string, string?>(kv.Key, v))));
        http.Response.Headers.Link = $"<{http.Request.PathBase}{http.Request.Path}{qs}>; rel=\"next\"";
    }

    public static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult Result(string csv) =>
        TypedResults.Text(csv, "text/csv; charset=utf-8", Encoding.UTF8);

    /// <summary>Declares that the 200 also comes as CSV with these columns (one media type per status is all Produces can say).</summary>
    public static RouteHandlerBuilder ProducesCsv(this RouteHandlerBuilder builder, string header) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
            {
                response.Content ??= new Dictionary<string, OpenApiMediaType>();
                response.Content[MediaType] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = header + " (RFC 4180, CRLF)" },
                };
            }
            return Task.CompletedTask;
        });
}
