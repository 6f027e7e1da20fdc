using System.Globalization;

namespace Csp.Api.Tests.Infrastructure;

/// <summary>
/// What a request stored, as text, the same on both engines: SQLite's TEXT columns exactly as stored; SQL Server's native
/// types as the service writes them to SQLite (ids "D", dates yyyy-MM-dd, UTC timestamps with 7 decimals and Z, decimals
/// without trailing zeros). So a test asserts the stored value itself, not one engine's way of holding it.
/// </summary>
public static class StoredText
{
    public static string? Of(object? value) => value switch
    {
        null or DBNull => null,
        string s => s,
        Guid g => g.ToString("D"),
        DateTime { TimeOfDay.Ticks: 0 } date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), // DATE
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        decimal d => d.ToString("0.############################", CultureInfo.InvariantCulture),
        long or int or short or byte => Convert.ToString(value, CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"No stored text for a {value.GetType()}"),
    };

    /// <summary>Each row's columns, in select order, as <see cref="Of"/> renders them.</summary>
    public static async Task<List<string?[]>> QueryTextAsync(this CspApiFactory factory, string sql, object? args = null) =>
        (await factory.QueryAsync<dynamic>(sql, args))
            .Select(row => ((IDictionary<string, object?>)row).Values.Select(Of).ToArray())
            .ToList();
}
