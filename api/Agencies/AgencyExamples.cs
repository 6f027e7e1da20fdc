using Csp.Api.Infrastructure.OpenApi;

namespace Csp.Api.Agencies;

/// <summary>Bodies shown in the contract for the agency endpoints (ExampleTests sends them to the service).</summary>
internal static class AgencyExamples
{
    public static readonly Example<AgencyRequest> Create = new("met", "The police's local command unit",
        new AgencyRequest("MET-CS", "Metropolitan Police, Central South BCU", AgencyKind.Police));
}
