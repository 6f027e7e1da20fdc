using System.Globalization;
using Csp.Api.Indicators;

namespace Csp.Api.Quality;

/// <summary>A period as a number that counts periods of its type (months, quarters or years) from year 0, so that the period
/// before is one less and a window of n periods is a range: <see cref="PeriodAxis.Ordinal"/> (the charts' x axis), read here
/// from stored text without allocating. Only periods of one type are ever compared (one indicator's).</summary>
internal static class PeriodOrdinal
{
    /// <summary>The ordinal of a stored period's canonical text (<c>2024-06</c>, <c>2024-Q2</c>, <c>2024</c>, <c>2024-25</c>), read
    /// without allocating; any other text through <see cref="Period.Parse"/>; null when it is not a period of <paramref name="type"/>.</summary>
    public static int? Parse(string text, PeriodType type)
    {
        var s = text.AsSpan();
        if (s.Length >= 4 && int.TryParse(s[..4], NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            switch (type)
            {
                case PeriodType.Month when s.Length == 7 && s[4] == '-' && int.TryParse(s[5..], NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m is >= 1 and <= 12:
                    return year * 12 + m - 1;
                case PeriodType.Quarter when s.Length == 7 && s[4] == '-' && s[5] == 'Q' && s[6] is >= '1' and <= '4':
                    return year * 4 + s[6] - '1';
                case PeriodType.Year when s.Length == 4:
                case PeriodType.FinancialYear when s.Length == 7 && s[4] == '-':
                    return year;
            }
        }
        var parsed = Period.Parse(text, type);
        return parsed.Ok ? PeriodAxis.Ordinal(parsed.Period) : null;
    }
}
