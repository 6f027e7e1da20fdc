using Csp.Api.Infrastructure.OpenApi;

namespace Csp.Api.Plans;

/// <summary>Bodies shown in the contract for the plan endpoints (ExampleTests sends them to the service).</summary>
internal static class PlanExamples
{
    public static readonly Example<PlanRequest> Create = new("plan-2025-26", "A draft plan for the 2025–26 financial year",
        new PlanRequest("Southwark Community Safety Partnership Plan 2025–26", new DateOnly(2025, 4, 1), new DateOnly(2026, 3, 31),
            "Five priorities the council, the Met, the fire brigade, probation and the NHS deliver together.\n\nProgress goes to each meeting of the Overview and Scrutiny Committee.",
            "Robbery is concentrated in the north-west of the borough.\nViolence against women and girls remains under-reported."));

    public static readonly Example<PlanApprovalRequest> Approve = new("board-decision", "Approved at a meeting of the partnership's board",
        new PlanApprovalRequest("Community Safety Partnership Board", new DateOnly(2025, 3, 20),
            "https://www.example.gov.uk/committees/csp-board/2025-03-20/minutes"));

    public static readonly Example<PlanRefreshRequest> Refresh = new("next-year", "The approved 2025–26 plan into a 2026–27 draft, one commitment keeping its status",
        new PlanRefreshRequest("Southwark Community Safety Partnership Plan 2026–27", new DateOnly(2026, 4, 1), new DateOnly(2027, 3, 31),
            [ExampleIds.Commitment], CarryOverAll: null));
}
