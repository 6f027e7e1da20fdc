using System.Data.Common;
using Csp.Api.Alignments;
using Csp.Api.Audit;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Observations;
using Csp.Api.Plans;
using Dapper;

namespace Csp.Api.Indicators;

public sealed class IndicatorQueries(Db db, AuditedWriter writer, TimeProvider clock)
{
    private sealed record Row(Guid Id, string Code, string Name, string? Description, string Unit, string Direction, string Frequency,
        Guid SourceAgencyId, decimal? BaselineValue, string? BaselinePeriod, decimal NearTolerancePercent, string? Definition, string? SourceSystem,
        string DisclosureRule, long? DisclosureThreshold, string DisclosureAppliesTo, decimal? BoundsMin, decimal? BoundsMax, decimal OutlierThreshold,
        decimal? LargeChangePercent, long? DueDays, bool DueForWards, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        /// <param name="partnershipArea">The partnership's own area, whose latest target is the deprecated <c>target</c>.</param>
        public Indicator ToIndicator(IReadOnlyList<Guid> priorityIds, IReadOnlyList<Target> targets, IReadOnlyList<SeriesBreak> breaks,
            string partnershipArea) => new(Id, Code, Name,
            Description, EnumText<IndicatorUnit>.Parse(Unit), EnumText<IndicatorDirection>.Parse(Direction), EnumText<IndicatorFrequency>.Parse(Frequency),
            SourceAgencyId, priorityIds,
            BaselineValue is { } bv && BaselinePeriod is { } bp ? new PeriodValueOut(bv, bp) : null,
            targets.LastOrDefault(t => t.Area == partnershipArea) is { } latest ? new PeriodValueOut(latest.Value, latest.Period) : null,
            targets, NearTolerancePercent, Definition, SourceSystem, breaks,
            new DisclosurePolicy(EnumText<DisclosureRule>.Parse(DisclosureRule), (int?)DisclosureThreshold,
                EnumText<DisclosureScope>.Parse(DisclosureAppliesTo)),
            BoundsMin is null && BoundsMax is null ? null : new IndicatorBounds(BoundsMin, BoundsMax), OutlierThreshold, LargeChangePercent,
            (int?)DueDays, DueForWards, Version, CreatedAt, UpdatedAt);
    }

    private sealed record LinkRow(Guid IndicatorId, Guid PriorityId);

    private sealed record CodeRow(string Code, Guid Id);

    /// <summary>A target (Kind <c>t</c>: area, period, value) or a break in the series (Kind <c>b</c>: period, reason) of an indicator.
    /// Settable properties rather than a positional record: SQLite gives the union's computed columns no declared type, which
    /// Dapper's constructor matching refuses but its property setters convert.</summary>
    private sealed class SeriesRow
    {
        public Guid IndicatorId { get; init; }
        public string Kind { get; init; } = "";
        public string? Area { get; init; }
        public string Period { get; init; } = "";
        public decimal? Value { get; init; }
        public string? Reason { get; init; }
    }

    private const string Columns = """
        id AS Id, code AS Code, name AS Name, description AS Description, unit AS Unit, direction AS Direction, frequency AS Frequency,
        source_agency_id AS SourceAgencyId, baseline_value AS BaselineValue, baseline_period AS BaselinePeriod,
        near_tolerance_percent AS NearTolerancePercent, definition AS Definition, source_system AS SourceSystem,
        disclosure_rule AS DisclosureRule, disclosure_threshold AS DisclosureThreshold, disclosure_applies_to AS DisclosureAppliesTo,
        bounds_min AS BoundsMin, bounds_max AS BoundsMax,
        outlier_threshold AS OutlierThreshold, large_change_percent AS LargeChangePercent, due_days AS DueDays, due_for_wards AS DueForWards,
        version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private static readonly string Draft = EnumText<PlanStatus>.Text(PlanStatus.Draft);

    /// <summary>A draft plan's status as stored (the @draft of <see cref="PublicIndicatorIds"/>).</summary>
    internal static string DraftStatus => Draft;

    /// <summary>The priorities the public may know of: those of approved and archived plans (parameters @partnershipId, @draft).</summary>
    private const string PublicPriorities = """
        SELECT pr.id FROM priorities pr JOIN plans pl ON pl.partnership_id = pr.partnership_id AND pl.id = pr.plan_id
        WHERE pr.partnership_id = @partnershipId AND pl.status <> @draft
        """;

    /// <summary>The indicators the public may read (as a subquery; parameters @partnershipId, @draft).</summary>
    internal const string PublicIndicatorIds = PublicIndicators;

    /// <summary>The indicators the public may read: those linked to a priority of an approved or archived plan.</summary>
    private const string PublicIndicators = $"""
        SELECT indicator_id FROM indicator_priorities WHERE partnership_id = @partnershipId AND priority_id IN ({PublicPriorities})
        """;

    /// <summary>Whether an anonymous caller may read the indicator: it measures a priority of an approved or archived plan.</summary>
    public async Task<bool> IsPublicAsync(Tenant tenant, Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await c.ExecuteScalarAsync<int>(new CommandDefinition($"""
            SELECT COUNT(*) FROM indicators WHERE partnership_id = @partnershipId AND id = @id AND id IN ({PublicIndicators})
            """, new { partnershipId = tenant.PartnershipId, id, draft = Draft }, cancellationToken: ct)) > 0;
    }

    public async Task<IReadOnlyList<Indicator>> ListAsync(Tenant tenant, PageRequest page, CancellationToken ct, IndicatorFilter? filter = null)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = (await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM indicators
            WHERE partnership_id = @PartnershipId AND (@After IS NULL OR {db.Dialect.IdKey("id")} > {db.Dialect.IdKey("@After")})
              AND (@priorityId IS NULL OR id IN (
                  SELECT indicator_id FROM indicator_priorities WHERE partnership_id = @PartnershipId AND priority_id = @priorityId))
              AND (@sourceAgencyId IS NULL OR source_agency_id = @sourceAgencyId)
              AND (@publicOnly = 0 OR id IN ({PublicIndicators}))
            ORDER BY {db.Dialect.IdKey("id")} {db.Dialect.Limit}
            """, new
        {
            tenant.PartnershipId, After = page.AfterId, Limit = page.Fetch, priorityId = filter?.PriorityId, sourceAgencyId = filter?.SourceAgencyId,
            partnershipId = tenant.PartnershipId, publicOnly = tenant.Caller.IsAnonymous ? 1 : 0, draft = Draft,
        }, cancellationToken: ct))).AsList();
        return await WithDetailsAsync(c, null, db.Dialect, tenant, rows, ct);
    }

    /// <summary>The partnership's indicator ids by code (the codes partners name indicators by).</summary>
    public async Task<Dictionary<string, Guid>> IdsByCodeAsync(Tenant tenant, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return (await c.QueryAsync<CodeRow>(new CommandDefinition(
                "SELECT code AS Code, id AS Id FROM indicators WHERE partnership_id = @PartnershipId", new { tenant.PartnershipId }, cancellationToken: ct)))
            .ToDictionary(r => r.Code, r => r.Id, StringComparer.Ordinal);
    }

    public async Task<Indicator?> GetAsync(Tenant tenant, Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await GetAsync(c, null, tenant, id, ct);
    }

    private async Task<Indicator?> GetAsync(DbConnection c, DbTransaction? tx, Tenant tenant, Guid id, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM indicators WHERE partnership_id = @PartnershipId AND id = @id
            """, new { tenant.PartnershipId, id }, tx, cancellationToken: ct));
        return row is null ? null : (await WithDetailsAsync(c, tx, db.Dialect, tenant, [row], ct))[0];
    }

    /// <summary>The indicators of <paramref name="rows"/> with their priority links, targets and series breaks: two queries whatever their
    /// number.</summary>
    private static async Task<IReadOnlyList<Indicator>> WithDetailsAsync(DbConnection c, DbTransaction? tx, SqlDialect dialect, Tenant tenant,
        List<Row> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        var partnershipId = tenant.PartnershipId;
        var ids = SqlDialect.IdList(rows.Select(r => r.Id));
        var links = (await c.QueryAsync<LinkRow>(new CommandDefinition($"""
            SELECT indicator_id AS IndicatorId, priority_id AS PriorityId FROM indicator_priorities
            WHERE partnership_id = @partnershipId AND {dialect.InIds("indicator_id", "@ids")}
              AND (@publicOnly = 0 OR priority_id IN ({PublicPriorities}))
            ORDER BY {dialect.IdKey("indicator_id")}, {dialect.IdKey("priority_id")}
            """, new { partnershipId, ids, publicOnly = tenant.Caller.IsAnonymous ? 1 : 0, draft = Draft }, tx, cancellationToken: ct)))
            .ToLookup(l => l.IndicatorId, l => l.PriorityId);
        // Targets and breaks in one round trip. Within an indicator (one frequency) canonical periods sort in time, so each area's
        // trajectory, and the breaks, read in order.
        var series = (await c.QueryAsync<SeriesRow>(new CommandDefinition($"""
            SELECT indicator_id AS IndicatorId, 't' AS Kind, area AS Area, period AS Period, value AS Value, NULL AS Reason FROM indicator_targets
            WHERE partnership_id = @partnershipId AND {dialect.InIds("indicator_id", "@ids")}
            UNION ALL
            SELECT indicator_id AS IndicatorId, 'b' AS Kind, NULL AS Area, period AS Period, NULL AS Value, reason AS Reason FROM indicator_breaks
            WHERE partnership_id = @partnershipId AND {dialect.InIds("indicator_id", "@ids")}
            ORDER BY Kind, Area, Period
            """, new { partnershipId, ids }, tx, cancellationToken: ct))).ToList();
        var targets = series.Where(x => x.Kind == "t").ToLookup(x => x.IndicatorId, x => new Target(x.Area!, x.Period, x.Value!.Value));
        var breaks = series.Where(x => x.Kind == "b").ToLookup(x => x.IndicatorId, x => new SeriesBreak(x.Period, x.Reason!));
        return rows.Select(r => r.ToIndicator(links[r.Id].ToList(), targets[r.Id].ToList(), breaks[r.Id].ToList(), tenant.AreaCode)).ToList();
    }

    /// <summary>Indicators linked to the plan's priorities (ordered by id), with all their links: two queries whatever the plan's size.</summary>
    internal static async Task<IReadOnlyList<Indicator>> ListForPlanAsync(DbConnection c, SqlDialect dialect, Tenant tenant, Guid planId,
        Guid? priorityId, CancellationToken ct)
    {
        var partnershipId = tenant.PartnershipId;
        var rows = (await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM indicators
            WHERE partnership_id = @partnershipId AND id IN (
                SELECT ip.indicator_id FROM indicator_priorities ip
                JOIN priorities p ON p.partnership_id = ip.partnership_id AND p.id = ip.priority_id
                WHERE ip.partnership_id = @partnershipId AND p.plan_id = @planId AND (@priorityId IS NULL OR ip.priority_id = @priorityId))
            ORDER BY {dialect.IdKey("id")}
            """, new { partnershipId, planId, priorityId }, cancellationToken: ct))).AsList();
        return await WithDetailsAsync(c, null, dialect, tenant, rows, ct);
    }

    /// <summary>
    /// The latest observation in <paramref name="area"/> and the performance of each indicator, in two queries whatever their
    /// number (the latest rows, then the previous and last-year rows they are compared with).
    /// </summary>
    internal static async Task<IReadOnlyDictionary<Guid, (Observation? Latest, Performance Performance)>> PerformanceOfAsync(DbConnection c,
        SqlDialect dialect, Guid partnershipId, string area, IReadOnlyList<Indicator> indicators, CancellationToken ct)
    {
        var result = new Dictionary<Guid, (Observation?, Performance)>();
        if (indicators.Count == 0) return result;
        var ids = SqlDialect.IdList(indicators.Select(i => i.Id));
        var latest = (await c.QueryAsync<ObservationQueries.SeriesRow>(new CommandDefinition($"""
            SELECT o.indicator_id AS IndicatorId, {ObservationQueries.Columns} {ObservationQueries.From}
            WHERE o.partnership_id = @partnershipId AND o.area = @area AND {dialect.InIds("o.indicator_id", "@ids")}
              AND o.period = (SELECT MAX(l.period) FROM observations l
                              WHERE l.partnership_id = o.partnership_id AND l.indicator_id = o.indicator_id AND l.area = o.area)
            """, new { partnershipId, area, ids }, cancellationToken: ct))).ToDictionary(r => r.IndicatorId, r => r.Row.ToObservation());
        // The latest rows carry the area's name; only when there are none is it read on its own.
        var areaName = latest.Count > 0
            ? latest.Values.First().AreaName
            : await c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
                "SELECT name FROM areas WHERE partnership_id = @partnershipId AND code = @area", new { partnershipId, area }, cancellationToken: ct));
        var wanted = indicators.Where(i => latest.ContainsKey(i.Id))
            .SelectMany(i => PerformanceRules.ComparedPeriods(i.Frequency, latest[i.Id].Period).Select(p => (i.Id, p))).ToHashSet();
        var others = wanted.Count == 0
            ? Array.Empty<ObservationQueries.SeriesRow>().ToLookup(r => r.IndicatorId, r => r.Row.ToObservation())
            : (await c.QueryAsync<ObservationQueries.SeriesRow>(new CommandDefinition($"""
                SELECT o.indicator_id AS IndicatorId, {ObservationQueries.Columns} {ObservationQueries.From}
                WHERE o.partnership_id = @partnershipId AND o.area = @area AND {dialect.InIds("o.indicator_id", "@ids")} AND o.period IN @periods
                """, new { partnershipId, area, ids = SqlDialect.IdList(wanted.Select(w => w.Id).Distinct()), periods = wanted.Select(w => w.p).Distinct().ToArray() },
                cancellationToken: ct))).Where(r => wanted.Contains((r.IndicatorId, r.Period))).ToLookup(r => r.IndicatorId, r => r.Row.ToObservation());
        foreach (var indicator in indicators)
        {
            var last = latest.GetValueOrDefault(indicator.Id);
            result[indicator.Id] = (last, PerformanceRules.Compute(indicator, area, areaName, last, others[indicator.Id].ToList()));
        }
        return result;
    }

    /// <summary>The latest observation and performance of each indicator in <paramref name="area"/> (default: the partnership's); for
    /// the public, as published.</summary>
    public async Task<IReadOnlyDictionary<Guid, (Observation? Latest, Performance Performance)>> PerformanceAsync(Tenant tenant,
        IReadOnlyList<Indicator> indicators, CancellationToken ct, string? area = null)
    {
        if (indicators.Count == 0) return new Dictionary<Guid, (Observation?, Performance)>();
        await using var c = await db.OpenAsync(tenant, ct);
        if (!tenant.Caller.IsAnonymous) return await PerformanceOfAsync(c, db.Dialect, tenant.PartnershipId, area ?? tenant.AreaCode, indicators, ct);
        // The public's figures are the published ones: released periods, disclosure-controlled values.
        var view = await Publication.Publisher.ViewAsync(c, db.Dialect, tenant, indicators.Select(i => i.Id).ToList(), clock.GetUtcNow(), ct);
        return await Publication.Publisher.PerformanceAsync(c, db.Dialect, tenant, view, indicators, area ?? tenant.AreaCode, ct);
    }

    /// <param name="current">The indicator as stored (null for a new one): what the request leaves out of the fields older clients do
    /// not know (tolerance, definition, source system) is kept.</param>
    private static object Values(WriteUnit w, Guid id, IndicatorRequest r, Indicator? current)
    {
        var frequency = r.Frequency!.Value;
        string? Canonical(PeriodValue? pv) => pv?.Period is { } p ? Period.Parse(p, frequency.PeriodType()).Period.Canonical : null;
        static string? Text(string? sent, string? kept) => sent is null ? kept : sent.Length == 0 ? null : sent;
        return new
        {
            w.PartnershipId, id, r.Code, r.Name, r.Description,
            Unit = EnumText<IndicatorUnit>.Text(r.Unit!.Value), Direction = EnumText<IndicatorDirection>.Text(r.Direction!.Value),
            Frequency = EnumText<IndicatorFrequency>.Text(frequency), r.SourceAgencyId,
            BaselineValue = r.Baseline?.Value, BaselinePeriod = Canonical(r.Baseline),
            NearTolerancePercent = r.NearTolerancePercent ?? current?.NearTolerancePercent ?? PerformanceRules.DefaultNearTolerancePercent,
            Definition = Text(r.Definition, current?.Definition), SourceSystem = Text(r.SourceSystem, current?.SourceSystem), w.Now,
            DisclosureRule = EnumText<DisclosureRule>.Text(r.Disclosure?.Rule ?? current?.Disclosure.Rule ?? Indicators.DisclosureRule.None),
            DisclosureThreshold = r.Disclosure is { } d
                ? d.Rule == Indicators.DisclosureRule.SuppressBelow ? d.Threshold ?? DisclosureInput.DefaultThreshold : null
                : current?.Disclosure.Threshold,
            DisclosureAppliesTo = EnumText<DisclosureScope>.Text(r.Disclosure is { } scope
                ? scope.AppliesTo ?? DisclosureScope.BelowPartnership
                : current?.Disclosure.AppliesTo ?? DisclosureScope.BelowPartnership),
            BoundsMin = r.Bounds is { } b ? b.Min : current?.Bounds?.Min,
            BoundsMax = r.Bounds is { } b2 ? b2.Max : current?.Bounds?.Max,
            OutlierThreshold = r.OutlierThreshold ?? current?.OutlierThreshold ?? Quality.QualityDefaults.OutlierThreshold,
            LargeChangePercent = r.LargeChangePercent is { } lc ? lc == 0 ? null : lc : current?.LargeChangePercent,
            DueDays = r.DueDays ?? current?.DueDays,
            DueForWards = r.DueForWards ?? current?.DueForWards ?? false,
        };
    }

    /// <summary>The breaks a write stores: those sent (periods canonical, by period), else the current ones.</summary>
    private static (IReadOnlyList<SeriesBreak> Breaks, WriteRefusal? Refused) BreaksOf(IndicatorRequest request, Indicator? current)
    {
        var type = request.Frequency!.Value.PeriodType();
        if (request.Breaks is { } sent)
            return (sent.Select(b => new SeriesBreak(Period.Parse(b!.Period, type).Period.Canonical, b.Reason!))
                .OrderBy(b => b.Period, StringComparer.Ordinal).ToList(), null);
        if (current is null) return ([], null);
        return current.Frequency != request.Frequency && current.Breaks.Count > 0
            ? ([], WriteRefusal.Invalid("breaks",
                "The frequency changes and the breaks are of the old one: send the breaks of the new frequency, or breaks: [] to remove them."))
            : (current.Breaks, null);
    }

    private static async Task ReplaceBreaksAsync(WriteUnit w, Guid indicatorId, IReadOnlyList<SeriesBreak> breaks)
    {
        await w.ExecuteAsync("DELETE FROM indicator_breaks WHERE partnership_id = @PartnershipId AND indicator_id = @indicatorId",
            new { w.PartnershipId, indicatorId });
        if (breaks.Count == 0) return;
        await w.ExecuteAsync("""
            INSERT INTO indicator_breaks (partnership_id, indicator_id, period, reason) VALUES (@PartnershipId, @indicatorId, @Period, @Reason)
            """, breaks.Select(b => new { w.PartnershipId, indicatorId, b.Period, b.Reason }));
    }

    private Task<Indicator?> GetAsync(WriteUnit w, Guid id) => GetAsync(w.Connection, w.Transaction, w.Tenant, id, w.Token);

    private static WriteRefusal CodeTaken(string code) => WriteRefusal.Invalid("code", $"An indicator with code '{code}' already exists.");

    /// <summary>The source agency and the linked priorities must be this partnership's.</summary>
    private static async Task<WriteRefusal?> UnknownReferencesAsync(WriteUnit w, IndicatorRequest request)
    {
        var errors = await References.Agencies.UnknownAsync(w, [("sourceAgencyId", request.SourceAgencyId)]);
        foreach (var (field, messages) in await References.Priorities.UnknownAsync(w, (request.PriorityIds ?? []).Select(id => ("priorityIds", (Guid?)id))))
            errors[field] = messages;
        return WriteRefusal.InvalidIfAny(errors);
    }

    public Task<WriteResult<Indicator>> CreateAsync(Tenant tenant, IndicatorRequest request, CancellationToken ct)
    {
        IReadOnlyList<Target> targets = [];
        var (breaks, _) = BreaksOf(request, current: null);
        return writer.CreateAsync(tenant, new Create<Indicator>(EntityTypes.Indicator, async w =>
        {
            var id = Ids.New();
            await w.ExecuteAsync("""
                INSERT INTO indicators (partnership_id, id, code, name, description, unit, direction, frequency, source_agency_id,
                                        baseline_value, baseline_period, near_tolerance_percent, definition, source_system, disclosure_rule,
                                        disclosure_threshold, disclosure_applies_to, bounds_min, bounds_max, outlier_threshold, large_change_percent,
                                        due_days, due_for_wards, version, created_at, updated_at)
                VALUES (@PartnershipId, @id, @Code, @Name, @Description, @Unit, @Direction, @Frequency, @SourceAgencyId,
                        @BaselineValue, @BaselinePeriod, @NearTolerancePercent, @Definition, @SourceSystem, @DisclosureRule,
                        @DisclosureThreshold, @DisclosureAppliesTo, @BoundsMin, @BoundsMax, @OutlierThreshold, @LargeChangePercent, @DueDays,
                        @DueForWards, 1, @Now, @Now)
                """, Values(w, id, request, current: null));
            await ReplaceLinksAsync(w, id, request.PriorityIds);
            await ReplaceTargetsAsync(w, id, targets);
            await ReplaceBreaksAsync(w, id, breaks);
            return (await GetAsync(w, id))!;
        })
        {
            Check = async w =>
            {
                if (await UnknownReferencesAsync(w, request) is { } unknown) return unknown;
                (targets, var refused) = await IndicatorTargets.ResolveAsync(w, request, current: null);
                return refused;
            },
            OnUnique = CodeTaken(request.Code),
        }, ct);
    }

    public Task<WriteResult<Indicator>> UpdateAsync(Tenant tenant, Guid id, IndicatorRequest request, long? ifMatch, CancellationToken ct)
    {
        IReadOnlyList<Target> targets = [];
        IReadOnlyList<SeriesBreak> breaks = [];
        return writer.UpdateAsync(tenant, ifMatch, new Update<Indicator>(EntityTypes.Indicator, w => GetAsync(w, id), async (w, current) =>
        {
            await w.ExecuteAsync("""
                UPDATE indicators SET code = @Code, name = @Name, description = @Description, unit = @Unit, direction = @Direction,
                       frequency = @Frequency, source_agency_id = @SourceAgencyId, baseline_value = @BaselineValue,
                       baseline_period = @BaselinePeriod, near_tolerance_percent = @NearTolerancePercent, definition = @Definition,
                       source_system = @SourceSystem, disclosure_rule = @DisclosureRule, disclosure_threshold = @DisclosureThreshold,
                       disclosure_applies_to = @DisclosureAppliesTo, bounds_min = @BoundsMin, bounds_max = @BoundsMax,
                       outlier_threshold = @OutlierThreshold, large_change_percent = @LargeChangePercent, due_days = @DueDays,
                       due_for_wards = @DueForWards, version = version + 1, updated_at = @Now
                WHERE partnership_id = @PartnershipId AND id = @id
                """, Values(w, id, request, current));
            await ReplaceLinksAsync(w, id, request.PriorityIds); // read back in a fixed order, so equal sets compare equal
            await ReplaceTargetsAsync(w, id, targets);
            await ReplaceBreaksAsync(w, id, breaks);
        })
        {
            Check = async (w, current) =>
            {
                if (await UnknownReferencesAsync(w, request) is { } unknown) return unknown;
                // Stored periods are of the old frequency; changing it would strand them.
                if (current.Frequency != request.Frequency && await HasObservationsAsync(w, id))
                    return WriteRefusal.Conflict("The indicator has observations; its frequency can no longer change.");
                (breaks, var noBreaks) = BreaksOf(request, current);
                if (noBreaks is not null) return noBreaks;
                (targets, var refused) = await IndicatorTargets.ResolveAsync(w, request, current);
                return refused;
            },
            OnUnique = CodeTaken(request.Code),
        }, ct);
    }

    private static async Task ReplaceTargetsAsync(WriteUnit w, Guid indicatorId, IReadOnlyList<Target> targets)
    {
        await w.ExecuteAsync("DELETE FROM indicator_targets WHERE partnership_id = @PartnershipId AND indicator_id = @indicatorId",
            new { w.PartnershipId, indicatorId });
        if (targets.Count == 0) return;
        await w.ExecuteAsync("""
            INSERT INTO indicator_targets (partnership_id, indicator_id, area, period, value) VALUES (@PartnershipId, @indicatorId, @Area, @Period, @Value)
            """, targets.Select(t => new { w.PartnershipId, indicatorId, t.Area, t.Period, t.Value }));
    }

    /// <summary>Deletes the indicator; one with observations only when <paramref name="force"/> (its data goes with it).</summary>
    public Task<WriteResult<Indicator>> DeleteAsync(Tenant tenant, Guid id, long? ifMatch, bool force, CancellationToken ct) =>
        writer.DeleteAsync(tenant, ifMatch, new Delete<Indicator>(EntityTypes.Indicator, w => GetAsync(w, id), async (w, _) =>
        {
            // Its alignments would cascade without a trace; they go first, each with its tombstone for the change feed.
            await AlignmentQueries.RemoveAsync(w, AlignmentQueries.Owner.Indicator, id);
            await w.ExecuteAsync("DELETE FROM indicators WHERE partnership_id = @PartnershipId AND id = @id", new { w.PartnershipId, id });
        })
        {
            Check = async (w, _) => !force && await HasObservationsAsync(w, id)
                ? WriteRefusal.Conflict("The indicator has observations. An admin can delete it with them using ?force=true.")
                : null,
        }, ct);

    private static async Task<bool> HasObservationsAsync(WriteUnit w, Guid id) =>
        await w.ScalarAsync<int>("""
            SELECT CASE WHEN EXISTS (SELECT 1 FROM observations WHERE partnership_id = @PartnershipId AND indicator_id = @id) THEN 1 ELSE 0 END
            """, new { w.PartnershipId, id }) == 1;

    private static async Task ReplaceLinksAsync(WriteUnit w, Guid indicatorId, IReadOnlyList<Guid>? priorityIds)
    {
        await w.ExecuteAsync("DELETE FROM indicator_priorities WHERE partnership_id = @PartnershipId AND indicator_id = @indicatorId",
            new { w.PartnershipId, indicatorId });
        if (priorityIds is not { Count: > 0 }) return;
        await w.ExecuteAsync("""
            INSERT INTO indicator_priorities (partnership_id, indicator_id, priority_id) VALUES (@PartnershipId, @indicatorId, @priorityId)
            """, priorityIds.Select(priorityId => new { w.PartnershipId, indicatorId, priorityId }));
    }
}

/// <summary>Filters of the indicators list: linked to a priority, pushed by a source agency.</summary>
public sealed record IndicatorFilter(Guid? PriorityId, Guid? SourceAgencyId);
