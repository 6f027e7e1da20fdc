using System.Text.Json.Serialization;
using Csp.Api.Infrastructure;

namespace Csp.Api.Agencies;

/// <summary>What sort of body an agency is.</summary>
[JsonConverter(typeof(StringEnumConverter<AgencyKind>))]
public enum AgencyKind
{
    [JsonStringEnumMemberName("police")] Police,
    [JsonStringEnumMemberName("local_authority")] LocalAuthority,
    [JsonStringEnumMemberName("health")] Health,
    [JsonStringEnumMemberName("probation")] Probation,
    [JsonStringEnumMemberName("fire_rescue")] FireRescue,
    [JsonStringEnumMemberName("youth_justice")] YouthJustice,
    [JsonStringEnumMemberName("voluntary")] Voluntary,
    [JsonStringEnumMemberName("other")] Other,
}


/// <summary>Create or replace an agency.</summary>
/// <param name="Code">Short code, unique in the partnership, e.g. <c>MET-CS</c>: 1–32 upper-case letters, digits or hyphens, starting
/// with a letter or digit (<c>^[A-Z0-9][A-Z0-9-]{0,31}$</c>).</param>
/// <param name="Name">Display name, e.g. "Metropolitan Police, Central South BCU"; 1–200 characters.</param>
/// <param name="Kind">What sort of body it is.</param>
public sealed record AgencyRequest(string Code, string Name, AgencyKind? Kind);

/// <summary>A partner agency (council, police BCU, ICB, probation, …).</summary>
/// <param name="Code">Short code, unique in the partnership, e.g. <c>MET-CS</c>.</param>
/// <param name="Name">Display name.</param>
/// <param name="Kind">What sort of body it is.</param>
public sealed record Agency(Guid Id, string Code, string Name, [property: WithheldFromPublic] AgencyKind Kind, [property: WithheldFromPublic] long Version,
    [property: WithheldFromPublic] DateTimeOffset CreatedAt, [property: WithheldFromPublic] DateTimeOffset UpdatedAt)
    : Audit.IVersioned;
