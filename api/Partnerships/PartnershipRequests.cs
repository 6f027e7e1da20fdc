using System.Text.Json.Serialization;
using Csp.Api.Infrastructure;

namespace Csp.Api.Partnerships;

/// <summary>Whether the batch push checks each row's area against the partnership's registered areas: <c>strict</c> (only its
/// areas, each for periods within its validity: <c>area_outside_partnership</c>, <c>area_not_valid_for_period</c>) or <c>off</c>
/// (any well-formed GSS code, as before areas were registered).</summary>
[JsonConverter(typeof(StringEnumConverter<AreaCheck>))]
public enum AreaCheck
{
    [JsonStringEnumMemberName("strict")] Strict,
    [JsonStringEnumMemberName("off")] Off,
}

/// <summary>Create a partnership (a tenant).</summary>
/// <param name="Slug">URL name, e.g. <c>southwark</c>: 2–63 lower-case letters, digits or hyphens, starting with a letter or digit
/// (<c>^[a-z0-9][a-z0-9-]{1,62}$</c>); unique and permanent.</param>
/// <param name="Name">Display name, e.g. "Southwark Community Safety Partnership"; 1–200 characters.</param>
/// <param name="AreaCode">ONS GSS code of its area, e.g. <c>E09000028</c> (<c>^[EWSN]\d{8}$</c>); the default area of observations.</param>
/// <param name="PublicRead">Whether anyone may read its approved plans without a key; false when omitted.</param>
/// <param name="AreaCheck">Whether pushes may send only the partnership's registered areas; <c>strict</c> when omitted. Its own area is
/// registered with it (named after the partnership: rename it with PUT /areas/{areaCode}).</param>
/// <param name="PublicRelease">Whether public outputs wait for sign-off, and when signed-off figures are released; off when omitted.</param>
public sealed record PartnershipRequest(string Slug, string Name, string AreaCode, bool PublicRead = false, AreaCheck? AreaCheck = null,
    Publication.PublicRelease? PublicRelease = null);

/// <summary>Change a partnership's name, area or public read setting (the slug is permanent).</summary>
/// <param name="Name">Display name; 1–200 characters.</param>
/// <param name="AreaCode">ONS GSS code of its area, e.g. <c>E09000028</c> (<c>^[EWSN]\d{8}$</c>).</param>
/// <param name="PublicRead">Whether anyone may read its approved plans without a key; false when omitted (this replaces the
/// setting).</param>
/// <param name="CorsOrigins">Browser origins (e.g. the council portal, <c>https://portal.example.gov.uk</c>) allowed to call
/// this partnership's routes from a web page, each <c>scheme://host[:port]</c> (https, or http for localhost) without a path. None
/// on a new partnership: no CORS headers are sent. At most 20, each of at most 200 characters, and 2,000 characters in all (with a
/// space between origins). Omitted or null keeps the current list; an empty list removes them all.</param>
/// <param name="AreaCheck">Whether pushes may send only the partnership's registered areas (<c>strict</c>) or any GSS code
/// (<c>off</c>). Omitted or null keeps the current setting. A new area code is registered as an area if it is not one yet.</param>
/// <param name="PublicRelease">Whether public outputs wait for sign-off, and when signed-off figures are released. Omitted or null
/// keeps the current setting.</param>
public sealed record PartnershipUpdate(string Name, string AreaCode, bool PublicRead, IReadOnlyList<string>? CorsOrigins = null,
    AreaCheck? AreaCheck = null, Publication.PublicRelease? PublicRelease = null);

/// <summary>A Community Safety Partnership.</summary>
/// <param name="Slug">URL name, e.g. <c>southwark</c>; the <c>{partnership}</c> of every path.</param>
/// <param name="Name">Display name.</param>
/// <param name="AreaCode">ONS GSS code of its area; the default area of observations.</param>
/// <param name="PublicRead">Whether anyone may read its approved plans without a key.</param>
/// <param name="CorsOrigins">Browser origins allowed to call its routes from a web page (empty when none).</param>
/// <param name="AreaCheck"><c>strict</c>: pushes may send only its registered areas, each within its validity; <c>off</c>: any
/// well-formed GSS code (partnerships created before areas were registered start so).</param>
/// <param name="PublicRelease">Whether public outputs wait for sign-off, and when signed-off figures are released.</param>
public sealed record Partnership(Guid Id, string Slug, string Name, string AreaCode, bool PublicRead, IReadOnlyList<string> CorsOrigins,
    AreaCheck AreaCheck, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, Publication.PublicRelease PublicRelease) : Audit.IVersioned;
