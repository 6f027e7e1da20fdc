using Csp.Api.Infrastructure.OpenApi;

namespace Csp.Api.Alignments;

/// <summary>Bodies shown in the contract for the alignment endpoints (ExampleTests sends them to the service).</summary>
internal static class AlignmentExamples
{
    public static readonly Example<AlignmentRequest> Create = new("priority-to-outcome", "A priority of the plan contributing to a strategy outcome",
        new AlignmentRequest(ExampleIds.Outcome, ExampleIds.Priority, CommitmentId: null, IndicatorId: null,
            "Street robbery and knife crime are what residents name first when they say they do not feel safe."));
}
