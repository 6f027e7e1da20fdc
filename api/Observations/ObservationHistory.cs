using System.Globalization;
using System.Text.RegularExpressions;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Observations;

/// <summary>
/// An indicator's observations as they were stored at an instant (<c>?asOf=</c>), rebuilt from the current rows and the
/// revisions, which keep every value a change or a retraction replaced. An indicator's series is at most a few thousand rows, so
/// each answer reads the indicator's rows and revisions (within the area) once and filters and pages in memory.
/// </summary>
public sealed partial class ObservationHistoryQueries(Db db, TimeProvider clock)
{
    public const string AsOfMessage =
        "'asOf' is a date (yyyy-MM-dd: the end of that day, UTC) or an instant with its offset (e.g. 2024-08-01T12:00:00Z).";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InstantPattern();

    /// <summary>
    /// <paramref name="text"/> as an instant: a date means the end of that day (UTC), so <c>asOf=2024-08-01</c> includes
    /// everything stored on 1 August; an instant must carry its offset. False when it is neither.
    /// </summary>
    public static bool TryParseAsOf(string text, out DateTimeOffset asOf)
    {
        asOf = default;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            if (day == DateOnly.MaxValue) return false;
            asOf = new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddTicks(-1);
            return true;
        }
        return InstantPattern().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out asOf);
    }

    /// <summary>
    /// The observations list's answer with <c>?asOf=</c>. It needs a key: the history holds values taken back (retracted) and
    /// notes the public projection never shows.
    /// </summary>
    public async Task<Results<Ok<Page<Observation>>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> ListAsync(Tenant tenant,
        Indicator indicator, string asOfText, ObservationFilter filter, PageRequest page, HttpContext http, CancellationToken ct)
    {
        if (tenant.Caller.IsAnonymous)
            return TypedResults.Problem(title: "Missing or invalid API key", statusCode: StatusCodes.Status401Unauthorized,
                detail: $"'asOf' reads the stored history, which needs a key; send a valid, unrevoked key in the {ApiKeys.HeaderName} header.");
        if (!TryParseAsOf(asOfText, out var asOf)) return Errors.Invalid("asOf", AsOfMessage);
        var now = clock.GetUtcNow();
        var rows = await AsOfAsync(tenant, indicator, filter, asOf > now ? now : asOf, page, ct);
        return Csv.PageOr(http, page.ToPage(rows, ObservationQueries.Key), ObservationCsv.Of(indicator.Code),
            Csv.FileName(tenant.Slug, indicator.Code, "observations"));
    }

    private sealed record RevisionRow(Guid Id, string Period, string Area, string? AreaName, decimal OldValue, string OldStatus, string? OldNote,
        Guid? OldClientId, DateTimeOffset OldRecordedAt, decimal? NewValue, DateTimeOffset RevisedAt)
    {
        public bool Retracted => NewValue is null;

        /// <summary>A revision of the figure: the value changed or was taken back (a status or note change alone is not one).</summary>
        public bool RevisesFigure => NewValue is not { } v || v != OldValue;
    }

    /// <summary>
    /// What was stored at <paramref name="asOf"/>, one page in the list's order (period, then area). For each period and area, the
    /// earliest revision after <paramref name="asOf"/> holds the value it replaced: the value then if it had arrived by
    /// <paramref name="asOf"/>, none otherwise. Without a later revision, the current row is the value then if it had arrived by then.
    /// </summary>
    public async Task<IReadOnlyList<Observation>> AsOfAsync(Tenant tenant, Indicator indicator, ObservationFilter filter, DateTimeOffset asOf,
        PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var current = (await c.QueryAsync<ObservationQueries.Row>(new CommandDefinition($"""
            SELECT {ObservationQueries.Columns} {ObservationQueries.From}
            WHERE o.partnership_id = @PartnershipId AND o.indicator_id = @Id AND (@Area IS NULL OR o.area = @Area)
            """, new { tenant.PartnershipId, indicator.Id, filter.Area }, cancellationToken: ct)))
            .ToDictionary(r => (r.Period, r.Area), r => r.ToObservation());
        var revisions = (await c.QueryAsync<RevisionRow>(new CommandDefinition("""
            SELECT r.id AS Id, r.period AS Period, r.area AS Area, a.name AS AreaName, r.old_value AS OldValue, r.old_status AS OldStatus,
                   r.old_note AS OldNote, r.old_client_id AS OldClientId, r.old_recorded_at AS OldRecordedAt, r.new_value AS NewValue,
                   r.revised_at AS RevisedAt
            FROM observation_revisions r
            LEFT JOIN areas a ON a.partnership_id = r.partnership_id AND a.code = r.area
            WHERE r.partnership_id = @PartnershipId AND r.indicator_id = @Id AND (@Area IS NULL OR r.area = @Area)
            """, new { tenant.PartnershipId, indicator.Id, filter.Area }, cancellationToken: ct)))
            .GroupBy(r => (r.Period, r.Area))
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.RevisedAt).ThenBy(r => r.Id).ToList());

        var periodType = indicator.Frequency.PeriodType();
        var answers = new List<Observation>();
        foreach (var key in current.Keys.Union(revisions.Keys))
        {
            if (page.After is [var afterPeriod, var afterArea]
                && (string.CompareOrdinal(key.Period, afterPeriod) < 0
                    || key.Period == afterPeriod && string.CompareOrdinal(key.Area, afterArea) <= 0))
                continue;
            var history = revisions.GetValueOrDefault(key) ?? [];
            if (ValueAt(key, current.GetValueOrDefault(key), history, asOf, periodType) is not { } then) continue;
            if (filter.From is { } from && then.PeriodStart < from || filter.To is { } to && then.PeriodEnd > to) continue;
            var last = history.LastOrDefault(r => r.RevisedAt <= asOf && r.RevisesFigure);
            answers.Add(then with { Revised = last is not null, RevisedAt = last?.RevisedAt });
        }
        return answers.OrderBy(o => o.Period, StringComparer.Ordinal).ThenBy(o => o.Area, StringComparer.Ordinal).Take(page.Fetch).ToList();
    }

    /// <summary>The value of one period and area at <paramref name="asOf"/>; null when there was none.</summary>
    private static Observation? ValueAt((string Period, string Area) key, Observation? current, List<RevisionRow> history, DateTimeOffset asOf,
        PeriodType periodType)
    {
        var next = history.FindIndex(r => r.RevisedAt > asOf);
        if (next < 0) return current is not null && current.UpdatedAt <= asOf ? current : null;
        var replaced = history[next];
        if (replaced.OldRecordedAt > asOf) return null;
        // The value's lifetime began with the first revision after the last retraction before it: that revision's old value was
        // the lifetime's first, and each update since added one to the version.
        var start = next;
        while (start > 0 && !history[start - 1].Retracted) start--;
        var (periodStart, periodEnd) = current is not null ? (current.PeriodStart, current.PeriodEnd) : Dates(key.Period, periodType);
        return new Observation(key.Period, periodStart, periodEnd, key.Area, current?.AreaName ?? replaced.AreaName, replaced.OldValue,
            EnumText<ObservationStatus>.Parse(replaced.OldStatus), replaced.OldNote, replaced.OldClientId, 1 + next - start,
            history[start].OldRecordedAt, replaced.OldRecordedAt);
    }

    private static (DateOnly Start, DateOnly End) Dates(string canonical, PeriodType periodType)
    {
        var parsed = Period.Parse(canonical, periodType);
        var period = parsed.Ok ? parsed.Period : Period.Candidates(canonical)[0];
        return (period.Start, period.End);
    }
}
