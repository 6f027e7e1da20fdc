using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Csp.Api.Infrastructure.Observability;

/// <summary>
/// The service's own spans and metrics (docs/observability.md lists them for dashboards). The instruments are static because
/// the places that record them include <see cref="Data.Db"/>, which is built by a factory outside dependency injection; the
/// OpenTelemetry SDK listens to them by the meter's name, so every host in the process sees them. Recording costs nothing
/// until a listener (the Prometheus or OTLP exporter) subscribes, and the tag overloads used here allocate nothing.
/// </summary>
public static class CspTelemetry
{
    /// <summary>The name of the service's <see cref="ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string Name = "Csp.Api";

    /// <summary>The partnership's slug: one value per partnership, so the series count grows with the number of tenants and
    /// no faster.</summary>
    public const string PartnershipTag = "csp.partnership";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Upper bounds (seconds) for waits and rebuilds: a write turn is usually granted in well under a millisecond,
    /// and the busy timeout gives up at 30 s.</summary>
    private static readonly IReadOnlyList<double> SecondsBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly Counter<long> ObservationRows = Meter.CreateCounter<long>("csp.observations.pushed", "{row}",
        "Observation rows received by batch pushes that were not dry runs, by what became of each row (outcome).");

    private static readonly Counter<long> ObservationBatches = Meter.CreateCounter<long>("csp.observations.batches", "{batch}",
        "Batch pushes that were not dry runs, by the batch's status (ok, partial, rejected).");

    private static readonly Counter<long> PlanDocumentHits = Meter.CreateCounter<long>("csp.plan_documents.cache_hits", "{document}",
        "Whole-plan documents served from the in-memory cache (nothing changed in the partnership since they were built).");

    private static readonly Counter<long> PlanDocumentRebuilds = Meter.CreateCounter<long>("csp.plan_documents.rebuilt", "{document}",
        "Whole-plan documents read from the database and serialised again (first read, or a write in the partnership since).");

    private static readonly Histogram<double> PlanDocumentRebuildTime = Meter.CreateHistogram("csp.plan_documents.rebuild.duration", "s",
        "How long reading and serialising a whole-plan document took.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    private static readonly Histogram<double> WriteTurnWait = Meter.CreateHistogram("csp.db.write_turn.wait", "s",
        "How long a write waited to begin: for the process's write turn on SQLite, for the connection, the transaction and the " +
        "partnership's write lock on SQL Server (scope: partnership or platform).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    /// <summary>Records one batch push that ran (not a dry run): each row's outcome and the batch's status.</summary>
    public static void ObservationsPushed(string partnership, string status, int created, int updated, int unchanged, int rejected)
    {
        var p = new KeyValuePair<string, object?>(PartnershipTag, partnership);
        ObservationBatches.Add(1, p, new("csp.batch.status", status));
        if (created > 0) ObservationRows.Add(created, p, new("csp.outcome", "created"));
        if (updated > 0) ObservationRows.Add(updated, p, new("csp.outcome", "updated"));
        if (unchanged > 0) ObservationRows.Add(unchanged, p, new("csp.outcome", "unchanged"));
        if (rejected > 0) ObservationRows.Add(rejected, p, new("csp.outcome", "rejected"));
    }

    public static void PlanDocumentServedFromCache(string partnership) =>
        PlanDocumentHits.Add(1, new KeyValuePair<string, object?>(PartnershipTag, partnership));

    public static void PlanDocumentRebuilt(string partnership, TimeSpan took)
    {
        PlanDocumentRebuilds.Add(1, new KeyValuePair<string, object?>(PartnershipTag, partnership));
        PlanDocumentRebuildTime.Record(took.TotalSeconds);
    }

    /// <summary>Times the start of a write (<see cref="Data.Db.BeginWriteAsync(Auth.Tenant, CancellationToken)"/>) as a
    /// span and in <c>csp.db.write_turn.wait</c> when disposed.</summary>
    /// <param name="partnership">The partnership whose unit this is; null for the platform's own writes.</param>
    public static WriteTurnTiming TimeWriteTurn(string? partnership, string dbSystem) => new(partnership, dbSystem);

    /// <summary>A span for a step of the write path (null when nobody records traces).</summary>
    public static Activity? StartSpan(string name, string? partnership = null)
    {
        var activity = Source.StartActivity(name);
        if (activity is not null && partnership is not null) activity.SetTag(PartnershipTag, partnership);
        return activity;
    }

    /// <summary>See <see cref="TimeWriteTurn"/>.</summary>
    public readonly struct WriteTurnTiming : IDisposable
    {
        private readonly long started;
        private readonly Activity? activity;
        private readonly bool platform;

        internal WriteTurnTiming(string? partnership, string dbSystem)
        {
            started = Stopwatch.GetTimestamp();
            platform = partnership is null;
            activity = StartSpan("write turn", partnership);
            activity?.SetTag("db.system.name", dbSystem);
        }

        public void Dispose()
        {
            WriteTurnWait.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("csp.write.scope", platform ? "platform" : "partnership"));
            activity?.Dispose();
        }
    }
}
