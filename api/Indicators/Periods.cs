using System.Globalization;

namespace Csp.Api.Indicators;

public enum PeriodType { Month, Quarter, Year, FinancialYear }

/// <summary>
/// A reporting period: a calendar month, calendar quarter, calendar year, or UK financial year
/// (April–March). Canonical text is <c>2024-06</c>, <c>2024-Q2</c>, <c>2024</c>, <c>2024-25</c>;
/// the DHIS2 forms <c>202406</c>, <c>2024Q2</c> and <c>2024April</c> are accepted on input.
/// </summary>
/// <param name="Index">The month (1–12) or quarter (1–4); 0 for years.</param>
public readonly record struct Period(PeriodType Type, int Year, int Index)
{
    public const int MinYear = 1900;
    public const int MaxYear = 2200;

    public string Canonical => Type switch
    {
        PeriodType.Month => $"{Year:D4}-{Index:D2}",
        PeriodType.Quarter => $"{Year:D4}-Q{Index}",
        PeriodType.Year => $"{Year:D4}",
        _ => $"{Year:D4}-{(Year + 1) % 100:D2}",
    };

    public DateOnly Start => Type switch
    {
        PeriodType.Month => new DateOnly(Year, Index, 1),
        PeriodType.Quarter => new DateOnly(Year, (Index - 1) * 3 + 1, 1),
        PeriodType.Year => new DateOnly(Year, 1, 1),
        _ => new DateOnly(Year, 4, 1),
    };

    public DateOnly End => Type switch
    {
        PeriodType.Month => Start.AddMonths(1).AddDays(-1),
        PeriodType.Quarter => Start.AddMonths(3).AddDays(-1),
        _ => Start.AddYears(1).AddDays(-1),
    };

    /// <summary>The period just before this one, of the same type.</summary>
    public Period Previous() => Type switch
    {
        PeriodType.Month => Index == 1 ? this with { Year = Year - 1, Index = 12 } : this with { Index = Index - 1 },
        PeriodType.Quarter => Index == 1 ? this with { Year = Year - 1, Index = 4 } : this with { Index = Index - 1 },
        _ => this with { Year = Year - 1 },
    };

    /// <summary>The same period a year earlier (for years, the previous one).</summary>
    public Period SamePeriodLastYear() => this with { Year = Year - 1 };

    public override string ToString() => Canonical;

    /// <summary>
    /// Parses <paramref name="text"/> as a period of <paramref name="expected"/> type. Text such as
    /// <c>2011-12</c> reads as a month or a financial year, so the expected type decides; the outcome
    /// tells an unreadable period from one of the wrong type.
    /// </summary>
    public static PeriodParse Parse(string? text, PeriodType expected)
    {
        var candidates = Candidates(text);
        if (candidates.Count == 0) return new PeriodParse(PeriodParseStatus.Invalid, default);
        foreach (var p in candidates)
            if (p.Type == expected) return new PeriodParse(PeriodParseStatus.Ok, p);
        return new PeriodParse(PeriodParseStatus.WrongType, candidates[0]);
    }

    /// <summary>Every reading of <paramref name="text"/> as a period (usually one; none when unreadable).</summary>
    public static List<Period> Candidates(string? text)
    {
        var found = new List<Period>(2);
        if (string.IsNullOrEmpty(text) || text.Length > 16) return found;
        var s = text.AsSpan();
        if (s.Length < 4 || !TryDigits(s[..4], out var year) || year is < MinYear or > MaxYear) return found;
        var rest = s[4..];

        switch (rest.Length)
        {
            case 0:
                found.Add(new Period(PeriodType.Year, year, 0));
                break;
            case 2 when TryDigits(rest, out var month) && month is >= 1 and <= 12: // DHIS2 202406
                found.Add(new Period(PeriodType.Month, year, month));
                break;
            case 2 when (rest[0] is 'Q' or 'q') && rest[1] is >= '1' and <= '4': // DHIS2 2024Q2
                found.Add(new Period(PeriodType.Quarter, year, rest[1] - '0'));
                break;
            case 3 when rest[0] == '-' && TryDigits(rest[1..], out var two):
                if (two is >= 1 and <= 12) found.Add(new Period(PeriodType.Month, year, two));
                if (two == (year + 1) % 100) found.Add(new Period(PeriodType.FinancialYear, year, 0));
                break;
            case 3 when rest[0] == '-' && (rest[1] is 'Q' or 'q') && rest[2] is >= '1' and <= '4':
                found.Add(new Period(PeriodType.Quarter, year, rest[2] - '0'));
                break;
            case 5 when rest.Equals("April", StringComparison.Ordinal): // DHIS2 financial year from April
                found.Add(new Period(PeriodType.FinancialYear, year, 0));
                break;
        }
        return found;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var ch in s)
            if (ch is < '0' or > '9') return false;
        return int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}

public enum PeriodParseStatus { Ok, Invalid, WrongType }

public readonly record struct PeriodParse(PeriodParseStatus Status, Period Period)
{
    public bool Ok => Status == PeriodParseStatus.Ok;
}
