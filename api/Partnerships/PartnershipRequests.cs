namespace Csp.Api.Partnerships;

/// <summary>Create a partnership (a tenant).</summary>
/// <param name="Slug">URL name, e.g. <c>southwark</c>: lower-case letters, digits and hyphens.</param>
/// <param name="Name">Display name.</param>
/// <param name="AreaCode">ONS GSS code of its area, e.g. <c>E09000028</c>; the default area of observations.</param>
/// <param name="PublicRead">Whether anyone may read its approved plans without a key.</param>
public sealed record PartnershipRequest(string Slug, string Name, string AreaCode, bool PublicRead = false);

/// <summary>Change a partnership's name, area or public read setting (the slug is permanent).</summary>
/// <param name="CorsOrigins">Browser origins (e.g. the council portal, <c>https://portal.example.gov.uk</c>) allowed to call
/// this partnership's routes from a web page. None by default: no CORS headers are sent. At most 20, each of at most 200
/// characters, and 2,000 characters in all.</param>
public sealed record PartnershipUpdate(string Name, string AreaCode, bool PublicRead, IReadOnlyList<string>? CorsOrigins = null);

/// <summary>A Community Safety Partnership.</summary>
public sealed record Partnership(Guid Id, string Slug, string Name, string AreaCode, bool PublicRead, IReadOnlyList<string> CorsOrigins,
    long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : Audit.IVersioned;
