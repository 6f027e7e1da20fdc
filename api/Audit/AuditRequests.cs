using System.Text.Json.Nodes;

namespace Csp.Api.Audit;

/// <summary>One audited mutation.</summary>
/// <param name="Seq">Position in the partnership's trail; increases in commit order.</param>
/// <param name="At">When the change was made (UTC).</param>
/// <param name="ClientId">The client whose key made the change; null for the operator's platform key.</param>
/// <param name="Action"><c>create</c>, <c>update</c>, <c>delete</c>, <c>approve</c>, <c>archive</c> or <c>revoke</c>.</param>
/// <param name="EntityType">What was changed: <c>partnership</c>, <c>agency</c>, <c>client</c>, <c>plan</c>, <c>priority</c>,
/// <c>commitment</c>, <c>commitment_update</c>, <c>indicator</c>, <c>observation</c>, <c>framework</c>, <c>outcome</c> or
/// <c>alignment</c>.</param>
/// <param name="EntityId">The id of the entity changed.</param>
/// <param name="Changes">Changed fields by JSON name, each with its value before and after: <c>{ "title": { "before": …, "after": … } }</c>
/// (before is null on create, after is null on delete). An <c>observation</c> update (a push's values of one indicator) holds
/// counts instead of each value: <c>{ "created": n, "updated": n, "periods": […], "areas": […], "revisions": { "count": n,
/// "revisedAt": … } }</c>, where a list of more than 500 codes is <c>{ "count", "first", "last" }</c> and the revisions are those
/// of the indicator with that <c>revisedAt</c> (<c>GET /indicators/{id}/observations/{period}/revisions</c>), the complete record
/// of every value before and after. No event is over 64 KB.</param>
public sealed record AuditEvent(long Seq, DateTimeOffset At, Guid? ClientId, string Action, string EntityType, Guid EntityId, JsonObject Changes);
