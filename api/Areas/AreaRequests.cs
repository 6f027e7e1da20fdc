using System.Text.Json.Serialization;
using Csp.Api.Infrastructure;

namespace Csp.Api.Areas;

/// <summary>What kind of area it is.</summary>
[JsonConverter(typeof(StringEnumConverter<AreaType>))]
public enum AreaType
{
    [JsonStringEnumMemberName("local_authority")] LocalAuthority,
    [JsonStringEnumMemberName("ward")] Ward,
    [JsonStringEnumMemberName("lsoa")] Lsoa,
    [JsonStringEnumMemberName("other")] Other,
}

/// <summary>Register an area the partnership reports on.</summary>
/// <param name="Code">Its ONS GSS code (<c>^[EWSN][0-9]{8}$</c>), e.g. the ward <c>E05011095</c>; unique in the partnership and permanent.</param>
/// <param name="Name">Its name as ONS publishes it, e.g. "Borough &amp; Bankside"; 1–200 characters.</param>
/// <param name="Type"><c>local_authority</c>, <c>ward</c>, <c>lsoa</c> or <c>other</c>.</param>
/// <param name="ParentCode">The GSS code of the area it lies in (e.g. a ward's borough), already registered; optional.</param>
/// <param name="ValidFrom">The first day the area exists (e.g. the day new ward boundaries came into force); optional (always).</param>
/// <param name="ValidTo">The last day the area exists; optional (still in force). On or after validFrom.</param>
public sealed record AreaRequest(string Code, string Name, AreaType? Type, string? ParentCode, DateOnly? ValidFrom, DateOnly? ValidTo);

/// <summary>Replace an area's details (its code is permanent).</summary>
/// <param name="Name">Its name as ONS publishes it; 1–200 characters.</param>
/// <param name="Type"><c>local_authority</c>, <c>ward</c>, <c>lsoa</c> or <c>other</c>.</param>
/// <param name="ParentCode">The GSS code of the area it lies in, already registered and not the area itself or one inside it;
/// optional.</param>
/// <param name="ValidFrom">The first day the area exists; optional (always).</param>
/// <param name="ValidTo">The last day the area exists; optional (still in force). On or after validFrom.</param>
public sealed record AreaUpdate(string Name, AreaType? Type, string? ParentCode, DateOnly? ValidFrom, DateOnly? ValidTo);

/// <summary>An area the partnership reports on: its own area, or a ward, LSOA or other area within it.</summary>
/// <param name="Code">ONS GSS code, e.g. <c>E05011095</c>; observations name their area by it.</param>
/// <param name="Name">Its name, e.g. "Borough &amp; Bankside".</param>
/// <param name="Type"><c>local_authority</c>, <c>ward</c>, <c>lsoa</c> or <c>other</c>.</param>
/// <param name="ParentCode">The GSS code of the area it lies in; null when none is registered.</param>
/// <param name="ValidFrom">The first day the area exists; null: always.</param>
/// <param name="ValidTo">The last day the area exists; null: still in force.</param>
public sealed record Area(Guid Id, string Code, string Name, AreaType Type, string? ParentCode, DateOnly? ValidFrom, DateOnly? ValidTo,
    [property: WithheldFromPublic] long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : Audit.IVersioned
{
    /// <summary>Whether the area exists for at least part of the days <paramref name="start"/>–<paramref name="end"/>.</summary>
    public bool OverlapsPeriod(DateOnly start, DateOnly end) => (ValidFrom is null || ValidFrom <= end) && (ValidTo is null || ValidTo >= start);
}
