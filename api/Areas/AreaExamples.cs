using Csp.Api.Infrastructure.OpenApi;

namespace Csp.Api.Areas;

/// <summary>Bodies shown in the contract for the area endpoints (ExampleTests sends them to the service).</summary>
internal static class AreaExamples
{
    /// <summary>A Southwark ward as ONS names it (Ward names and codes UK; the wards came into force on 3 May 2018).</summary>
    public static readonly Example<AreaRequest> Create = new("ward", "A ward of the borough, valid since the 2018 boundary changes",
        new AreaRequest("E05011095", "Borough & Bankside", AreaType.Ward, "E09000028", new DateOnly(2018, 5, 3), null));
}
