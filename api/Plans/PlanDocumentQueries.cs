using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Csp.Api.Alignments;
using Csp.Api.Commitments;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Infrastructure.Observability;
using Csp.Api.Observations;
using Csp.Api.Priorities;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Csp.Api.Plans;

/// <summary>A plan document serialised once: its UTF-8 JSON (and its compressed forms), strong ETags, and the change token it
/// was read at.</summary>
/// <param name="Token">The partnership's change token read before the document was (so the document is at least that fresh).</param>
/// <param name="Body">The bytes, with ETags derived from a hash of them: they change exactly when the document does, and not when
/// something outside it does.</param>
/// <param name="ValidUntil">For the public shape: the next release time of a signed-off period, when the document (unchanged data)
/// would show more; null when none is due.</param>
public sealed record CachedPlanDocument(Guid PlanId, PlanStatus Status, long Token, PrecompressedBody Body, DateTimeOffset? ValidUntil = null);

/// <summary>
/// The whole plan as portals fetch it: read on one connection in a fixed number of queries (no N+1 whatever the plan's
/// size), serialised once and cached in memory per (partnership, plan) against the partnership's change token.
/// </summary>
/// <remarks>
/// The change token (TenantQueries.Resolution.ChangeToken) is the partnership's latest audit seq. Every mutation writes an
/// audit event in its own transaction, so any write anywhere in the partnership, in any process sharing the database,
/// raises it: a cached document is served only while the token has not moved since it was read, and is otherwise rebuilt.
/// The request already has the token from the middleware's single look-up, so a cached read costs that one round trip.
/// </remarks>
public sealed class PlanDocumentQueries(Db db, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, TimeProvider clock) : IDisposable
{
    private const long CacheBytes = 64L * 1024 * 1024;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = CacheBytes });

    private readonly JsonSerializerOptions options = json.Value.SerializerOptions;

    /// <summary>A singleton: the container disposes it (and its cache) when the service stops.</summary>
    public void Dispose() => cache.Dispose();

    private sealed record CurrentKey(Guid PartnershipId);

    private sealed record CurrentPlan(long Token, DateOnly Today, Guid? PlanId);

    /// <summary>The document of the plan at (or after) <paramref name="token"/>, from the cache when it is still valid.</summary>
    public async Task<CachedPlanDocument?> GetAsync(Tenant tenant, Guid planId, long token, CancellationToken ct)
    {
        // The public shape (PublicProjection) is other bytes with another ETag.
        var key = (tenant.PartnershipId, planId, tenant.Caller.IsAnonymous);
        if (cache.TryGetValue(key, out CachedPlanDocument? hit) && hit!.Token >= token && (hit.ValidUntil is not { } until || clock.GetUtcNow() < until))
        {
            CspTelemetry.PlanDocumentServedFromCache(tenant.Slug);
            return hit;
        }
        var started = Stopwatch.GetTimestamp();
        using var span = CspTelemetry.StartSpan("plan document rebuild", tenant.Slug);
        var (document, validUntil) = await LoadWithValidityAsync(tenant, planId, ct);
        if (document is null) return null;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(document, options);
        CspTelemetry.PlanDocumentRebuilt(tenant.Slug, Stopwatch.GetElapsedTime(started));
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16));
        var entry = new CachedPlanDocument(planId, document.Status, token, new PrecompressedBody(bytes, hash), validUntil);
        // The br and gzip forms are made later, on demand; JSON compresses to well under a quarter in either, so half the
        // document's size again covers both.
        cache.Set(key, entry, new MemoryCacheEntryOptions { Size = bytes.Length + bytes.Length / 2, SlidingExpiration = TimeSpan.FromMinutes(30) });
        return entry;
    }

    /// <summary>The id of the approved plan covering <paramref name="today"/>, remembered against the change token.</summary>
    public async Task<Guid?> CurrentIdAsync(Tenant tenant, DateOnly today, long token, PlanQueries plans, CancellationToken ct)
    {
        var key = new CurrentKey(tenant.PartnershipId);
        if (cache.TryGetValue(key, out CurrentPlan? hit) && hit!.Token >= token && hit.Today == today) return hit.PlanId;
        var id = await plans.CurrentIdAsync(tenant, today, ct);
        cache.Set(key, new CurrentPlan(token, today, id), new MemoryCacheEntryOptions { Size = 64, SlidingExpiration = TimeSpan.FromMinutes(30) });
        return id;
    }

    /// <summary>Reads the document: eleven queries on one connection, whatever the number of priorities, commitments and indicators
    /// (for the public, its indicators' figures as published: see <see cref="Publication.Publisher"/>).</summary>
    public async Task<PlanDocument?> LoadAsync(Tenant tenant, Guid planId, CancellationToken ct) => (await LoadWithValidityAsync(tenant, planId, ct)).Document;

    /// <summary>The document, and for the public until when it holds (<see cref="CachedPlanDocument.ValidUntil"/>).</summary>
    public async Task<(PlanDocument? Document, DateTimeOffset? ValidUntil)> LoadWithValidityAsync(Tenant tenant, Guid planId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var p = tenant.PartnershipId;
        var plan = await PlanQueries.GetAsync(c, null, p, planId, ct);
        if (plan is null) return (null, null);
        var priorities = await c.QueryAsync<Priority>(new CommandDefinition($"""
            SELECT {PriorityQueries.Columns} FROM priorities
            WHERE partnership_id = @p AND plan_id = @planId ORDER BY position, {db.Dialect.IdKey("id")}
            """, new { p, planId }, cancellationToken: ct));
        var commitments = (await CommitmentQueries.ListByPlanAsync(c, db.Dialect, p, planId, ct)).ToLookup(x => x.PriorityId);
        var indicators = await IndicatorQueries.ListForPlanAsync(c, db.Dialect, tenant, planId, null, ct);
        var (performance, validUntil) = await PerformanceAsync(c, tenant, indicators, ct);
        var alignments = await AlignmentQueries.ForPlanAsync(c, db.Dialect, p, planId, ct);
        var measuredBy = indicators.SelectMany(i => i.PriorityIds.Select(priorityId => (priorityId, i.Id))).ToLookup(x => x.priorityId, x => x.Id);
        return (new PlanDocument(plan.Id, plan.Title, plan.PeriodStart, plan.PeriodEnd, plan.Status, plan.ApprovedOn, plan.ApprovedBy,
            plan.SupersedesId, plan.Version, plan.CreatedAt, plan.UpdatedAt,
            priorities.Select(x => new PlanPriority(x.Id, x.Code, x.Title, x.Description, x.LeadAgencyId, x.Position, x.Version,
                commitments[x.Id].ToList(), measuredBy[x.Id].ToList())).ToList(),
            indicators.Select(i => new PlanIndicator(i, performance[i.Id].Latest, performance[i.Id].Performance)).ToList(),
            alignments, plan.Summary, plan.AssessmentFindings, plan.ApprovalMinuteUrl), validUntil);
    }

    /// <summary>Each indicator's latest value and performance in the partnership's area: as stored for keyed readers, as published
    /// for the public (with the next release time, until which that holds).</summary>
    private async Task<(IReadOnlyDictionary<Guid, (Observation? Latest, Performance Performance)>, DateTimeOffset?)> PerformanceAsync(
        System.Data.Common.DbConnection c, Tenant tenant, IReadOnlyList<Indicator> indicators, CancellationToken ct)
    {
        if (!tenant.Caller.IsAnonymous)
            return (await IndicatorQueries.PerformanceOfAsync(c, db.Dialect, tenant.PartnershipId, tenant.AreaCode, indicators, ct), null);
        var view = await Publication.Publisher.ViewAsync(c, db.Dialect, tenant, indicators.Select(i => i.Id).ToList(), clock.GetUtcNow(), ct);
        return (await Publication.Publisher.PerformanceAsync(c, db.Dialect, tenant, view, indicators, tenant.AreaCode, ct), view.NextRelease);
    }

    /// <summary>The plan's indicators with their latest observation and performance (for GET /plans/{id}/indicators).</summary>
    public async Task<IReadOnlyList<PlanIndicator>> IndicatorsAsync(Tenant tenant, Guid planId, Guid? priorityId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var indicators = await IndicatorQueries.ListForPlanAsync(c, db.Dialect, tenant, planId, priorityId, ct);
        var (performance, _) = await PerformanceAsync(c, tenant, indicators, ct);
        return indicators.Select(i => new PlanIndicator(i, performance[i.Id].Latest, performance[i.Id].Performance)).ToList();
    }
}
