using Csp.Api.Areas;
using Csp.Api.Infrastructure.Auth;

namespace Csp.Api.Demo;

/// <summary>
/// The London Borough of Southwark (E09000028) and its 23 wards, with their ONS GSS codes and names as ONS publishes them
/// ("Ward names and codes UK as at 05/25", as carried in postcodes.io's data/wards.json, whose regression tests place the
/// postcode SE1P 5ZZ in E05011104 of E09000028). The wards came into force at the local elections of 3 May 2018 (Southwark
/// Council, "Ward changes in Southwark"; Local Government Boundary Commission for England review, 2016) and were not
/// changed by the 2022 London re-warding.
/// </summary>
internal static class DemoAreas
{
    public const string Borough = "E09000028";

    /// <summary>The day the 2018 wards came into force.</summary>
    public static readonly DateOnly WardsFrom = new(2018, 5, 3);

    public static readonly IReadOnlyList<(string Code, string Name)> Wards =
    [
        ("E05011095", "Borough & Bankside"),
        ("E05011096", "Camberwell Green"),
        ("E05011097", "Champion Hill"),
        ("E05011098", "Chaucer"),
        ("E05011099", "Dulwich Hill"),
        ("E05011100", "Dulwich Village"),
        ("E05011101", "Dulwich Wood"),
        ("E05011102", "Faraday"),
        ("E05011103", "Goose Green"),
        ("E05011104", "London Bridge & West Bermondsey"),
        ("E05011105", "Newington"),
        ("E05011106", "North Bermondsey"),
        ("E05011107", "North Walworth"),
        ("E05011108", "Nunhead & Queen's Road"),
        ("E05011109", "Old Kent Road"),
        ("E05011110", "Peckham"),
        ("E05011111", "Peckham Rye"),
        ("E05011112", "Rotherhithe"),
        ("E05011113", "Rye Lane"),
        ("E05011114", "St George's"),
        ("E05011115", "St Giles"),
        ("E05011116", "South Bermondsey"),
        ("E05011117", "Surrey Docks"),
    ];

    /// <summary>Names the borough (the partnership's own area, registered with it) and registers its wards.</summary>
    public static async Task SeedAsync(Tenant admin, AreaQueries areas, CancellationToken ct)
    {
        DemoSeeder.Written(await areas.UpdateAsync(admin, Borough, new AreaUpdate("Southwark", AreaType.LocalAuthority, null, null, null), null, ct));
        foreach (var (code, name) in Wards)
            DemoSeeder.Written(await areas.CreateAsync(admin, new AreaRequest(code, name, AreaType.Ward, Borough, WardsFrom, null), ct));
    }
}
