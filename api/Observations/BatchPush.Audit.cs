using System.Buffers;
using System.Text;
using System.Text.Json;
using Csp.Api.Audit;
using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Observations;

/// <summary>The batch push's audit events (split from BatchPush.cs).</summary>
public sealed partial class BatchPush
{
    /// <summary>
    /// One audit event per indicator the batch created or changed values of (entity <c>observation</c>, id = the indicator's
    /// id), holding counts, the periods and areas it wrote and a reference to its revisions (the complete record of every
    /// value change), never each value inline: an event stays small whatever the push's size (<see cref="AuditLog.MaxListed"/>),
    /// and a portal following the change feed refetches just those indicators' values. Each retraction is a delete event of
    /// its own (a tombstone) that names its period and area, so a portal drops exactly that value.
    /// </summary>
    private static async Task RecordAuditAsync(WriteUnit w, Plan plan)
    {
        var touched = new Dictionary<Guid, (int Created, int Updated, SortedSet<string> Periods, SortedSet<string> Areas)>();
        void Touch(Guid indicatorId, string period, string area, bool created)
        {
            if (!touched.TryGetValue(indicatorId, out var t)) t = (0, 0, new(StringComparer.Ordinal), new(StringComparer.Ordinal));
            t.Periods.Add(period);
            t.Areas.Add(area);
            touched[indicatorId] = created ? t with { Created = t.Created + 1 } : t with { Updated = t.Updated + 1 };
        }
        foreach (var row in plan.Inserts) Touch(row.IndicatorId, row.Period, row.Area, created: true);
        foreach (var r in plan.Revisions.Where(r => !r.Retracted)) Touch(r.IndicatorId, r.Period, r.Area, created: false);
        foreach (var (indicatorId, t) in touched)
        {
            var buffer = new ArrayBufferWriter<byte>(1024);
            await using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber("created", t.Created);
                json.WriteNumber("updated", t.Updated);
                AuditLog.WriteListed(json, "periods", t.Periods);
                AuditLog.WriteListed(json, "areas", t.Areas);
                if (t.Updated > 0)
                {
                    // The revisions this event made: those of the indicator revised at the event's own time (GET
                    // /indicators/{id}/observations/{period}/revisions shows each value's).
                    json.WriteStartObject("revisions");
                    json.WriteNumber("count", t.Updated);
                    json.WritePropertyName("revisedAt");
                    AuditLog.WriteTimestamp(json, w.Now);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            await AuditLog.RecordJsonAsync(w, AuditActions.Update, EntityTypes.Observation, indicatorId, Encoding.UTF8.GetString(buffer.WrittenSpan),
                touched: (t.Periods, t.Areas));
        }
        foreach (var r in plan.Revisions.Where(r => r.Retracted))
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            await using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteStartObject($"{r.Period}|{r.Area}");
                json.WriteStartObject("before");
                json.WriteNumber("value", r.OldValue);
                json.WriteString("status", r.OldStatus);
                if (r.OldNote is null) json.WriteNull("note"); else json.WriteString("note", r.OldNote);
                json.WriteEndObject();
                json.WriteNull("after");
                json.WriteEndObject();
                json.WriteEndObject();
            }
            await AuditLog.RecordJsonAsync(w, AuditActions.Delete, EntityTypes.Observation, r.IndicatorId, Encoding.UTF8.GetString(buffer.WrittenSpan),
                r.Period, r.Area);
        }
    }
}
