using Csp.Api.Indicators;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Observations;

namespace Csp.Api.Demo;

/// <summary>
/// The demo's indicators (DOMAIN.md: personal robbery, theft from the person, VAWG offences, knife crime with injury, drug
/// treatment completions %, public confidence %, ASB calls), each with the twelve months before this one for the borough,
/// pushed through the batch push as a feed would (the last two months provisional). Figures are illustrative, not official.
/// </summary>
internal static class DemoIndicators
{
    private sealed record Demo(string Code, string Name, IndicatorUnit Unit, IndicatorDirection Direction, string SourceAgency, string Priority,
        decimal Start, decimal MonthlyStep, decimal? Target);

    private static readonly Demo[] All =
    [
        new("ROB-PERSONAL", "Personal robbery offences", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P2", 182, -2, 150),
        new("THEFT-PERSON", "Theft from the person offences", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P2", 410, -4, 350),
        new("VAWG-OFFENCES", "Violence against women and girls offences", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P1", 265, -1, 240),
        new("KNIFE-INJURY", "Knife crime with injury (victims under 25 and over)", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P2", 21, -0.5m, 15),
        new("DRUG-COMPLETIONS", "Successful drug treatment completions", IndicatorUnit.Percent, IndicatorDirection.Increase, "SEL-ICB", "P3", 18.4m, 0.2m, 22),
        new("CONFIDENCE", "Public confidence that police do a good job locally", IndicatorUnit.Percent, IndicatorDirection.Increase, "MET-CS", "P4", 61.5m, 0.3m, 68),
        new("ASB-CALLS", "Anti-social behaviour calls to police", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P5", 1250, -9, 1100),
    ];

    public static async Task SeedAsync(Tenant admin, IReadOnlyDictionary<string, Guid> agencies, IReadOnlyDictionary<string, Guid> priorities,
        IndicatorQueries indicators, BatchPush push, DateOnly today, CancellationToken ct)
    {
        var first = new DateOnly(today.Year, today.Month, 1).AddMonths(-12);
        var rows = new List<ObservationInput>();
        foreach (var d in All)
        {
            DemoSeeder.Written(await indicators.CreateAsync(admin, new IndicatorRequest(d.Code, d.Name, null, d.Unit, d.Direction, IndicatorFrequency.Monthly,
                agencies[d.SourceAgency], [priorities[d.Priority]], new PeriodValue(d.Start, $"{first:yyyy-MM}"), null,
                d.Target is { } target ? [new TargetInput(null, $"{first.AddMonths(11):yyyy-MM}", target)] : []), ct));
            for (var m = 0; m < 12; m++)
            {
                var month = first.AddMonths(m);
                // A gentle trend with a seasonal wobble, rounded as the unit needs.
                var raw = d.Start + d.MonthlyStep * m + (m % 3 - 1) * Math.Abs(d.MonthlyStep) * 2;
                var value = d.Unit == IndicatorUnit.Count ? Math.Max(0, Math.Round(raw)) : Math.Round(raw, 1);
                rows.Add(new ObservationInput(d.Code, $"{month:yyyy-MM}", "E09000028", value,
                    m >= 10 ? ObservationStatus.Provisional : ObservationStatus.Final, null));
            }
        }
        var result = DemoSeeder.Written(await push.PushAsync(admin, rows, new PushOptions(null, true, null), ct));
        if (result.Status != BatchStatus.Ok)
            throw new InvalidOperationException($"The demo observations were refused: {string.Join("; ", result.Conflicts.Select(c => c.Message))}");
    }
}
