using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Observations;

/// <summary>Reads of an indicator's observations and their revisions; <see cref="BatchPush"/> writes them.</summary>
public sealed class ObservationQueries(Db db, TimeProvider clock)
{
    /// <summary>An observation's columns (alias <c>o</c>) and its area's name (alias <c>a</c>), as read from <see cref="From"/>.</summary>
    internal const string Columns = """
        o.period AS Period, o.period_start AS PeriodStart, o.period_end AS PeriodEnd, o.area AS Area, a.name AS AreaName, o.value AS Value,
        o.status AS Status, o.note AS Note, o.client_id AS ClientId, o.version AS Version, o.created_at AS CreatedAt, o.updated_at AS UpdatedAt
        """;

    /// <summary>Observations with the name of their area, when it is registered.</summary>
    internal const string From = "FROM observations o LEFT JOIN areas a ON a.partnership_id = o.partnership_id AND a.code = o.area";

    /// <summary>An observations row as <see cref="Columns"/> reads it.</summary>
    internal sealed record Row(string Period, DateOnly PeriodStart, DateOnly PeriodEnd, string Area, string? AreaName, decimal Value, string Status,
        string? Note, Guid? ClientId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public Observation ToObservation() => new(Period, PeriodStart, PeriodEnd, Area, AreaName, Value, EnumText<ObservationStatus>.Parse(Status),
            Note, ClientId, Version, CreatedAt, UpdatedAt);
    }

    private sealed record RevisionRow(Guid Id, string Period, string Area, decimal OldValue, string OldStatus, string? OldNote, Guid? OldClientId,
        DateTimeOffset OldRecordedAt, decimal? NewValue, string? NewStatus, string? NewNote, Guid? NewClientId, string? NewClientName,
        string? Reason, DateTimeOffset RevisedAt)
    {
        // A retraction has no new status (nor value).
        public ObservationRevision ToRevision() => new(Id, Period, Area, OldValue, EnumText<ObservationStatus>.Parse(OldStatus), OldNote,
            OldClientId, OldRecordedAt, NewStatus is null, NewValue, NewStatus is null ? null : EnumText<ObservationStatus>.Parse(NewStatus),
            NewNote, NewClientId, NewClientName, NewValue - OldValue, Reason, RevisedAt);
    }

    /// <summary>The observations list is ordered by (period, area): its cursor's key.</summary>
    public static string[] Key(Observation o) => [o.Period, o.Area];

    public static bool IsKey(string[] parts) => parts is [{ Length: > 0 }, _];

    /// <summary>A page of observations ordered by period (then area), within [from, to] by period dates.</summary>
    public async Task<IReadOnlyList<Observation>> ListAsync(Tenant tenant, Guid indicatorId, ObservationFilter filter, PageRequest page,
        CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} {From}
            WHERE o.partnership_id = @PartnershipId AND o.indicator_id = @indicatorId
              AND (@Area IS NULL OR o.area = @Area)
              AND (@From IS NULL OR o.period_start >= @From)
              AND (@To IS NULL OR o.period_end <= @To)
              AND (@AfterPeriod IS NULL OR o.period > @AfterPeriod OR (o.period = @AfterPeriod AND o.area > @AfterArea))
            ORDER BY o.period, o.area {db.Dialect.Limit}
            """, new
        {
            tenant.PartnershipId,
            indicatorId,
            filter.Area,
            filter.From,
            filter.To,
            AfterPeriod = page.After?[0],
            AfterArea = page.After?[1],
            Limit = page.Fetch,
        }, cancellationToken: ct));
        var observations = rows.Select(r => r.ToObservation()).ToList();
        return await WithRevisedAsync(c, tenant, indicatorId, observations, ct);
    }

    private sealed record RevisedRow(string Period, string Area, DateTimeOffset RevisedAt);

    /// <inheritdoc cref="WithRevisedAsync(System.Data.Common.DbConnection, Tenant, Guid, List{Observation}, CancellationToken)"/>
    public async Task<IReadOnlyList<Observation>> WithRevisedAsync(Tenant tenant, Guid indicatorId, IReadOnlyList<Observation> page, CancellationToken ct)
    {
        if (page.Count == 0) return page;
        await using var c = await db.OpenAsync(tenant, ct);
        return await WithRevisedAsync(c, tenant, indicatorId, page.ToList(), ct);
    }

    /// <summary>
    /// Fills <see cref="Observation.Revised"/> and <see cref="Observation.RevisedAt"/> of a page of one indicator's observations:
    /// one query over the page's keys, the revisions that changed or retracted a value aggregated by period and area.
    /// </summary>
    private async Task<IReadOnlyList<Observation>> WithRevisedAsync(System.Data.Common.DbConnection c, Tenant tenant, Guid indicatorId,
        List<Observation> page, CancellationToken ct)
    {
        if (page.Count == 0) return page;
        var keys = System.Text.Json.JsonSerializer.Serialize(page.Select(o => new { p = o.Period, a = o.Area }));
        var source = db.Dialect.JsonRows("@keys", ("p", "NVARCHAR(16)"), ("a", "NVARCHAR(9)"));
        // Decimals compare as numbers on SQL Server and as their one normalized text on SQLite (TypeHandlers.Normalize).
        var revised = (await c.QueryAsync<RevisedRow>(new CommandDefinition($"""
            SELECT r.period AS Period, r.area AS Area, MAX(r.revised_at) AS RevisedAt
            FROM {source} k
            CROSS JOIN observation_revisions r
            WHERE r.partnership_id = @PartnershipId AND r.indicator_id = @indicatorId AND r.period = k.p AND r.area = k.a
              AND (r.new_value IS NULL OR r.new_value <> r.old_value)
            GROUP BY r.period, r.area
            """, new { tenant.PartnershipId, indicatorId, keys }, cancellationToken: ct)))
            .ToDictionary(r => (r.Period, r.Area), r => r.RevisedAt);
        return revised.Count == 0
            ? page
            : page.Select(o => revised.TryGetValue((o.Period, o.Area), out var at) ? o with { Revised = true, RevisedAt = at } : o).ToList();
    }

    /// <summary>The observations of <paramref name="indicatorIds"/> in one area within [from, to] (period dates), by indicator in period
    /// order: one query whatever their number (a chart's series, the report's charts).</summary>
    public static async Task<ILookup<Guid, Observation>> SeriesAsync(System.Data.Common.DbConnection c, SqlDialect dialect, Guid partnershipId,
        string area, IReadOnlyCollection<Guid> indicatorIds, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        if (indicatorIds.Count == 0) return Array.Empty<Observation>().ToLookup(_ => Guid.Empty);
        var rows = await c.QueryAsync<SeriesRow>(new CommandDefinition($"""
            SELECT o.indicator_id AS IndicatorId, {Columns} {From}
            WHERE o.partnership_id = @partnershipId AND o.area = @area AND {dialect.InIds("o.indicator_id", "@ids")}
              AND (@from IS NULL OR o.period_start >= @from) AND (@to IS NULL OR o.period_end <= @to)
            ORDER BY o.period
            """, new { partnershipId, area, ids = SqlDialect.IdList(indicatorIds), from, to }, cancellationToken: ct));
        return rows.ToLookup(r => r.IndicatorId, r => r.Row.ToObservation());
    }

    /// <summary>An observation read with its indicator's id (<see cref="Columns"/> after <c>o.indicator_id AS IndicatorId</c>).</summary>
    internal sealed record SeriesRow(Guid IndicatorId, string Period, DateOnly PeriodStart, DateOnly PeriodEnd, string Area, string? AreaName,
        decimal Value, string Status, string? Note, Guid? ClientId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public Row Row => new(Period, PeriodStart, PeriodEnd, Area, AreaName, Value, Status, Note, ClientId, Version, CreatedAt, UpdatedAt);
    }

    /// <inheritdoc cref="SeriesAsync(System.Data.Common.DbConnection, SqlDialect, Guid, string, IReadOnlyCollection{Guid}, DateOnly?, DateOnly?, CancellationToken)"/>
    public async Task<IReadOnlyList<Observation>> SeriesAsync(Tenant tenant, Guid indicatorId, string area, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return (await SeriesAsync(c, db.Dialect, tenant.PartnershipId, area, [indicatorId], from, to, ct))[indicatorId].ToList();
    }

    /// <summary>The public's series of <paramref name="indicator"/> in <paramref name="area"/> (null: every area) within [from, to], in
    /// period then area order: released periods only, values disclosure-controlled (<see cref="Publication.Publisher"/>).</summary>
    public async Task<IReadOnlyList<Observation>> PublishedSeriesAsync(Tenant tenant, Indicators.Indicator indicator, string? area, DateOnly? from,
        DateOnly? to, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var view = await Publication.Publisher.ViewAsync(c, db.Dialect, tenant, [indicator.Id], clock.GetUtcNow(), ct);
        return (await Publication.Publisher.SeriesAsync(c, db.Dialect, tenant, view, [indicator], area, from, to, ct))[indicator.Id].ToList();
    }

    /// <summary>Whether a value of the indicator is not (yet) what the public sees, when the partnership's release waits for sign-off:
    /// its period is not released, or it changed after its period was signed off (keyed readers see it marked <c>embargoed</c>).</summary>
    public async Task<Func<Observation, bool>> EmbargoedAsync(Tenant tenant, Guid indicatorId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var view = await Publication.Publisher.ViewAsync(c, db.Dialect, tenant, [indicatorId], clock.GetUtcNow(), ct, withAreas: false);
        return o => view.RequiresSignoff
            && (!view.IsReleased(indicatorId, o.Period) || (view.SignedOffAt(indicatorId, o.Period) is { } at && o.UpdatedAt > at));
    }

    private sealed record SentRow(string Indicator, Guid IndicatorId, string Period, DateOnly PeriodStart, DateOnly PeriodEnd, string Area,
        string? AreaName, decimal Value, string Status, string? Note, Guid? ClientId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public SentObservation ToObservation() => new(Indicator, IndicatorId, Period, PeriodStart, PeriodEnd, Area, AreaName, Value,
            EnumText<ObservationStatus>.Parse(Status), Note, ClientId, Version, CreatedAt, UpdatedAt);
    }

    /// <summary>The read-back across indicators is ordered by (indicator code, period, area): its cursor's key.</summary>
    public static string[] SentKey(SentObservation o) => [o.Indicator, o.Period, o.Area];

    public static bool IsSentKey(string[] parts) => parts is [{ Length: > 0 }, { Length: > 0 }, { Length: > 0 }];

    /// <summary>
    /// A page of the values of <paramref name="indicatorIds"/> (every indicator when null) by indicator code, period and area:
    /// optionally of some periods only, within [from, to] by period dates, and of one area (null: every area).
    /// </summary>
    public async Task<IReadOnlyList<SentObservation>> ListSentAsync(Tenant tenant, IReadOnlyCollection<Guid>? indicatorIds,
        IReadOnlyCollection<string>? periods, ObservationFilter filter, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var periodRows = db.Dialect.JsonRows("@periods", ("value", "NVARCHAR(16)"));
        var rows = await c.QueryAsync<SentRow>(new CommandDefinition($"""
            SELECT i.code AS Indicator, o.indicator_id AS IndicatorId, {Columns} {From}
            JOIN indicators i ON i.partnership_id = o.partnership_id AND i.id = o.indicator_id
            WHERE o.partnership_id = @PartnershipId
              AND (@ids IS NULL OR {db.Dialect.InIds("o.indicator_id", "@ids")})
              AND (@periods IS NULL OR o.period IN (SELECT p.value FROM {periodRows} p))
              AND (@Area IS NULL OR o.area = @Area)
              AND (@From IS NULL OR o.period_start >= @From)
              AND (@To IS NULL OR o.period_end <= @To)
              AND (@AfterCode IS NULL OR i.code > @AfterCode OR (i.code = @AfterCode AND (o.period > @AfterPeriod
                   OR (o.period = @AfterPeriod AND o.area > @AfterArea))))
            ORDER BY i.code, o.period, o.area {db.Dialect.Limit}
            """, new
        {
            tenant.PartnershipId,
            ids = indicatorIds is null ? null : SqlDialect.IdList(indicatorIds),
            periods = periods is null ? null : System.Text.Json.JsonSerializer.Serialize(periods.Select(p => new { value = p })),
            filter.Area,
            filter.From,
            filter.To,
            AfterCode = page.After?[0],
            AfterPeriod = page.After?[1],
            AfterArea = page.After?[2],
            Limit = page.Fetch,
        }, cancellationToken: ct));
        return rows.Select(r => r.ToObservation()).ToList();
    }

    /// <summary>Whether the indicator has, or ever had, a value for this period and area (a retracted value keeps its history).</summary>
    public async Task<bool> HasHistoryAsync(Tenant tenant, Guid indicatorId, string period, string area, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await c.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT CASE WHEN EXISTS (SELECT 1 FROM observations
                                     WHERE partnership_id = @PartnershipId AND indicator_id = @indicatorId AND period = @period AND area = @area)
                          OR EXISTS (SELECT 1 FROM observation_revisions
                                     WHERE partnership_id = @PartnershipId AND indicator_id = @indicatorId AND period = @period AND area = @area)
                        THEN 1 ELSE 0 END
            """, new { tenant.PartnershipId, indicatorId, period, area }, cancellationToken: ct)) == 1;
    }

    public async Task<IReadOnlyList<ObservationRevision>> ListRevisionsAsync(Tenant tenant, Guid indicatorId, string period, string area,
        PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<RevisionRow>(new CommandDefinition($"""
            SELECT r.id AS Id, r.period AS Period, r.area AS Area, r.old_value AS OldValue, r.old_status AS OldStatus, r.old_note AS OldNote,
                   r.old_client_id AS OldClientId, r.old_recorded_at AS OldRecordedAt, r.new_value AS NewValue, r.new_status AS NewStatus,
                   r.new_note AS NewNote, r.new_client_id AS NewClientId, c.name AS NewClientName, r.reason AS Reason, r.revised_at AS RevisedAt
            FROM observation_revisions r
            LEFT JOIN clients c ON c.partnership_id = r.partnership_id AND c.id = r.new_client_id
            WHERE r.partnership_id = @PartnershipId AND r.indicator_id = @indicatorId AND r.period = @period AND r.area = @area
              AND (@After IS NULL OR {db.Dialect.IdKey("r.id")} > {db.Dialect.IdKey("@After")})
            ORDER BY {db.Dialect.IdKey("r.id")} {db.Dialect.Limit}
            """, new { tenant.PartnershipId, indicatorId, period, area, After = page.AfterId, Limit = page.Fetch }, cancellationToken: ct));
        return rows.Select(r => r.ToRevision()).ToList();
    }
}

/// <summary>Filters of the observations list: an area (null: every area) and the first and last day periods may cover.</summary>
public sealed record ObservationFilter(string? Area, DateOnly? From, DateOnly? To);
