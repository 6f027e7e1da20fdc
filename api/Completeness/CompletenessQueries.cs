using Csp.Api.Areas;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Completeness;

/// <summary>
/// Completeness and timeliness, computed from the stored values when asked (no table is rebuilt at night): the indicators with a
/// due rule, the partnership's wards, and the first arrival (<c>created_at</c>) of each stored value in the periods asked for —
/// three queries whatever their number.
/// </summary>
public sealed class CompletenessQueries(Db db, TimeProvider clock)
{
    private sealed record IndicatorRow(Guid Id, string Code, string Frequency, Guid AgencyId, string AgencyCode, string AgencyName, long DueDays,
        bool DueForWards);

    private sealed record ArrivalRow(Guid IndicatorId, string Period, string Area, DateTimeOffset CreatedAt);

    /// <summary>A value due (or pending) for a period that has ended.</summary>
    private sealed record Due(IndicatorRow Indicator, Period Period, DateOnly DueOn, string Area, ReturnStatus Status, DateTimeOffset? ReceivedAt);

    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public async Task<CompletenessReport> ReportAsync(Tenant tenant, DateOnly from, DateOnly to, Guid? agencyId, CancellationToken ct)
    {
        var today = Today;
        var due = await DueAsync(tenant, from, to, agencyId, today, ct);
        var agencies = due.GroupBy(d => d.Indicator.AgencyId)
            .Select(a =>
            {
                var first = a.First().Indicator;
                var periods = a.GroupBy(d => (d.Indicator.Id, d.Period.Canonical))
                    .Select(p => new PeriodCompleteness(p.Key.Id, p.First().Indicator.Code, p.Key.Canonical, p.First().DueOn,
                        ReturnCounts.Of(p.Select(d => d.Status)),
                        p.Select(d => new AreaReturn(d.Area, d.Status, d.ReceivedAt)).ToList()))
                    .OrderBy(p => p.Indicator, StringComparer.Ordinal).ThenBy(p => p.Period, StringComparer.Ordinal).ToList();
                return new AgencyCompleteness(first.AgencyId, first.AgencyCode, first.AgencyName, ReturnCounts.Of(a.Select(d => d.Status)), periods);
            })
            .OrderBy(a => a.AgencyCode, StringComparer.Ordinal).ToList();
        return new CompletenessReport(today, from, to, agencies);
    }

    public async Task<OverdueReport> OverdueAsync(Tenant tenant, DateOnly from, Guid? agencyId, CancellationToken ct)
    {
        var today = Today;
        var due = await DueAsync(tenant, from, today, agencyId, today, ct);
        var overdue = due.Where(d => d.Status == ReturnStatus.Missing)
            .Select(d => new OverdueValue(d.Indicator.AgencyId, d.Indicator.AgencyCode, d.Indicator.Id, d.Indicator.Code, d.Period.Canonical, d.Area,
                d.DueOn, today.DayNumber - d.DueOn.DayNumber))
            .OrderBy(o => o.DueOn).ThenBy(o => o.AgencyCode, StringComparer.Ordinal).ThenBy(o => o.Indicator, StringComparer.Ordinal)
            .ThenBy(o => o.Area, StringComparer.Ordinal).ToList();
        return new OverdueReport(today, from, overdue);
    }

    private async Task<List<Due>> DueAsync(Tenant tenant, DateOnly from, DateOnly to, Guid? agencyId, DateOnly today, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var indicators = (await c.QueryAsync<IndicatorRow>(new CommandDefinition("""
            SELECT i.id AS Id, i.code AS Code, i.frequency AS Frequency, a.id AS AgencyId, a.code AS AgencyCode, a.name AS AgencyName,
                   i.due_days AS DueDays, i.due_for_wards AS DueForWards
            FROM indicators i JOIN agencies a ON a.partnership_id = i.partnership_id AND a.id = i.source_agency_id
            WHERE i.partnership_id = @PartnershipId AND i.due_days IS NOT NULL AND (@agencyId IS NULL OR i.source_agency_id = @agencyId)
            """, new { tenant.PartnershipId, agencyId }, cancellationToken: ct))).ToList();
        if (indicators.Count == 0) return [];
        var wards = indicators.Exists(i => i.DueForWards)
            ? (await AreaQueries.AllAsync(c, null, tenant.PartnershipId, ct)).Values.Where(a => a.Type == AreaType.Ward && a.Code != tenant.AreaCode)
                .OrderBy(a => a.Code, StringComparer.Ordinal).ToList()
            : [];
        var arrivals = (await c.QueryAsync<ArrivalRow>(new CommandDefinition($"""
            SELECT indicator_id AS IndicatorId, period AS Period, area AS Area, created_at AS CreatedAt FROM observations
            WHERE partnership_id = @PartnershipId AND {db.Dialect.InIds("indicator_id", "@ids")} AND period_start >= @from AND period_end <= @to
            """, new { tenant.PartnershipId, ids = SqlDialect.IdList(indicators.Select(i => i.Id)), from, to }, cancellationToken: ct)))
            .ToDictionary(a => (a.IndicatorId, a.Period, a.Area), a => a.CreatedAt);

        var due = new List<Due>();
        foreach (var indicator in indicators)
        {
            var type = EnumText<IndicatorFrequency>.Parse(indicator.Frequency).PeriodType();
            for (var period = FirstFrom(from, type); period.End <= to && period.End < today; period = Next(period))
            {
                var dueOn = period.End.AddDays((int)indicator.DueDays);
                IEnumerable<string> areas = [tenant.AreaCode];
                if (indicator.DueForWards)
                    areas = areas.Concat(wards.Where(w => w.OverlapsPeriod(period.Start, period.End)).Select(w => w.Code));
                foreach (var area in areas)
                {
                    DateTimeOffset? received = arrivals.TryGetValue((indicator.Id, period.Canonical, area), out var at) ? at : null;
                    var status = received is { } r
                        ? DateOnly.FromDateTime(r.UtcDateTime) <= dueOn ? ReturnStatus.OnTime : ReturnStatus.Late
                        : today > dueOn ? ReturnStatus.Missing : ReturnStatus.Pending;
                    due.Add(new Due(indicator, period, dueOn, area, status, received));
                }
            }
        }
        return due;
    }

    /// <summary>The first period of <paramref name="type"/> that starts on or after <paramref name="day"/>.</summary>
    private static Period FirstFrom(DateOnly day, PeriodType type)
    {
        var period = type switch
        {
            PeriodType.Month => new Period(type, day.Year, day.Month),
            PeriodType.Quarter => new Period(type, day.Year, (day.Month - 1) / 3 + 1),
            PeriodType.Year => new Period(type, day.Year, 0),
            _ => new Period(type, day.Month >= 4 ? day.Year : day.Year - 1, 0),
        };
        return period.Start < day ? Next(period) : period;
    }

    private static Period Next(Period p) => p.Type switch
    {
        PeriodType.Month => p.Index == 12 ? p with { Year = p.Year + 1, Index = 1 } : p with { Index = p.Index + 1 },
        PeriodType.Quarter => p.Index == 4 ? p with { Year = p.Year + 1, Index = 1 } : p with { Index = p.Index + 1 },
        _ => p with { Year = p.Year + 1 },
    };
}
