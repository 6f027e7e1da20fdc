using System.Buffers.Text;
using System.Text;
using System.Text.Json.Serialization;

namespace Csp.Api.Infrastructure;

/// <summary>A page of a cursor-paginated list; <c>nextCursor</c> is absent on the last page.</summary>
/// <param name="Items">This page's items, at most <c>limit</c> of them, in the list's order.</param>
/// <param name="NextCursor">Opaque: send it as <c>cursor</c> to get the next page. Absent on the last page.</param>
public sealed record Page<T>(IReadOnlyList<T> Items,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NextCursor);

/// <summary>
/// <c>?limit=&amp;cursor=</c>. The cursor is opaque to clients: base64url of the sort key of the last
/// row returned. Query classes fetch <c>Limit + 1</c> rows to know whether another page follows.
/// </summary>
public sealed record PageRequest(int Limit, string? After)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public int Fetch => Limit + 1;

    /// <summary>Parses the query parameters or returns the validation errors.</summary>
    public static bool TryCreate(int? limit, string? cursor, out PageRequest page, out Dictionary<string, string[]> errors)
    {
        errors = [];
        page = new PageRequest(limit ?? DefaultLimit, null);
        if (limit is < 1 or > MaxLimit) errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        string? after = null;
        if (cursor is not null && !TryDecode(cursor, out after)) errors["cursor"] = ["The cursor is not one this API issued."];
        page = page with { After = after };
        return errors.Count == 0;
    }

    public Page<T> ToPage<T>(IReadOnlyList<T> rows, Func<T, string> sortKey) =>
        rows.Count > Limit
            ? new Page<T>(rows.Take(Limit).ToList(), Encode(sortKey(rows[Limit - 1])))
            : new Page<T>(rows, null);

    /// <summary>The id of the last row returned (lists ordered by id).</summary>
    public Guid? AfterId => After is not null && Parse(After, out _, out var id) ? id : null;

    /// <summary>The position of the last row returned (lists ordered by position, then id).</summary>
    public long? AfterPosition => After is not null && Parse(After, out var position, out _) ? position : null;

    public static string Key(Guid id) => id.ToString("D");

    public static string Key(long position, Guid id) => $"{position}|{id:D}";

    // Keys are "{guid}" or "{position}|{guid}".
    private static bool Parse(string key, out long? position, out Guid id)
    {
        position = null;
        var bar = key.IndexOf('|');
        if (bar >= 0)
        {
            if (!long.TryParse(key.AsSpan(0, bar), out var p)) { id = default; return false; }
            position = p;
        }
        return Guid.TryParseExact(key.AsSpan(bar + 1), "D", out id);
    }

    public static string Encode(string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key));

    private static bool TryDecode(string cursor, out string? key)
    {
        key = null;
        if (cursor.Length is 0 or > 400) return false;
        try
        {
            key = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return Parse(key, out _, out _);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>The query parameters of every list.</summary>
public readonly record struct PageQuery(
    [property: System.ComponentModel.Description("Page size, 1–200 (default 50).")] int? Limit,
    [property: System.ComponentModel.Description("The nextCursor of the previous page.")] string? Cursor)
{
    public bool TryGet(out PageRequest page, out Dictionary<string, string[]> errors) =>
        PageRequest.TryCreate(Limit, Cursor, out page, out errors);
}
