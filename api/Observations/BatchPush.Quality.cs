using System.Data.Common;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Quality;

namespace Csp.Api.Observations;

/// <summary>The batch push's data-quality warnings (<see cref="PushQuality"/>), taken once the rows have passed their checks.</summary>
public sealed partial class BatchPush
{
    /// <summary>The warnings of the accepted rows; with <c>failOn=warnings</c> each becomes a conflict of the same code, and the rows
    /// with one are no longer accepted. <paramref name="changeToken"/>: the partnership's change token if already read in
    /// <paramref name="tx"/>.</summary>
    private static async Task<(List<Accepted> Accepted, List<ObservationWarning> Warnings, HistoryLease? Lease)> WarnAsync(PushQuality quality, DbConnection c,
        DbTransaction? tx, Tenant tenant, List<Accepted> accepted, bool failOn, List<ObservationConflict> conflicts, long? changeToken,
        CancellationToken ct)
    {
        var (warnings, lease) = await quality.CheckAsync(c, tx, tenant,
            accepted.ConvertAll(a => new PushedValue(a.Index, a.Key.IndicatorId, a.Period, a.Key.Area, a.Value, a.Delete)), ct, changeToken);
        if (!failOn || warnings.Count == 0) return (accepted, warnings, lease);
        foreach (var w in warnings) conflicts.Add(new ObservationConflict(w.Index, "value", ConflictOf(w.Code), w.Message));
        var warned = warnings.Select(w => w.Index).ToHashSet();
        return (accepted.FindAll(a => !warned.Contains(a.Index)), [], lease);
    }

    /// <summary>Tells the push's lease on the history cache what the push wrote and the change token it left (after its audit
    /// events, before the commit).</summary>
    private static void Remember(HistoryLease? lease, Plan plan, long changeToken)
    {
        if (lease is null) return;
        var written = new List<WrittenValue>(plan.Inserts.Count + plan.Updates.Count + plan.Deletes.Count);
        foreach (var r in plan.Inserts) written.Add(new WrittenValue(r.IndicatorId, r.Period, r.Area, r.Value));
        foreach (var r in plan.Updates) written.Add(new WrittenValue(r.IndicatorId, r.Period, r.Area, r.Value));
        foreach (var r in plan.Deletes) written.Add(new WrittenValue(r.IndicatorId, r.Period, r.Area, null));
        lease.Written(written, changeToken);
    }

    private static ConflictCode ConflictOf(WarningCode code) => code switch
    {
        WarningCode.OutsideBounds => ConflictCode.OutsideBounds,
        WarningCode.Outlier => ConflictCode.Outlier,
        WarningCode.LargeChange => ConflictCode.LargeChange,
        _ => ConflictCode.RuleViolation,
    };
}
