using Csp.Api.Infrastructure.OpenApi;

namespace Csp.Api.Partnerships;

/// <summary>Bodies shown in the contract for the partnership endpoints (ExampleTests sends them to the service).</summary>
internal static class PartnershipExamples
{
    public static readonly Example<PartnershipRequest> Create = new("southwark", "Southwark's partnership, its approved plans readable without a key",
        new PartnershipRequest("southwark", "Southwark Community Safety Partnership", "E09000028", PublicRead: true));
}
