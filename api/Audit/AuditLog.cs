using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Audit;

/// <summary>
/// Writes the audit event of a mutation inside the mutation's own transaction, so a change and its
/// record commit or roll back together. The same rows are the change feed.
/// </summary>
public static class AuditLog
{
    // Bookkeeping fields that change on every write and say nothing an auditor needs.
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal) { "Version", "CreatedAt", "UpdatedAt" };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new Infrastructure.UtcTimestampConverter() },
    };

    /// <summary>
    /// Field-by-field differences between two states of an entity (null before = created, null after
    /// = deleted). Empty when nothing an auditor would see has changed.
    /// </summary>
    public static JsonObject Diff<T>(T? before, T? after) where T : class
    {
        var changes = new JsonObject();
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (Ignored.Contains(property.Name) || property.GetIndexParameters().Length > 0) continue;
            var b = before is null ? null : JsonSerializer.SerializeToNode(property.GetValue(before), property.PropertyType, Json);
            var a = after is null ? null : JsonSerializer.SerializeToNode(property.GetValue(after), property.PropertyType, Json);
            if (before is not null && after is not null && JsonNode.DeepEquals(b, a)) continue;
            if (before is null && a is null) continue;
            if (after is null && b is null) continue;
            changes[JsonNamingPolicy.CamelCase.ConvertName(property.Name)] = new JsonObject { ["before"] = b, ["after"] = a };
        }
        return changes;
    }

    /// <summary>The largest <c>changes</c> an event keeps; a larger one is replaced by a note of its size (no event of this API
    /// comes near it: a text field is at most 4,000 characters, and an observation push lists at most <see cref="MaxListed"/>
    /// periods and areas).</summary>
    public const int MaxChangesBytes = 60 * 1024;

    /// <summary>The most periods (or areas) an observation event lists; a push that wrote more gives their count and range.</summary>
    public const int MaxListed = 500;

    /// <summary>A list of at most <see cref="MaxListed"/> codes, or, for more, <c>{count, first, last}</c>.</summary>
    public static void WriteListed(Utf8JsonWriter json, string name, IReadOnlyCollection<string> sorted)
    {
        if (sorted.Count <= MaxListed)
        {
            json.WriteStartArray(name);
            foreach (var code in sorted) json.WriteStringValue(code);
            json.WriteEndArray();
            return;
        }
        json.WriteStartObject(name);
        json.WriteNumber("count", sorted.Count);
        json.WriteString("first", sorted.First());
        json.WriteString("last", sorted.Last());
        json.WriteEndObject();
    }

    /// <summary>A timestamp as the API writes it (RFC 3339 UTC).</summary>
    public static void WriteTimestamp(Utf8JsonWriter json, DateTimeOffset at) => JsonSerializer.Serialize(json, at, Json);

    /// <summary>Records one event in the unit's transaction, as its caller at the unit's time; nothing for an update whose
    /// <paramref name="changes"/> are empty.</summary>
    public static async Task RecordAsync(WriteUnit w, string action, string entityType, Guid entityId, JsonObject changes)
    {
        if (changes.Count == 0 && action == AuditActions.Update) return;
        await RecordJsonAsync(w, action, entityType, entityId, changes.ToJsonString());
    }

    /// <summary>Records one event whose changes the caller has already written as a JSON object (the batch push, which
    /// writes thousands of entries and skips building them as nodes first).</summary>
    /// <remarks>
    /// The event is also the change feed's: it takes the partnership's next <c>feed_seq</c> (the partnership's writes take
    /// turns, so reading the last one and writing the next is safe) and names its parent and plan (<see cref="FeedParents"/>).
    /// One unit gives an entity one event in the feed, at the place of its first: later events of the same entity in the unit
    /// are in the audit trail only (a create then an update shows as the create), a create then a delete shows as nothing at
    /// all, and an update then a delete as the delete. Observation events are never merged: each names its own periods and
    /// areas.
    /// </remarks>
    /// <param name="period">With <paramref name="area"/>: the one observation of the indicator <paramref name="entityId"/> the
    /// event is about (a retraction's tombstone); null for every other event.</param>
    /// <param name="area">The observation's area (see <paramref name="period"/>).</param>
    /// <param name="touched">For an observation create or update event: the periods and the areas of the values it wrote.</param>
    public static async Task RecordJsonAsync(WriteUnit w, string action, string entityType, Guid entityId, string changes, string? period = null,
        string? area = null, (IEnumerable<string> Periods, IEnumerable<string> Areas)? touched = null)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(changes) > MaxChangesBytes)
            changes = JsonSerializer.Serialize(new { omitted = new { bytes = System.Text.Encoding.UTF8.GetByteCount(changes) } });
        var op = AuditActions.OpOf(action);
        long? feedSeq = await w.ScalarAsync<long>(
            "SELECT COALESCE(MAX(feed_seq), 0) + 1 FROM audit_events WHERE partnership_id = @PartnershipId", new { w.PartnershipId });
        if (entityType != EntityTypes.Observation)
        {
            var key = (w.PartnershipId, entityType, entityId);
            if (w.FeedEvents.TryGetValue(key, out var earlier))
            {
                // The entity keeps the place of its first event in this unit (a plan's create stays before its priorities'),
                // and this one is in the audit trail only. A delete after a create removes both; after an update, the
                // first event becomes the delete.
                feedSeq = null;
                if (op == AuditActions.Delete)
                {
                    if (earlier.FirstOp == AuditActions.Create)
                    {
                        await w.ExecuteAsync("UPDATE audit_events SET feed_seq = NULL WHERE partnership_id = @PartnershipId AND feed_seq = @FeedSeq",
                            new { w.PartnershipId, earlier.FeedSeq });
                        w.FeedEvents.Remove(key);
                    }
                    else
                        await w.ExecuteAsync("UPDATE audit_events SET op = @op WHERE partnership_id = @PartnershipId AND feed_seq = @FeedSeq",
                            new { w.PartnershipId, earlier.FeedSeq, op });
                }
            }
            else if (feedSeq is { } taken) w.FeedEvents[key] = (taken, op);
        }

        var (parentId, planId) = await FeedParents.OfAsync(w, entityType, entityId);
        await w.ExecuteAsync("""
            INSERT INTO audit_events (partnership_id, at, client_id, action, op, entity_type, entity_id, changes, period, area, feed_seq,
                                      parent_id, plan_id, periods, areas)
            VALUES (@partnershipId, @at, @clientId, @action, @op, @entityType, @entityId, @changes, @period, @area, @feedSeq,
                    @parentId, @planId, @periods, @areas)
            """, new
        {
            partnershipId = w.PartnershipId, at = w.Now, clientId = w.Tenant.Caller.ClientId, action, op,
            entityType, entityId, changes, period, area, feedSeq, parentId, planId,
            periods = Listed(touched?.Periods),
            areas = Listed(touched?.Areas),
        });
    }

    /// <summary>The change feed's list of codes, or null (the feed then names none: refetch the indicator) past <see cref="MaxListed"/>.</summary>
    private static string? Listed(IEnumerable<string>? codes)
    {
        var distinct = codes?.Distinct().Order(StringComparer.Ordinal).ToList();
        return distinct is null || distinct.Count > MaxListed ? null : JsonSerializer.Serialize(distinct);
    }
}

/// <summary>What a mutation did. The change feed reduces each to create, update or delete.</summary>
public static class AuditActions
{
    public const string Create = "create";
    public const string Update = "update";
    public const string Delete = "delete";
    public const string Approve = "approve";
    public const string Archive = "archive";
    public const string Revoke = "revoke";

    public static string OpOf(string action) => action switch
    {
        Create => "create",
        Delete => "delete",
        _ => "update",
    };
}

/// <summary>The entity types of audit events and the change feed.</summary>
public static class EntityTypes
{
    public const string Partnership = "partnership";
    public const string Agency = "agency";
    public const string Area = "area";
    public const string Client = "client";
    public const string Plan = "plan";
    public const string Priority = "priority";
    public const string Commitment = "commitment";
    public const string CommitmentUpdate = "commitment_update";
    public const string Indicator = "indicator";
    public const string Observation = "observation";
    public const string Framework = "framework";
    public const string Outcome = "outcome";
    public const string Alignment = "alignment";
    public const string ValidationRule = "validation_rule";
}
