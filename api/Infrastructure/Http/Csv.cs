using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using Csp.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure;

/// <summary>RFC 4180 CSV for lists officers open in Excel: UTF-8 with a byte order mark, CRLF line ends, a header row, fields
/// quoted when they hold a comma, quote or line break, and no cell Excel would run as a formula. Lists declare their columns as a
/// <see cref="CsvTable{T}"/>; this writes them and names the download.</summary>
public static class Csv
{
    public const string MediaType = "text/csv";

    /// <summary>Excel reads a CSV without it in the PC's legacy code page (a £ or an é arrives garbled); parsers of UTF-8 (.NET's
    /// ReadAsStringAsync, fetch's text(), Python's utf-8-sig) drop it.</summary>
    private const string ByteOrderMark = "\uFEFF";

    /// <summary>
    /// A page of a list as the client asks for it (negotiated by <see cref="ProducesCsv"/>): JSON, or CSV of <paramref name="table"/>
    /// with the next page's URL in a <c>Link</c> header, since a CSV page cannot carry nextCursor, saved as
    /// <paramref name="fileName"/> (<see cref="FileName"/>).
    /// </summary>
    public static Results<Ok<Page<T>>, ContentHttpResult, ValidationProblem, ProblemHttpResult> PageOr<T>(HttpContext http, Page<T> page,
        CsvTable<T> table, string fileName)
    {
        if (!Negotiate.Is(http, MediaType)) return TypedResults.Ok(page);
        LinkNext(http, page.NextCursor);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        return TypedResults.Text(ByteOrderMark + table.Write(page.Items), MediaType + "; charset=utf-8", Encoding.UTF8);
    }

    /// <summary>A download's name: its parts (the partnership, what the list is of, ids) joined with <c>-</c>, with <c>.csv</c>. Only
    /// ASCII letters, digits, <c>-</c>, <c>_</c> and <c>.</c> are kept, so the name needs no escaping in Content-Disposition and is a
    /// valid file name on every system.</summary>
    public static string FileName(params ReadOnlySpan<string> parts)
    {
        var name = new StringBuilder();
        foreach (var part in parts)
        {
            if (name.Length > 0) name.Append('-');
            foreach (var c in part)
                if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') name.Append(c);
        }
        return name.Append(".csv").ToString();
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
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Description = header + " (RFC 4180, CRLF, UTF-8 with a byte order mark). A text cell that begins with `=`, `+`, " +
                                      "`-`, `@`, a tab or a carriage return is sent with a leading `'`, so a spreadsheet shows it as text " +
                                      "instead of running it as a formula; numbers are sent as they are.",
                    },
                };
                response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                response.Headers.TryAdd("Content-Disposition", new OpenApiHeader
                {
                    Description = "With `Accept: text/csv`: `attachment; filename=\"….csv\"`, the name a browser saves the download under.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
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
/// <remarks>
/// <para>No cell is a formula (OWASP, CSV injection): every cell but a number that begins with <c>=</c>, <c>+</c>, <c>-</c>,
/// <c>@</c>, a tab or a carriage return is written with a leading <c>'</c>, which spreadsheets show as text. A number column
/// (<see cref="Add(string, Func{T, decimal?})"/>) is written as the number itself, so <c>-3.5</c> stays a number a spreadsheet can
/// sum: it is formatted here from a <see cref="decimal"/>, so it can only be digits, a sign and a point, never a formula. Text
/// is always neutralised, whoever wrote it, even where the API's own rules would not let it start so.</para>
/// <para>Enumerable only so that a table is written as a collection initializer: <c>new() { { "id", r =&gt; r.Id }, … }</c>.</para>
/// </remarks>
public sealed class CsvTable<T> : IEnumerable<string>
{
    private readonly List<(string Header, Func<T, string?> Text, bool IsNumber)> columns = [];

    /// <summary>The header row: the columns' names, comma-separated.</summary>
    public string Header => string.Join(',', columns.Select(c => c.Header));

    public void Add(string header, Func<T, string?> value) => columns.Add((header, value, false));

    public void Add(string header, Func<T, decimal?> value) =>
        columns.Add((header, r => value(r)?.ToString(CultureInfo.InvariantCulture), true));

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
                var text = columns[i].Text(row);
                AppendField(sb, columns[i].IsNumber ? text : Neutralise(text));
            }
            sb.Append("\r\n");
        }
        return sb.ToString();
    }

    /// <summary>The characters that make a spreadsheet read a cell as a formula (OWASP's list).</summary>
    private static readonly SearchValues<char> FormulaStart = SearchValues.Create("=+-@\t\r");

    /// <summary>The text with a leading <c>'</c> when it begins as a formula would.</summary>
    internal static string? Neutralise(string? text) => text is { Length: > 0 } && FormulaStart.Contains(text[0]) ? "'" + text : text;

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
