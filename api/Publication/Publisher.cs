using System.Data.Common;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Observations;
using Csp.Api.Partnerships;
using Dapper;

namespace Csp.Api.Publication;

/// <summary>
/// What the public may see of a partnership's values at one moment: which periods are released (sign-off and release time, when
/// the partnership requires them) and how disclosure control publishes each value (its rule, secondary suppression across the
/// areas under a published total). Built once per public read by <see cref="Publisher"/>; pure from there.
/// </summary>
public sealed class PublicView(PublicRelease release, DateTimeOffset now, IReadOnlyDictionary<(Guid IndicatorId, string Period), StandingSignoff> standing,
    IReadOnlyDictionary<string, string?> parents, string partnershipArea)
{
    /// <summary>The earliest release still to come: a public answer built now stays true until then (or the next write).</summary>
    public DateTimeOffset? NextRelease { get; } = release.RequireSignoff
        ? standing.Values.Select(s => s.ReleaseAt).Where(at => at > now).Select(at => (DateTimeOffset?)at).Min()
        : null;

    /// <summary>Whether public outputs wait for sign-off (and then show what was signed off, not what has changed since).</summary>
    public bool RequiresSignoff => release.RequireSignoff;

    /// <summary>Whether the public sees the indicator's values for the period.</summary>
    public bool IsReleased(Guid indicatorId, string period) =>
        !release.RequireSignoff || (standing.TryGetValue((indicatorId, period), out var s) && s.ReleaseAt <= now);

    /// <summary>When the period's values the public sees were signed off; null when release does not wait for sign-off.</summary>
    public DateTimeOffset? SignedOffAt(Guid indicatorId, string period) =>
        release.RequireSignoff && standing.TryGetValue((indicatorId, period), out var s) ? s.SignedOffAt : null;

    /// <summary>Whether publishing <paramref name="indicator"/>'s values in <paramref name="area"/> (null: every area) needs the other
    /// areas' values of the same periods too (secondary suppression looks at every area under a published total).</summary>
    public bool NeedsEveryArea(Indicator indicator, string? area) =>
        indicator.Disclosure.Rule != DisclosureRule.None && (area is null || area != partnershipArea);

    /// <summary>Whether the indicator's disclosure rule applies to the area.</summary>
    public bool Applies(Indicator indicator, string area) =>
        indicator.Disclosure.AppliesTo == DisclosureScope.AllAreas || area != partnershipArea;

    /// <summary>
    /// The released ones of <paramref name="rows"/> (an indicator's values, in any order, holding for each period every area a
    /// published total could give away), as the public sees them: a withheld value is <c>value: null, suppressed: true</c>, and
    /// each value the rule applied to names it.
    /// </summary>
    public IReadOnlyList<Observation> Publish(Indicator indicator, IEnumerable<Observation> rows)
    {
        var released = rows.Where(o => IsReleased(indicator.Id, o.Period)).ToList();
        var policy = indicator.Disclosure;
        if (policy.Rule == DisclosureRule.None) return released;
        var applied = DisclosureApplied.Of(policy);
        var published = new Dictionary<(string Period, string Area), PublishedValue>();
        foreach (var period in released.GroupBy(o => o.Period, StringComparer.Ordinal))
        {
            var values = period.Where(o => o.Value is not null).ToDictionary(o => o.Area, o => o.Value!.Value, StringComparer.Ordinal);
            foreach (var (area, value) in Disclosure.ApplyToAreas(policy, values, a => parents.GetValueOrDefault(a), a => Applies(indicator, a)))
                published[(period.Key, area)] = value;
        }
        return released.Select(o => published.TryGetValue((o.Period, o.Area), out var p)
            ? o with { Value = p.Value, Suppressed = p.Suppressed, Disclosure = Applies(indicator, o.Area) || p.Suppressed ? applied : null }
            : o).ToList();
    }
}

/// <summary>Builds <see cref="PublicView"/>s and the public forms of series and performance from them.</summary>
public static class Publisher
{
    private sealed record AreaRow(string Code, string? ParentCode);

    /// <summary>The public view of <paramref name="indicatorIds"/>' values now: three small reads (release settings, standing
    /// sign-offs when release waits for them, the area hierarchy).</summary>
    /// <param name="withAreas">False when only release matters (which values are embargoed), not disclosure: the area hierarchy is
    /// not read.</param>
    public static async Task<PublicView> ViewAsync(DbConnection c, SqlDialect dialect, Tenant tenant, IReadOnlyCollection<Guid> indicatorIds,
        DateTimeOffset now, CancellationToken ct, bool withAreas = true)
    {
        var release = await PartnershipQueries.ReleaseOfAsync(c, tenant.PartnershipId, ct);
        var standing = release.RequireSignoff
            ? await SignoffQueries.StandingAsync(c, dialect, tenant.PartnershipId, indicatorIds, ct)
            : new Dictionary<(Guid, string), StandingSignoff>();
        var parents = !withAreas ? new Dictionary<string, string?>() : (await c.QueryAsync<AreaRow>(new CommandDefinition(
            "SELECT code AS Code, parent_code AS ParentCode FROM areas WHERE partnership_id = @PartnershipId",
            new { tenant.PartnershipId }, cancellationToken: ct))).ToDictionary(a => a.Code, a => a.ParentCode, StringComparer.Ordinal);
        return new PublicView(release, now, standing, parents, tenant.AreaCode);
    }

    /// <summary>
    /// The public series of each indicator in <paramref name="area"/> (null: every area) within [from, to], in period then area
    /// order: read with every area's values when disclosure needs them, released and disclosure-controlled by
    /// <paramref name="view"/>, then narrowed to the area. Two queries at most, whatever the number of indicators.
    /// </summary>
    public static async Task<ILookup<Guid, Observation>> SeriesAsync(DbConnection c, SqlDialect dialect, Tenant tenant, PublicView view,
        IReadOnlyList<Indicator> indicators, string? area, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var everyArea = indicators.Where(i => view.NeedsEveryArea(i, area)).Select(i => i.Id).ToList();
        var oneArea = indicators.Select(i => i.Id).Except(everyArea).ToList();
        var rows = new List<ObservationQueries.SeriesRow>();
        foreach (var (ids, narrowed) in new[] { (oneArea, area), (everyArea, (string?)null) })
        {
            if (ids.Count == 0) continue;
            rows.AddRange(await c.QueryAsync<ObservationQueries.SeriesRow>(new CommandDefinition($"""
                SELECT o.indicator_id AS IndicatorId, {ObservationQueries.Columns} {ObservationQueries.From}
                WHERE o.partnership_id = @PartnershipId AND {dialect.InIds("o.indicator_id", "@ids")}
                  AND (@narrowed IS NULL OR o.area = @narrowed)
                  AND (@from IS NULL OR o.period_start >= @from) AND (@to IS NULL OR o.period_end <= @to)
                ORDER BY o.period, o.area
                """, new { tenant.PartnershipId, ids = SqlDialect.IdList(ids), narrowed, from, to }, cancellationToken: ct)));
        }
        var observations = rows.Select(r => (r.IndicatorId, Observation: r.Row.ToObservation())).ToList();
        if (view.RequiresSignoff) observations = await AsSignedOffAsync(c, dialect, tenant, view, indicators, observations, area, from, to, ct);
        var byIndicator = observations.ToLookup(r => r.IndicatorId, r => r.Observation);
        return indicators.SelectMany(i => view.Publish(i, byIndicator[i.Id]).Where(o => area is null || o.Area == area).Select(o => (i.Id, o)))
            .ToLookup(x => x.Id, x => x.o);
    }

    private sealed record LaterRevision(Guid IndicatorId, string Period, string Area, decimal OldValue, string OldStatus,
        DateTimeOffset OldRecordedAt, DateTimeOffset RevisedAt, DateTimeOffset SignedOffAt);

    /// <summary>
    /// What was signed off, not what has changed since: a value changed or retracted after its period's sign-off is shown as it was
    /// at sign-off (from the earliest revision after it), and one that arrived after is not shown, until the period is signed off
    /// again. One query: the revisions made after their period's standing sign-off.
    /// </summary>
    private static async Task<List<(Guid IndicatorId, Observation Observation)>> AsSignedOffAsync(DbConnection c, SqlDialect dialect, Tenant tenant,
        PublicView view, IReadOnlyList<Indicator> indicators, List<(Guid IndicatorId, Observation Observation)> rows, string? area, DateOnly? from,
        DateOnly? to, CancellationToken ct)
    {
        var later = (await c.QueryAsync<LaterRevision>(new CommandDefinition($"""
            SELECT r.indicator_id AS IndicatorId, r.period AS Period, r.area AS Area, r.old_value AS OldValue, r.old_status AS OldStatus,
                   r.old_recorded_at AS OldRecordedAt, r.revised_at AS RevisedAt, s.signed_off_at AS SignedOffAt
            FROM observation_revisions r
            JOIN observation_signoffs s ON s.partnership_id = r.partnership_id AND s.indicator_id = r.indicator_id AND s.period = r.period
            WHERE r.partnership_id = @PartnershipId AND s.withdrawn_at IS NULL AND r.revised_at > s.signed_off_at
              AND {dialect.InIds("r.indicator_id", "@ids")}
            """, new { tenant.PartnershipId, ids = SqlDialect.IdList(indicators.Select(i => i.Id)) }, cancellationToken: ct)))
            .GroupBy(r => (r.IndicatorId, r.Period, r.Area))
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.RevisedAt).First());
        var frequency = indicators.ToDictionary(i => i.Id, i => i.Frequency.PeriodType());
        var result = new List<(Guid, Observation)>();
        foreach (var (indicatorId, o) in rows)
        {
            if (later.Remove((indicatorId, o.Period, o.Area), out var first))
            {
                // Changed since sign-off: the value it replaced is the one signed off, if it was there by then.
                if (first.OldRecordedAt <= first.SignedOffAt) result.Add((indicatorId, AtSignoff(o, first)));
            }
            else if (view.SignedOffAt(indicatorId, o.Period) is not { } signedOff || o.UpdatedAt <= signedOff) result.Add((indicatorId, o));
        }
        // Retracted since sign-off: still public as signed off (names of areas come from rows of the same area, when there are any).
        var names = rows.Select(r => r.Observation).Where(o => o.AreaName is not null).GroupBy(o => o.Area).ToDictionary(g => g.Key, g => g.First().AreaName);
        foreach (var ((indicatorId, period, rowArea), first) in later)
        {
            if (first.OldRecordedAt > first.SignedOffAt || !frequency.TryGetValue(indicatorId, out var type)) continue;
            var parsed = Period.Parse(period, type).Period;
            if ((area is not null && !view.NeedsEveryArea(indicators.First(i => i.Id == indicatorId), area) && rowArea != area)
                || (from is { } f && parsed.Start < f) || (to is { } t && parsed.End > t)) continue;
            result.Add((indicatorId, AtSignoff(new Observation(period, parsed.Start, parsed.End, rowArea, names.GetValueOrDefault(rowArea), null,
                ObservationStatus.Provisional, null, null, 0, first.OldRecordedAt, first.OldRecordedAt), first)));
        }
        return result.OrderBy(r => r.Item2.Period, StringComparer.Ordinal).ThenBy(r => r.Item2.Area, StringComparer.Ordinal).ToList();

        static Observation AtSignoff(Observation o, LaterRevision r) => o with
        {
            Value = r.OldValue,
            Status = EnumText<ObservationStatus>.Parse(r.OldStatus),
            Note = null,
            ClientId = null,
            UpdatedAt = r.OldRecordedAt,
        };
    }

    /// <summary>The public latest value and performance of each indicator in <paramref name="area"/>: computed from the published
    /// series (the latest released period; a comparison with a withheld value is withheld).</summary>
    public static async Task<IReadOnlyDictionary<Guid, (Observation? Latest, Performance Performance)>> PerformanceAsync(DbConnection c,
        SqlDialect dialect, Tenant tenant, PublicView view, IReadOnlyList<Indicator> indicators, string area, CancellationToken ct)
    {
        var series = await SeriesAsync(c, dialect, tenant, view, indicators, area, null, null, ct);
        var areaName = series.SelectMany(s => s).Select(o => o.AreaName).FirstOrDefault(n => n is not null)
            ?? await c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
                "SELECT name FROM areas WHERE partnership_id = @PartnershipId AND code = @area", new { tenant.PartnershipId, area }, cancellationToken: ct));
        var result = new Dictionary<Guid, (Observation?, Performance)>();
        foreach (var indicator in indicators)
        {
            var values = series[indicator.Id].ToList();
            var latest = values.LastOrDefault();
            result[indicator.Id] = (latest, PerformanceRules.Compute(indicator, area, areaName, latest, values));
        }
        return result;
    }
}
