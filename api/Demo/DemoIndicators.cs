using Csp.Api.Indicators;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Observations;
using Csp.Api.Quality;

namespace Csp.Api.Demo;

/// <summary>
/// The demo's indicators (DOMAIN.md: personal robbery, theft from the person, VAWG offences, knife crime with injury, drug
/// treatment completions %, public confidence %, ASB calls), each with the 24 months before this one for the borough (so the
/// year before last year's plan can be compared), pushed through the batch push as a feed would (the last two months
/// provisional). Each has a baseline (its first month), a target for the end of this year's plan and a definition in plain
/// words; the Met's recorded crime carries the break of its move to CONNECT. Figures are illustrative, not official, and their
/// notes say so. For data quality, each has plausible bounds and its source agency's due days (the Met's monthly extract 10 days
/// after the month, the ICB's warehouse 20), knife crime with injury may not exceed knife crime (a validation rule), and the ICB
/// is behind: its last two months have not arrived, so /completeness/overdue names them.
/// </summary>
internal static class DemoIndicators
{
    private sealed record Demo(string Code, string Name, IndicatorUnit Unit, IndicatorDirection Direction, string SourceAgency, string Priority,
        decimal Start, decimal MonthlyStep, decimal? Target, string Definition, string? SourceSystem = null, bool RecordedCrime = false,
        IndicatorBounds? Bounds = null);

    /// <summary>Days after a month ends by which each source agency's figures are due.</summary>
    private static readonly Dictionary<string, int> DueDays = new() { ["MET-CS"] = 10, ["SEL-ICB"] = 20 };

    /// <summary>The agency that is behind, and by how many months.</summary>
    private const string LateAgency = "SEL-ICB";

    public const int LateMonths = 2;

    /// <summary>Knife crime with injury is part of knife crime (the Home Office's knife and sharp instrument offences).</summary>
    public static readonly ValidationRuleRequest KnifeRule = new("KNIFE-INJURY-LE-KNIFE",
        "Knife crime with injury is a part of knife crime, so it is never more.", "KNIFE-INJURY", RuleOperator.LessThanOrEqualTo, "KNIFE-CRIME");

    /// <summary>The Met replaced CRIS with CONNECT on 28 February 2024 (Met FOI 01.FOI.25.042468), so its recorded crime before
    /// and after that month are not compared.</summary>
    private static readonly BreakInput Connect = new("2024-02", "The Met moved crime recording from CRIS to CONNECT on 28 February 2024.");

    private static readonly Demo[] All =
    [
        new("ROB-PERSONAL", "Personal robbery offences", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P2", 182, -1, 150,
            "Count of personal robbery offences recorded by the Metropolitan Police in the area during the month.", "CONNECT", RecordedCrime: true,
            Bounds: new(0, 450)),
        new("THEFT-PERSON", "Theft from the person offences", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P2", 410, -2, 350,
            "Count of theft from the person offences recorded by the Metropolitan Police in the area during the month.", "CONNECT",
            RecordedCrime: true, Bounds: new(0, 1000)),
        new("VAWG-OFFENCES", "Violence against women and girls offences", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P1", 265, -0.5m, 240,
            "Count of violence against women and girls offences recorded by the Metropolitan Police in the area during the month.", "CONNECT",
            RecordedCrime: true, Bounds: new(0, 650)),
        new("KNIFE-INJURY", "Knife crime with injury (victims under 25 and over)", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P2", 21, -0.25m, 16,
            "Count of knife crime offences with injury recorded by the Metropolitan Police in the area during the month.", "CONNECT",
            RecordedCrime: true, Bounds: new(0, 60)),
        new("KNIFE-CRIME", "Knife crime offences", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P2", 64, -0.5m, 52,
            "Count of offences recorded by the Metropolitan Police in the area during the month in which a knife or sharp instrument was " +
            "used or threatened (homicide, attempted murder, threats to kill, assault with injury or with intent to cause serious harm, " +
            "robbery, rape and sexual assault); knife crime with injury is a part of it.", "CONNECT", RecordedCrime: true, Bounds: new(0, 160)),
        new("DRUG-COMPLETIONS", "Successful drug treatment completions", IndicatorUnit.Percent, IndicatorDirection.Increase, "SEL-ICB", "P3", 18.4m, 0.15m, 22,
            "Percentage of people in drug treatment in the area who completed their treatment successfully, for the month.",
            Bounds: new(5, 45)),
        new("CONFIDENCE", "Public confidence that police do a good job locally", IndicatorUnit.Percent, IndicatorDirection.Increase, "MET-CS", "P4", 64.5m, -0.12m, 70,
            "Percentage of people surveyed in the area who say the police do a good job in their local area, for the month.",
            Bounds: new(35, 95)),
        new("ASB-CALLS", "Anti-social behaviour calls to police", IndicatorUnit.Count, IndicatorDirection.Decrease, "MET-CS", "P5", 1250, -4.5m, 1100,
            "Count of calls to the Metropolitan Police about anti-social behaviour in the area during the month.",
            Bounds: new(0, 3000)),
    ];

    /// <summary>Months of values each indicator has: the 24 before this one.</summary>
    public const int Months = 24;

    public static async Task SeedAsync(Tenant admin, IReadOnlyDictionary<string, Guid> agencies, IReadOnlyDictionary<string, Guid> priorities,
        IndicatorQueries indicators, ValidationRuleQueries rules, BatchPush push, DateOnly today, DateOnly targetMonth, CancellationToken ct)
    {
        var first = new DateOnly(today.Year, today.Month, 1).AddMonths(-Months);
        var rows = new List<ObservationInput>();
        foreach (var d in All)
        {
            DemoSeeder.Written(await indicators.CreateAsync(admin, new IndicatorRequest(d.Code, d.Name, null, d.Unit, d.Direction, IndicatorFrequency.Monthly,
                agencies[d.SourceAgency], [priorities[d.Priority]], new PeriodValue(d.Start, $"{first:yyyy-MM}"), null,
                d.Target is { } target ? [new TargetInput(null, $"{targetMonth:yyyy-MM}", target)] : [],
                Definition: d.Definition, SourceSystem: d.SourceSystem, Breaks: d.RecordedCrime ? [Connect] : [], Bounds: d.Bounds,
                DueDays: DueDays[d.SourceAgency]), ct));
            for (var m = 0; m < (d.SourceAgency == LateAgency ? Months - LateMonths : Months); m++)
            {
                var month = first.AddMonths(m);
                // A gentle trend with a seasonal wobble, rounded as the unit needs.
                var raw = d.Start + d.MonthlyStep * m + (m % 3 - 1) * Math.Abs(d.MonthlyStep) * 2;
                var value = d.Unit == IndicatorUnit.Count ? Math.Max(0, Math.Round(raw)) : Math.Round(raw, 1);
                rows.Add(new ObservationInput(d.Code, $"{month:yyyy-MM}", "E09000028", value,
                    m >= Months - 2 ? ObservationStatus.Provisional : ObservationStatus.Final, "Demo data (illustrative)"));
            }
        }
        DemoSeeder.Written(await rules.CreateAsync(admin, KnifeRule, ct));
        var result = DemoSeeder.Written(await push.PushAsync(admin, rows, new PushOptions(null, true, null), ct));
        if (result.Status != BatchStatus.Ok)
            throw new InvalidOperationException($"The demo observations were refused: {string.Join("; ", result.Conflicts.Select(c => c.Message))}");
    }
}
