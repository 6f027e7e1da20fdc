using Csp.Api.Infrastructure.OpenApi;

namespace Csp.Api.Indicators;

/// <summary>Bodies shown in the contract for the indicator endpoints (ExampleTests sends them to the service).</summary>
internal static class IndicatorExamples
{
    public static readonly Example<IndicatorRequest> Create = new("personal-robbery", "A monthly count the police push, measuring the violence priority",
        new IndicatorRequest("ROB-PERSONAL", "Personal robbery", "Robbery of personal property recorded by the Met in Southwark (CONNECT).",
            IndicatorUnit.Count, IndicatorDirection.Decrease, IndicatorFrequency.Monthly, ExampleIds.Met, [ExampleIds.Priority],
            Baseline: new PeriodValue(224, "2024-03"), Target: new PeriodValue(190, "2026-03"),
            Definition: "Count of personal robbery offences recorded by the Metropolitan Police in the area during the month.",
            SourceSystem: "CONNECT",
            Breaks: [new BreakInput("2024-02", "The Met moved crime recording from CRIS to CONNECT on 28 February 2024.")]));
}
