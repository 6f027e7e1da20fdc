using Csp.Api.Infrastructure.OpenApi;

namespace Csp.Api.Frameworks;

/// <summary>Bodies shown in the contract for the framework endpoints (ExampleTests sends them to the service).</summary>
internal static class FrameworkExamples
{
    public static readonly Example<FrameworkRequest> Create = new("southwark-2030", "The council's borough strategy, which the plan aligns to",
        new FrameworkRequest("S2030", "Southwark 2030", "Southwark Council", AdoptedOn: null, "https://www.southwark.gov.uk/"));

    public static readonly Example<OutcomeRequest> CreateOutcome = new("safer", "One of the strategy's outcomes, placed after the others",
        new OutcomeRequest("S2030-3", "A safer Southwark", "Residents feel safe at home, on the street and online.", Position: null));
}
