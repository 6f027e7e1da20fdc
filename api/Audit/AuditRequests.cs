using System.Text.Json.Nodes;

namespace Csp.Api.Audit;

/// <summary>One audited mutation.</summary>
/// <param name="Seq">Position in the partnership's trail; increases in commit order.</param>
/// <param name="ClientId">The client whose key made the change (absent for the operator key).</param>
/// <param name="Action">create, update, delete, approve, archive or revoke.</param>
/// <param name="Changes">Changed fields: <c>{ "field": { "before": …, "after": … } }</c>.</param>
public sealed record AuditEvent(long Seq, DateTimeOffset At, Guid? ClientId, string Action, string EntityType, Guid EntityId, JsonObject Changes);
