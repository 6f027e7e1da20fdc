using System.Reflection;
using System.Text.Json.Serialization;

namespace Csp.Api.Infrastructure.Data;

/// <summary>
/// Enums are stored as the same snake_case text the JSON contract uses
/// (<see cref="JsonStringEnumMemberNameAttribute"/>), so the database reads like the API.
/// </summary>
public static class EnumText<T> where T : struct, Enum
{
    private static readonly Dictionary<T, string> ToText = Enum.GetValues<T>().ToDictionary(v => v, Name);
    private static readonly Dictionary<string, T> FromText = ToText.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> All => FromText.Keys;

    public static string Text(T value) => ToText[value];

    public static T Parse(string text) =>
        FromText.TryGetValue(text, out var v) ? v : throw new InvalidOperationException($"'{text}' is not a stored {typeof(T).Name}.");

    public static bool TryParse(string? text, out T value)
    {
        value = default;
        return text is not null && FromText.TryGetValue(text, out value);
    }

    private static string Name(T value) =>
        typeof(T).GetField(value.ToString())!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
        ?? value.ToString().ToLowerInvariant();
}
