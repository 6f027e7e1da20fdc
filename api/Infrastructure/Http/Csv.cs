using System.Collections;
using System.Globalization;
using System.Text;
using Csp.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure;

/// <summary>RFC 4180 CSV for lists officers open in Excel: CRLF line ends, a header row, fields quoted when they hold a
/// comma, quote or line break. Lists declare their columns as a <see cref="CsvTable{T}"/>; this writes them.</summary>
public static class Csv
{
    public const string MediaType = "text/csv";

    /// <summary>
    /// A page of a list as the client asks for it (negotiated by <see cref="ProducesCsv"/>): JSON, or CSV of <paramref name="table"/>
    /// with the next page's URL in a <c>Link</c> header, since a CSV page cannot carry nextCursor.
    /// </summary>
    public static Results<Ok<Page<T>>, ContentHttpResult, ValidationProblem, ProblemHttpResult> PageOr<T>(HttpContext http, Page<T> page,
        CsvTable<T> table)
    {
        if (!Negotiate.Is(http, MediaType)) return TypedResults.Ok(page);
        LinkNext(http, page.NextCursor);
        return TypedResults.Text(table.Write(page.Items), MediaType + "; charset=utf-8", Encoding.UTF8);
    }

    /// <summary>The next page's URL in a <c>Link: &lt;…&gt;; rel="next"</c> header: this request's, with the cursor replaced.</summary>
    private static void LinkNext(HttpContext http, string? nextCursor)
    {
        if (nextCursor is null) return;
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(http.Request.QueryString.Value);
        query["cursor"] = nextCursor;
        var qs = QueryString.Create(query.SelectMany(kv => kv.Value.Select(v => new KeyValuePair<string, string?>(kv.Key, v))));
        http.Response.Headers.Link = $"<{http.Request.PathBase}{http.Request.Path}{qs}>; rel=\"next\"";
    }

    /// <summary>Negotiates JSON or CSV (<see cref="Negotiate.Negotiates"/>) and declares that the 200 also comes as CSV with these
    /// columns (one media type per status is all Produces can say).</summary>
    public static RouteHandlerBuilder ProducesCsv(this RouteHandlerBuilder builder, string header) =>
        builder.Negotiates(Negotiate.Json, MediaType).AddOpenApiOperationTransformer((operation, _, _) =>
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

/// <summary>
/// A CSV table of rows of <typeparamref name="T"/>, declared as columns: a header and the row's value. Every table formats
/// values the same way: text as it is, decimals in the invariant culture, dates <c>yyyy-MM-dd</c>, timestamps in UTC as
/// the JSON has them, ids in their <c>D</c> form, id lists space-separated, enums by their contract names; an absent
/// value is an empty field.
/// </summary>
/// <remarks>Enumerable only so that a table is written as a collection initializer: <c>new() { { "id", r =&gt; r.Id }, … }</c>.</remarks>
public sealed class CsvTable<T> : IEnumerable<string>
{
    private readonly List<(string Header, Func<T, string?> Text)> columns = [];

    /// <summary>The header row: the columns' names, comma-separated.</summary>
    public string Header => string.Join(',', columns.Select(c => c.Header));

    public void Add(string header, Func<T, string?> value) => columns.Add((header, value));

    public void Add(string header, Func<T, decimal?> value) => Add(header, r => value(r)?.ToString(CultureInfo.InvariantCulture));

    public void Add(string header, Func<T, DateOnly?> value) => Add(header, r => value(r)?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    public void Add(string header, Func<T, DateTimeOffset?> value) =>
        Add(header, r => value(r)?.UtcDateTime.ToString(TypeHandlers.TimestampFormat, CultureInfo.InvariantCulture));

    public void Add(string header, Func<T, Guid?> value) => Add(header, r => value(r)?.ToString("D"));

    public void Add(string header, Func<T, IEnumerable<Guid>> value) => Add(header, r => string.Join(' ', value(r).Select(id => id.ToString("D"))));

    public void Add<TEnum>(string header, Func<T, TEnum> value) where TEnum : struct, Enum => Add(header, r => EnumText<TEnum>.Text(value(r)));

    public void Add<TEnum>(string header, Func<T, TEnum?> value) where TEnum : struct, Enum =>
        Add(header, r => value(r) is { } v ? EnumText<TEnum>.Text(v) : null);

    /// <summary>The header row, then one line per row; every line ends in CRLF.</summary>
    public string Write(IEnumerable<T> rows)
    {
        var sb = new StringBuilder();
        sb.Append(Header).Append("\r\n");
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Count; i++)
            {
                if (i > 0) sb.Append(',');
                AppendField(sb, columns[i].Text(row));
            }
            sb.Append("\r\n");
        }
        return sb.ToString();
    }

    /// <summary>A field as RFC 4180 has it: as is, or quoted with its quotes doubled when it holds a comma, quote or line break.</summary>
    private static void AppendField(StringBuilder sb, string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0) sb.Append(value);
        else sb.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    public IEnumerator<string> GetEnumerator() => columns.Select(c => c.Header).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
