using Csp.Api.Indicators;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Observations;

namespace Csp.Api.Demo;

/// <summary>
/// The demo's indicators (DOMAIN.md: personal robbery, theft from the person, VAWG offences, knife crime with injury, drug
/// treatment completions %, public confidence %, ASB calls), each with the 24 months before this one for the borough (so the
/// year before last year's plan can be compared), pushed through the batch push as a feed would (the last two months
/// provisional). Each has a baseline (its first month) and a target for the end of this year's plan. Figures are illustrative,
/// not official, and their notes say so.
/// </summary>
internal static class DemoIndicators
{
    private sealed record Demo(string Code, string Name, IndicatorUnit Unit, IndicatorDirection Direction, string SourceAgency, string Priority,
        decimal Start, decimal MonthlyStep, decimal? Target);

    private static readonly Demo[] All =
    [
        new("ROB-PERSONAL", "Personal robbery offences", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P2", 182, -1, 150),
        new("THEFT-PERSON", "Theft from the person offences", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P2", 410, -2, 350),
        new("VAWG-OFFENCES", "Violence against women and girls offences", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P1", 265, -0.5m, 240),
        new("KNIFE-INJURY", "Knife crime with injury (victims under 25 and over)", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P2", 21, -0.25m, 16),
        new("DRUG-COMPLETIONS", "Successful drug treatment completions", IndicatorUnit.Percent, IndicatorDirection.Increase, "SEL-ICB", "P3", 18.4m, 0.15m, 22),
        new("CONFIDENCE", "Public confidence that police do a good job locally", IndicatorUnit.Percent, IndicatorDirection.Increase, "MET-CS", "P4", 64.5m, -0.12m, 70),
        new("ASB-CALLS", "Anti-social behaviour calls to police", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P5", 1250, -4.5m, 1100),
    ];

    /// <summary>Months of values each indicator has: the 24 before this one.</summary>
    public const int Months = 24;

    public static async Task SeedAsync(Tenant admin, IReadOnlyDictionary<string, Guid> agencies, IReadOnlyDictionary<string, Guid> priorities,
        IndicatorQueries indicators, BatchPush push, DateOnly today, DateOnly targetMonth, CancellationToken ct)
    {
        var first = new DateOnly(today.Year, today.Month, 1).AddMonths(-Months);
        var rows = new List<ObservationInput>();
        foreach (var d in All)
        {
            DemoSeeder.Written(await indicators.CreateAsync(admin, new IndicatorRequest(d.Code, d.Name, null, d.Unit, d.Direction, IndicatorFrequency.Monthly,
                agencies[d.SourceAgency], [priorities[d.Priority]], new PeriodValue(d.Start, $"{first:yyyy-MM}"),
                d.Target is { } target ? new PeriodValue(target, $"{targetMonth:yyyy-MM}") : null), ct));
            for (var m = 0; m < Months; m++)
            {
                var month = first.AddMonths(m);
                // A gentle trend with a seasonal wobble, rounded as the unit needs.
                var raw = d.Start + d.MonthlyStep * m + (m % 3 - 1) * Math.Abs(d.MonthlyStep) * 2;
                var value = d.Unit == IndicatorUnit.Count ? Math.Max(0, Math.Round(raw)) : Math.Round(raw, 1);
                rows.Add(new ObservationInput(d.Code, $"{month:yyyy-MM}", "E09000028", value,
                    m >= Months - 2 ? ObservationStatus.Provisional : ObservationStatus.Final, "Demo data (illustrative)"));
            }
        }
        var result = DemoSeeder.Written(await push.PushAsync(admin, rows, new PushOptions(null, true, null), ct));
        if (result.Status != BatchStatus.Ok)
            throw new InvalidOperationException($"The demo observations were refused: {string.Join("; ", result.Conflicts.Select(c => c.Message))}");
    }
}
