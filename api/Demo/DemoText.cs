namespace Csp.Api.Demo;

/// <summary>The demo plans' summaries and strategic assessment findings, drawn from the Southwark Overview and Scrutiny Committee
/// minute; labelled as demo data, since the figures around them are illustrative.</summary>
internal static class DemoText
{
    private const string Label = "Demo data: this plan and its figures are illustrative, drawn from a scrutiny committee minute, not official statistics.";

    public const string LastSummary = """
        The Southwark Community Safety Partnership brings together the council, the Metropolitan Police, London Fire Brigade, the
        Probation Service, NHS South East London and Change Grow Live to make the borough safer. This plan sets out five priorities
        and the commitments through which partners deliver them, measured by seven indicators reported to the partnership board.

        """ + Label;

    public const string LastFindings = """
        Robbery and theft of personal items on street are concentrated in the north-west of the borough, with a rise in the Dulwich area.
        Violence against women and girls, including online abuse, remains under-reported.
        Drug supply on estates drives exploitation of young people and anti-social behaviour.
        Public confidence in policing fell after the Casey Review.
        """;

    public const string Summary = """
        The refreshed plan keeps the partnership's five priorities and carries forward the work still under way. New this year: the
        final plan returns to the Overview and Scrutiny Committee, and priority policing of robbery hotspots is due by the autumn.
        Weapons sweeps and estate walkabouts, completed last year, are now part of business as usual.

        Progress is reported to each meeting of the committee: what is off track or at risk, how the indicators compare with their
        targets, and which Southwark 2030 and Police and Crime Plan outcomes the plan does not yet reach.

        """ + Label;

    public const string Findings = """
        Personal robbery and theft from the person fell over the year but remain above target in the north-west of the borough.
        VAWG offences are falling slowly; the VAWG forum's scrutiny is still to be scheduled.
        Street drinking in Camberwell and Camberwell Green is the residents' most reported concern.
        Public confidence that police do a good job locally is below target and not yet improving.
        Successful drug treatment completions are rising towards target.
        """;
}
