using System.Data.Common;
using System.Text.Json.Nodes;
using Csp.Api.Audit;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Infrastructure.OpenApi;
using Csp.Api.Partnerships;
using Dapper;

namespace Csp.Api.Publication;

/// <summary>A period's values of an indicator, signed off for publication (separate from each value's provisional/final status).</summary>
/// <param name="IndicatorId">The indicator.</param>
/// <param name="Indicator">The indicator's code.</param>
/// <param name="Period">Canonical period.</param>
/// <param name="SignedOffAt">When it was signed off (UTC).</param>
/// <param name="SignedOffBy">The client that signed it off; null for the operator's platform key.</param>
/// <param name="SignedOffByName">That client's name; null for the operator's platform key.</param>
/// <param name="ReleaseAt">When the public sees the period's values (UTC), by the partnership's <c>publicRelease</c> settings at
/// sign-off. Only when <c>publicRelease.requireSignoff</c> is on does the public wait for it.</param>
/// <param name="Released">Whether the release time has passed and the sign-off stands.</param>
/// <param name="WithdrawnAt">When the sign-off was withdrawn (UTC); null while it stands. A withdrawn period is not released.</param>
/// <param name="WithdrawnBy">The client that withdrew it; null while it stands or for the platform key.</param>
/// <param name="WithdrawalReason">Why it was withdrawn; null while it stands.</param>
public sealed record Signoff(Guid IndicatorId, string Indicator, string Period, DateTimeOffset SignedOffAt, Guid? SignedOffBy,
    string? SignedOffByName, DateTimeOffset ReleaseAt, bool Released, DateTimeOffset? WithdrawnAt, Guid? WithdrawnBy, string? WithdrawalReason,
    long Version) : IVersioned
{
    /// <summary>The audit trail names a sign-off by its indicator (with the period in the event).</summary>
    Guid IEntity.Id => IndicatorId;
}

/// <summary>A release on the calendar: a signed-off period of an indicator and when the public sees it.</summary>
/// <param name="IndicatorId">The indicator.</param>
/// <param name="Indicator">The indicator's code.</param>
/// <param name="Name">The indicator's name.</param>
/// <param name="Period">Canonical period.</param>
/// <param name="ReleaseAt">When its values are (or were) released (UTC).</param>
/// <param name="Released">Whether that moment has passed.</param>
public sealed record Release(Guid IndicatorId, string Indicator, string Name, string Period, DateTimeOffset ReleaseAt, bool Released);

/// <summary>A standing sign-off: what was signed off (the period's values at <paramref name="SignedOffAt"/>) and when it is released.</summary>
public sealed record StandingSignoff(DateTimeOffset SignedOffAt, DateTimeOffset ReleaseAt);

/// <summary>A withdrawal of a sign-off.</summary>
/// <param name="Reason">Why, e.g. "ward figures double-counted"; 1–4,000 characters.</param>
public sealed record SignoffWithdrawal([property: RequiredInRequest] string? Reason);

/// <summary>Sign-offs: written through the audited writer, read by the public projection and the release calendar.</summary>
public sealed class SignoffQueries(Db db, AuditedWriter writer, TimeProvider clock)
{
    public const string SignoffAction = "signoff";
    public const string WithdrawAction = "withdraw_signoff";

    private sealed record Row(Guid IndicatorId, string Indicator, string Period, DateTimeOffset SignedOffAt, Guid? SignedOffBy,
        string? SignedOffByName, DateTimeOffset ReleaseAt, DateTimeOffset? WithdrawnAt, Guid? WithdrawnBy, string? WithdrawalReason, long Version)
    {
        public Signoff ToSignoff(DateTimeOffset now) => new(IndicatorId, Indicator, Period, SignedOffAt, SignedOffBy, SignedOffByName, ReleaseAt,
            WithdrawnAt is null && ReleaseAt <= now, WithdrawnAt, WithdrawnBy, WithdrawalReason, Version);
    }

    private const string Select = """
        SELECT s.indicator_id AS IndicatorId, i.code AS Indicator, s.period AS Period, s.signed_off_at AS SignedOffAt,
               s.signed_off_by AS SignedOffBy, c.name AS SignedOffByName, s.release_at AS ReleaseAt, s.withdrawn_at AS WithdrawnAt,
               s.withdrawn_by AS WithdrawnBy, s.withdrawal_reason AS WithdrawalReason, s.version AS Version
        FROM observation_signoffs s
        JOIN indicators i ON i.partnership_id = s.partnership_id AND i.id = s.indicator_id
        LEFT JOIN clients c ON c.partnership_id = s.partnership_id AND c.id = s.signed_off_by
        """;

    public async Task<Signoff?> GetAsync(Tenant tenant, Guid indicatorId, string period, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return (await GetAsync(c, null, tenant.PartnershipId, indicatorId, period, ct))?.ToSignoff(clock.GetUtcNow());
    }

    private static Task<Row?> GetAsync(DbConnection c, DbTransaction? tx, Guid partnershipId, Guid indicatorId, string period, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"""
            {Select}
            WHERE s.partnership_id = @partnershipId AND s.indicator_id = @indicatorId AND s.period = @period
            """, new { partnershipId, indicatorId, period }, tx, cancellationToken: ct));

    /// <summary>Signs off the period's values (again, after a withdrawal); a standing sign-off is left as it is.</summary>
    public Task<WriteResult<Signoff>> SignOffAsync(Tenant tenant, Indicator indicator, Period period, CancellationToken ct) =>
        writer.RunAsync<Signoff>(tenant, WriteOp.Plain, async w =>
        {
            var current = await GetAsync(w.Connection, w.Transaction, w.PartnershipId, indicator.Id, period.Canonical, w.Token);
            if (current is { WithdrawnAt: null }) return WriteResult<Signoff>.Unchanged(current.ToSignoff(w.Now));
            var values = await w.ScalarAsync<long>("""
                SELECT COUNT(*) FROM observations WHERE partnership_id = @PartnershipId AND indicator_id = @IndicatorId AND period = @Period
                """, new { w.PartnershipId, IndicatorId = indicator.Id, Period = period.Canonical });
            if (values == 0)
                return WriteRefusal.Conflict($"Indicator {indicator.Code} has no values for {period.Canonical}: there is nothing to sign off.");
            var release = await PartnershipQueries.ReleaseOfAsync(w.Connection, w.PartnershipId, w.Token, w.Transaction);
            var args = new
            {
                w.PartnershipId, IndicatorId = indicator.Id, Period = period.Canonical, w.Now, By = w.Tenant.Caller.ClientId,
                ReleaseAt = release.ReleaseAt(w.Now, period.End), Version = (current?.Version ?? 0) + 1,
            };
            await w.ExecuteAsync("""
                DELETE FROM observation_signoffs WHERE partnership_id = @PartnershipId AND indicator_id = @IndicatorId AND period = @Period
                """, args);
            await w.ExecuteAsync("""
                INSERT INTO observation_signoffs (partnership_id, indicator_id, period, signed_off_at, signed_off_by, release_at, version)
                VALUES (@PartnershipId, @IndicatorId, @Period, @Now, @By, @ReleaseAt, @Version)
                """, args);
            var signed = (await GetAsync(w.Connection, w.Transaction, w.PartnershipId, indicator.Id, period.Canonical, w.Token))!.ToSignoff(w.Now);
            await RecordAsync(w, SignoffAction, indicator.Id, period.Canonical, new JsonObject
            {
                ["signedOffAt"] = w.Now.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["releaseAt"] = signed.ReleaseAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            });
            return WriteResult<Signoff>.Done(signed);
        }, ct);

    /// <summary>Withdraws a standing sign-off, recording who, when and why: the period is no longer released.</summary>
    public Task<WriteResult<Signoff>> WithdrawAsync(Tenant tenant, Indicator indicator, Period period, string reason, CancellationToken ct) =>
        writer.RunAsync<Signoff>(tenant, WriteOp.Plain, async w =>
        {
            var current = await GetAsync(w.Connection, w.Transaction, w.PartnershipId, indicator.Id, period.Canonical, w.Token);
            if (current is null) return WriteRefusal.NotFound($"sign-off of indicator {indicator.Code} for {period.Canonical}");
            if (current.WithdrawnAt is not null) return WriteResult<Signoff>.Unchanged(current.ToSignoff(w.Now));
            await w.ExecuteAsync("""
                UPDATE observation_signoffs SET withdrawn_at = @Now, withdrawn_by = @By, withdrawal_reason = @reason, version = version + 1
                WHERE partnership_id = @PartnershipId AND indicator_id = @IndicatorId AND period = @Period
                """, new { w.PartnershipId, IndicatorId = indicator.Id, Period = period.Canonical, w.Now, By = w.Tenant.Caller.ClientId, reason });
            await RecordAsync(w, WithdrawAction, indicator.Id, period.Canonical, new JsonObject { ["reason"] = reason });
            return WriteResult<Signoff>.Done(
                (await GetAsync(w.Connection, w.Transaction, w.PartnershipId, indicator.Id, period.Canonical, w.Token))!.ToSignoff(w.Now));
        }, ct);

    // The event is the indicator's observations' (the change feed's `observation` entity): what the public sees of that period changed.
    private static Task RecordAsync(WriteUnit w, string action, Guid indicatorId, string period, JsonObject changes) =>
        AuditLog.RecordJsonAsync(w, action, EntityTypes.Observation, indicatorId, new JsonObject { [period] = changes }.ToJsonString(),
            touched: ([period], []));

    private sealed record StandingRow(Guid IndicatorId, string Period, DateTimeOffset SignedOffAt, DateTimeOffset ReleaseAt);

    /// <summary>The standing sign-offs of <paramref name="indicatorIds"/>: when each (indicator, period) was signed off and is released.</summary>
    internal static async Task<IReadOnlyDictionary<(Guid IndicatorId, string Period), StandingSignoff>> StandingAsync(DbConnection c,
        SqlDialect dialect, Guid partnershipId, IReadOnlyCollection<Guid> indicatorIds, CancellationToken ct)
    {
        if (indicatorIds.Count == 0) return new Dictionary<(Guid, string), StandingSignoff>();
        var rows = await c.QueryAsync<StandingRow>(new CommandDefinition($"""
            SELECT indicator_id AS IndicatorId, period AS Period, signed_off_at AS SignedOffAt, release_at AS ReleaseAt FROM observation_signoffs
            WHERE partnership_id = @partnershipId AND withdrawn_at IS NULL AND {dialect.InIds("indicator_id", "@ids")}
            """, new { partnershipId, ids = SqlDialect.IdList(indicatorIds) }, cancellationToken: ct));
        return rows.ToDictionary(r => (r.IndicatorId, r.Period), r => new StandingSignoff(r.SignedOffAt, r.ReleaseAt));
    }

    private sealed record ReleaseRow(Guid IndicatorId, string Indicator, string Name, string Period, DateTimeOffset ReleaseAt);

    /// <summary>The release calendar: standing sign-offs released within [from, to] (UTC instants), by release time then indicator
    /// code and period; for the public, only indicators it may read.</summary>
    public async Task<IReadOnlyList<Release>> CalendarAsync(Tenant tenant, DateTimeOffset from, DateTimeOffset to, PageRequest page,
        CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<ReleaseRow>(new CommandDefinition($"""
            SELECT s.indicator_id AS IndicatorId, i.code AS Indicator, i.name AS Name, s.period AS Period, s.release_at AS ReleaseAt
            FROM observation_signoffs s
            JOIN indicators i ON i.partnership_id = s.partnership_id AND i.id = s.indicator_id
            WHERE s.partnership_id = @PartnershipId AND s.withdrawn_at IS NULL AND s.release_at >= @from AND s.release_at < @to
              AND (@publicOnly = 0 OR s.indicator_id IN ({IndicatorQueries.PublicIndicatorIds}))
              AND (@AfterAt IS NULL OR s.release_at > @AfterAt OR (s.release_at = @AfterAt AND (i.code > @AfterCode
                   OR (i.code = @AfterCode AND s.period > @AfterPeriod))))
            ORDER BY s.release_at, i.code, s.period {db.Dialect.Limit}
            """, new
        {
            tenant.PartnershipId, partnershipId = tenant.PartnershipId, draft = IndicatorQueries.DraftStatus, from, to,
            publicOnly = tenant.Caller.IsAnonymous ? 1 : 0,
            AfterAt = page.After is null ? (DateTimeOffset?)null
                : DateTimeOffset.Parse(page.After[0], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind),
            AfterCode = page.After?[1],
            AfterPeriod = page.After?[2],
            Limit = page.Fetch,
        }, cancellationToken: ct));
        var now = clock.GetUtcNow();
        return rows.Select(r => new Release(r.IndicatorId, r.Indicator, r.Name, r.Period, r.ReleaseAt, r.ReleaseAt <= now)).ToList();
    }

    /// <summary>The calendar's cursor key: release time, indicator code, period.</summary>
    public static string[] Key(Release r) =>
        [r.ReleaseAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture), r.Indicator, r.Period];

    public static bool IsKey(string[] parts) => parts is [{ } at, { Length: > 0 }, { Length: > 0 }]
        && DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out _);
}
