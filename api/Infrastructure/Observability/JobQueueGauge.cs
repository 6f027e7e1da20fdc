using System.Diagnostics.Metrics;

namespace Csp.Api.Infrastructure.Observability;

/// <summary>What a queue of asynchronous jobs reports to <c>csp.jobs.queued</c>: register one as a singleton
/// (<c>services.AddSingleton&lt;IJobQueueDepth, MyQueue&gt;()</c>) and the gauge reads it at every collection.</summary>
public interface IJobQueueDepth
{
    /// <summary>The kind of job this queue holds (the <c>csp.job.kind</c> tag).</summary>
    string Kind { get; }

    /// <summary>Jobs accepted and not yet started.</summary>
    long Queued { get; }
}

/// <summary>
/// The gauge <c>csp.jobs.queued</c>: one measurement per registered <see cref="IJobQueueDepth"/>, none while no queue is
/// registered (a series that is absent rather than a zero nobody measured). The queues are looked up at collection time,
/// so a queue may itself depend on anything, metrics included.
/// </summary>
public sealed class JobQueueGauge : IDisposable
{
    private readonly Meter meter;

    public JobQueueGauge(IMeterFactory meters, IServiceProvider services)
    {
        // A meter of this host's own (the factory disposes it with the host), so the callback never outlives the container.
        meter = meters.Create(CspTelemetry.Name);
        meter.CreateObservableGauge("csp.jobs.queued", () => Observe(services), "{job}",
            "Asynchronous jobs accepted and not yet started, by kind.");
    }

    private static IEnumerable<Measurement<long>> Observe(IServiceProvider services)
    {
        foreach (var queue in services.GetServices<IJobQueueDepth>())
            yield return new Measurement<long>(queue.Queued, new KeyValuePair<string, object?>("csp.job.kind", queue.Kind));
    }

    public void Dispose() => meter.Dispose();
}
