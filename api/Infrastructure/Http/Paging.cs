using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json.Serialization;

namespace Csp.Api.Infrastructure;

/// <summary>A page of a cursor-paginated list; <c>nextCursor</c> is absent on the last page.</summary>
/// <param name="Items">This page's items, at most <c>limit</c> of them, in the list's order.</param>
/// <param name="NextCursor">Opaque: send it as <c>cursor</c> to get the next page. Absent on the last page.</param>
public sealed record Page<T>(IReadOnlyList<T> Items,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NextCursor);

/// <summary>
/// The cursors of every list: base64url (unpadded) of the UTF-8 sort key of the last row returned, its parts joined by
/// <c>|</c>. Opaque to clients; a list checks the parts it gets back are a key of its own.
/// </summary>
public static class Cursor
{
    public const string NotIssued = "The cursor is not one this API issued.";

    /// <summary>Longer than any key this API issues; a longer cursor is refused before it is decoded.</summary>
    public const int MaxLength = 400;

    private const char Separator = '|';

    public static string Encode(params ReadOnlySpan<string> parts)
    {
        foreach (var part in parts)
            if (part.Contains(Separator)) throw new ArgumentException($"A cursor key part cannot hold '{Separator}': {part}", nameof(parts));
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join(Separator, parts)));
    }

    /// <summary>The key parts of <paramref name="cursor"/>, or false when it is not base64url of a key within <see cref="MaxLength"/>.</summary>
    public static bool TryDecode(string cursor, [NotNullWhen(true)] out string[]? parts)
    {
        parts = null;
        if (cursor.Length is 0 or > MaxLength) return false;
        try
        {
            parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split(Separator);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>
/// <c>?limit=&amp;cursor=</c>, with the cursor's key parts (<see cref="Cursor"/>) in <see cref="After"/>. Query classes fetch
/// <c>Limit + 1</c> rows to know whether another page follows.
/// </summary>
public sealed record PageRequest(int Limit, string[]? After)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public int Fetch => Limit + 1;

    /// <summary>Parses the query parameters of a list ordered by id (or by position, then id) or returns the validation errors.</summary>
    public static bool TryCreate(int? limit, string? cursor, out PageRequest page, out Dictionary<string, string[]> errors) =>
        TryCreate(limit, cursor, IsIdKey, out page, out errors);

    /// <summary>Parses the query parameters of a list whose sort key <paramref name="isKey"/> recognises.</summary>
    public static bool TryCreate(int? limit, string? cursor, Func<string[], bool> isKey, out PageRequest page,
        out Dictionary<string, string[]> errors)
    {
        errors = [];
        page = new PageRequest(limit ?? DefaultLimit, null);
        if (limit is < 1 or > MaxLimit) errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        if (cursor is null) return errors.Count == 0;
        if (Cursor.TryDecode(cursor, out var parts) && isKey(parts)) page = page with { After = parts };
        else errors["cursor"] = [Cursor.NotIssued];
        return errors.Count == 0;
    }

    public Page<T> ToPage<T>(IReadOnlyList<T> rows, Func<T, string[]> sortKey) =>
        rows.Count > Limit
            ? new Page<T>(rows.Take(Limit).ToList(), Cursor.Encode(sortKey(rows[Limit - 1])))
            : new Page<T>(rows, null);

    /// <summary>The id of the last row returned (lists ordered by id).</summary>
    public Guid? AfterId => After is not null && ParseIdKey(After, out _, out var id) ? id : null;

    /// <summary>The position of the last row returned (lists ordered by position, then id).</summary>
    public long? AfterPosition => After is not null && ParseIdKey(After, out var position, out _) ? position : null;

    public static string[] Key(Guid id) => [id.ToString("D")];

    public static string[] Key(long position, Guid id) => [position.ToString(System.Globalization.CultureInfo.InvariantCulture), id.ToString("D")];

    private static bool IsIdKey(string[] parts) => ParseIdKey(parts, out _, out _);

    // Keys are [id] or [position, id].
    private static bool ParseIdKey(string[] parts, out long? position, out Guid id)
    {
        position = null;
        id = default;
        switch (parts)
        {
            case [var only]:
                return Guid.TryParseExact(only, "D", out id);
            case [var first, var second] when long.TryParse(first, out var p):
                position = p;
                return Guid.TryParseExact(second, "D", out id);
            default:
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
