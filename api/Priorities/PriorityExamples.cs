using Csp.Api.Infrastructure.OpenApi;

namespace Csp.Api.Priorities;

/// <summary>Bodies shown in the contract for the priority endpoints (ExampleTests sends them to the service).</summary>
internal static class PriorityExamples
{
    public static readonly Example<PriorityRequest> Create = new("violence", "A priority led by the police, placed after the plan's others",
        new PriorityRequest("P2", "Reducing and preventing violence and vulnerability",
            "Robbery and theft of personal items on the street, knife crime, and the exploitation of young people.", ExampleIds.Met, Position: null));
}
