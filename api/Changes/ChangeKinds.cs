using System.Text.Json.Serialization;
using Csp.Api.Infrastructure;

namespace Csp.Api.Changes;

/// <summary>What an event of the change feed is about. Each is fetched at its own path by its id, except
/// <c>observation</c> (the values of the indicator the event names) and <c>commitment_update</c> (listed under its
/// commitment, the event's parent).</summary>
[JsonConverter(typeof(StringEnumConverter<ChangeEntityType>))]
public enum ChangeEntityType
{
    [JsonStringEnumMemberName("partnership")] Partnership,
    [JsonStringEnumMemberName("agency")] Agency,
    [JsonStringEnumMemberName("area")] Area,
    [JsonStringEnumMemberName("client")] Client,
    [JsonStringEnumMemberName("plan")] Plan,
    [JsonStringEnumMemberName("priority")] Priority,
    [JsonStringEnumMemberName("commitment")] Commitment,
    [JsonStringEnumMemberName("commitment_update")] CommitmentUpdate,
    [JsonStringEnumMemberName("indicator")] Indicator,
    [JsonStringEnumMemberName("observation")] Observation,
    [JsonStringEnumMemberName("framework")] Framework,
    [JsonStringEnumMemberName("outcome")] Outcome,
    [JsonStringEnumMemberName("alignment")] Alignment,
    [JsonStringEnumMemberName("validation_rule")] ValidationRule,
}

/// <summary>What happened to the entity: <c>create</c> and <c>update</c> (fetch it again), <c>delete</c> (a tombstone:
/// drop your copy).</summary>
[JsonConverter(typeof(StringEnumConverter<ChangeOp>))]
public enum ChangeOp
{
    [JsonStringEnumMemberName("create")] Create,
    [JsonStringEnumMemberName("update")] Update,
    [JsonStringEnumMemberName("delete")] Delete,
}
