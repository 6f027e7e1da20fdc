using Csp.Api.Infrastructure.OpenApi;

namespace Csp.Api.Commitments;

/// <summary>Bodies shown in the contract for the commitment endpoints (ExampleTests sends them to the service).</summary>
internal static class CommitmentExamples
{
    public static readonly Example<CommitmentRequest> Create = new("phone-theft", "A police-led action with the council as partner",
        new CommitmentRequest("P2-C1", "\"Look up, look out\" phone-theft posters in several languages",
            "Posters at hotspots, a social media drive and a dedicated e-newsletter.", ExampleIds.Met, [ExampleIds.Council],
            new DateOnly(2025, 4, 1), new DateOnly(2025, 9, 30)));

    public static readonly Example<CommitmentUpdateRequest> Update = new("on-track", "An officer's progress report",
        new CommitmentUpdateRequest(CommitmentStatus.OnTrack, "Posters are up at the ten hotspots; translations into four languages are with the printer.",
            Author: "Community Safety Manager", AsAt: new DateOnly(2025, 6, 30), PercentComplete: 60));
}
