using Csp.Api.Agencies;
using Csp.Api.Alignments;
using Csp.Api.Audit;
using Csp.Api.Clients;
using Csp.Api.Commitments;
using Csp.Api.Frameworks;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Partnerships;
using Csp.Api.Plans;
using Csp.Api.Priorities;
using Dapper;

namespace Csp.Api.Demo;

/// <summary>
/// Seeds the Southwark CSP demo (from the Southwark Overview and Scrutiny Committee's minute on the partnership's priorities
/// and refreshed plan) on an empty database, through the same query classes the API uses, in one transaction: a seed
/// interrupted (a crash, a kill) leaves no partial demo, and the next start seeds it whole. Refused outside Development.
/// </summary>
public sealed partial class DemoSeeder(Db db, AuditedWriter writer, IHostEnvironment environment, TimeProvider clock, ILogger<DemoSeeder> logger,
    PartnershipQueries partnerships, AgencyQueries agencies, ClientQueries clients, PlanQueries plans,
    PriorityQueries priorities, CommitmentQueries commitments, FrameworkQueries frameworks, AlignmentQueries alignments,
    Indicators.IndicatorQueries indicators, Observations.BatchPush push, PlanRefresh refresh, Areas.AreaQueries areas,
    Quality.ValidationRuleQueries rules)
{
    public const string Slug = "southwark";

    public void SeedIfEmpty() => SeedIfEmptyAsync(CancellationToken.None).GetAwaiter().GetResult();

    public async Task<bool> SeedIfEmptyAsync(CancellationToken ct)
    {
        if (!environment.IsDevelopment())
            throw new InvalidOperationException($"Demo data is only seeded in Development, not in {environment.EnvironmentName}.");
        await using (var c = await db.OpenPlatformAsync(ct)) // "is the database empty?" asks about every partnership
        {
            if (await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM partnerships", cancellationToken: ct)) > 0)
                return false;
        }

        var request = new PartnershipRequest(Slug, "Southwark Community Safety Partnership", "E09000028", PublicRead: true,
            PublicRelease: new Publication.PublicRelease(RequireSignoff: true, "09:30", "Europe/London", EmbargoDays: 1));
        var admin = new Tenant(Ids.New(), request.Slug, request.AreaCode, request.PublicRead, Caller.Platform);
        await writer.AllOrNothingAsync(admin, w => SeedAsync(w, admin, request, ct), ct);
        Log.Seeded(logger);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Information, "Seeded the Southwark demo partnership; demo keys are listed in README.md.")]
        public static partial void Seeded(ILogger logger);
    }

    private async Task<bool> SeedAsync(WriteUnit w, Tenant admin, PartnershipRequest request, CancellationToken ct)
    {
        Written(await partnerships.CreateAsync(request, ct, admin.PartnershipId));
        await DemoAreas.SeedAsync(admin, areas, ct);

        async Task<Guid> Agency(string code, string name, AgencyKind kind) =>
            Written(await agencies.CreateAsync(admin, new AgencyRequest(code, name, kind), ct)).Id;
        var council = await Agency("SBC", "Southwark Council", AgencyKind.LocalAuthority);
        var met = await Agency("MET-CS", "Metropolitan Police, Central South BCU", AgencyKind.Police);
        var icb = await Agency("SEL-ICB", "NHS South East London Integrated Care Board", AgencyKind.Health);
        var probation = await Agency("PROBATION", "Probation Service, Southwark Probation Delivery Unit", AgencyKind.Probation);
        var lfb = await Agency("LFB", "London Fire Brigade", AgencyKind.FireRescue);
        var cgl = await Agency("CGL", "Change Grow Live", AgencyKind.Voluntary);

        async Task<Guid> Key(string name, Guid? agency, string key, params string[] scopes) =>
            Written(await clients.InsertAsync(admin, name, agency, scopes, ApiKeys.KeyIdOf(key)!, ApiKeys.Hash(key), ct)).Id;
        await Key("Demo admin", null, DemoKeys.Admin, Scopes.Admin);
        await Key("Demo council portal (read only)", null, DemoKeys.Reader, Scopes.Read);
        var officerId = await Key("Demo CSP officer", council, DemoKeys.PlansWriter, Scopes.Read, Scopes.PlansWrite);
        // Progress is recorded by the officer's key, as in the service: the report names who wrote each update.
        var officer = admin with { Caller = new Caller(officerId, admin.PartnershipId, council, new HashSet<string> { Scopes.Read, Scopes.PlansWrite }, false) };
        await Key("Met CONNECT extract", met, DemoKeys.PoliceFeed, Scopes.Read, Scopes.ObservationsWrite, Scopes.ObservationsSignoff);
        await Key("SEL ICB data warehouse", icb, DemoKeys.NhsFeed, Scopes.Read, Scopes.ObservationsWrite, Scopes.ObservationsSignoff);

        // The current plan covers the financial year that contains today, so /plans/current answers; last year's plan, which it
        // refreshed, is archived, so the report, the diff and year-on-year figures have something to show.
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        // The seed does not know when or where the partnership approved its plans: approved today, by the partnership, no minute.
        var approval = new PlanApprovalRequest("Southwark Community Safety Partnership", today);
        var fyStart = new DateOnly(today.Month >= 4 ? today.Year : today.Year - 1, 4, 1);
        var lastStart = fyStart.AddYears(-1);
        static string Title(DateOnly start) => $"Southwark Community Safety Partnership Plan {start.Year}–{(start.Year + 1) % 100:D2}";

        var last = Written(await plans.CreateAsync(admin, new PlanRequest(Title(lastStart), lastStart, fyStart.AddDays(-1),
            DemoText.LastSummary, DemoText.LastFindings), ct));
        var priorityByCode = new Dictionary<string, Guid>();
        foreach (var (code, title, description, lead, actions) in Priorities(council, met, icb, probation, lfb, cgl, lastYear: true))
        {
            var priority = Written(await priorities.CreateAsync(admin, last.Id, new PriorityRequest(code, title, description, lead, null), ct));
            priorityByCode[code] = priority.Id;
            foreach (var a in actions)
            {
                var commitment = Written(await commitments.CreateAsync(admin, priority.Id, new CommitmentRequest(
                    a.Code, a.Title, a.Description, a.Lead, a.Partners, lastStart, Due(lastStart, a)), ct));
                if (a.Status is { } status)
                    Written(await commitments.AddUpdateAsync(officer, commitment.Id, new CommitmentUpdateRequest(status, a.Commentary!), ct));
            }
        }
        await DemoIndicators.SeedAsync(admin, new Dictionary<string, Guid> { ["MET-CS"] = met, ["SEL-ICB"] = icb }, priorityByCode,
            indicators, rules, push, today, fyStart.AddYears(1).AddMonths(-1), ct);
        await DemoPublication.SeedAsync(w, clock.GetUtcNow());
        await SeedFrameworksAsync(w, admin, last.Id, ct);
        Written(await plans.ApproveAsync(admin, last.Id, approval, null, ct));

        // This year's plan: last year's refreshed (dates a year on, finished work left behind), then edited by officers.
        var refreshed = Written(await refresh.RefreshAsync(admin, last.Id, new PlanRefreshRequest(Title(fyStart), fyStart, fyStart.AddYears(1).AddDays(-1),
            null, null), ct));
        var plan = refreshed.Plan;
        Written(await plans.UpdateAsync(admin, plan.Id, new PlanRequest(plan.Title, plan.PeriodStart, plan.PeriodEnd, DemoText.Summary, DemoText.Findings),
            null, ct));
        async Task<Dictionary<string, Guid>> Codes(string sql) =>
            (await w.QueryAsync<CodeId>(sql, new { p = admin.PartnershipId, planId = plan.Id })).ToDictionary(x => x.Code, x => x.Id);
        var current = await Codes("SELECT code AS Code, id AS Id FROM priorities WHERE partnership_id = @p AND plan_id = @planId");
        var currentCommitments = await Codes("""
            SELECT cm.code AS Code, cm.id AS Id FROM commitments cm JOIN priorities p ON p.partnership_id = cm.partnership_id AND p.id = cm.priority_id
            WHERE cm.partnership_id = @p AND p.plan_id = @planId
            """);
        foreach (var (code, title, description, lead, actions) in Priorities(council, met, icb, probation, lfb, cgl, lastYear: false))
        {
            Written(await priorities.UpdateAsync(admin, current[code], new PriorityRequest(code, title, description, lead, null), null, ct));
            foreach (var a in actions)
            {
                var edit = new CommitmentRequest(a.Code, a.Title, a.Description, a.Lead, a.Partners, fyStart, Due(fyStart, a));
                var id = currentCommitments.TryGetValue(a.Code, out var existing)
                    ? Written(await commitments.UpdateAsync(admin, existing, edit, null, ct)).Id
                    : Written(await commitments.CreateAsync(admin, current[code], edit, ct)).Id;
                if (a.Status is { } status)
                    Written(await commitments.AddUpdateAsync(officer, id, new CommitmentUpdateRequest(status, a.Commentary!), ct));
            }
        }
        Written(await plans.ArchiveAsync(admin, last.Id, null, ct));
        Written(await plans.ApproveAsync(admin, plan.Id, approval, null, ct));
        return true;
    }

    /// <summary>When a commitment is due: months into the plan's year, or at its end.</summary>
    private static DateOnly Due(DateOnly start, Action a) => start.AddMonths(a.DueInMonths ?? 12).AddDays(-1);

    /// <summary>The written row; a demo write that is refused is a bug in the demo, not data to skip.</summary>
    internal static T Written<T>(WriteResult<T> result) =>
        result.Refusal is { } refused ? throw new InvalidOperationException($"A demo write was refused ({refused.Status}): {refused.Message}") : result.Value!;

    private sealed record Action(string Code, string Title, string? Description, Guid Lead, Guid[] Partners,
        CommitmentStatus? Status = null, string? Commentary = null, int? DueInMonths = null);

    /// <summary>The plan's priorities and commitments: this year's, or (<paramref name="lastYear"/>) last year's, which differ as a
    /// refreshed plan does (a priority reworded, two commitments finished, one added, progress of its own).</summary>
    private static IEnumerable<(string, string, string, Guid, Action[])> Priorities(Guid council, Guid met, Guid icb, Guid probation, Guid lfb, Guid cgl,
        bool lastYear) => lastYear ? LastYear(council, met, icb, probation, lfb, cgl) : ThisYear(council, met, icb, probation, lfb, cgl);

    private static IEnumerable<(string, string, string, Guid, Action[])> LastYear(Guid council, Guid met, Guid icb, Guid probation, Guid lfb, Guid cgl) =>
    [
        ("P1", "Tackling violence against women and girls and promoting women's safety",
            "VAWG and misogyny, online and offline, and women's safety at night.", council,
            [
                new("VAWG-1", "Advertise the 71 night-time safety spaces", "Make the borough's 71 night-time safety spaces and youth services better known.",
                    council, [met], CommitmentStatus.OnTrack, "Venues signed up; signage designed with young people."),
                new("VAWG-2", "Scrutiny of the VAWG forum's work and events", "Overview and Scrutiny Committee to assess the VAWG forum's work and events progress.",
                    council, [met, icb], CommitmentStatus.AtRisk, "Forum's terms of reference awaiting senior officers' approval."),
            ]),
        ("P2", "Reducing violence and vulnerability",
            "Robbery and theft of personal items on street, knife crime, exploitation of young people.", met,
            [
                new("VIOL-1", "\"Look up, look out\" phone-theft posters in several languages", "Posters at hotspots, TikTok drives and a dedicated e-newsletter.",
                    met, [council], CommitmentStatus.OnTrack, "Designs tested with residents; translations commissioned."),
                new("VIOL-2", "Priority policing of robbery hotspots", "Focus on the north-west of the borough and the Dulwich area.",
                    met, [council], CommitmentStatus.OnTrack, "Hotspot patrols running in Walworth and Peckham."),
                new("VIOL-3", "Community Payback projects", "The probation delivery unit supervises 1,300 people in custody and the community; several payback projects.",
                    probation, [council], CommitmentStatus.OnTrack, "Four estate clean-up projects delivered."),
                new("VIOL-4", "Weapons sweeps with youth services", "Joint sweeps of parks and estates where knives have been hidden.",
                    met, [council], CommitmentStatus.Completed, "Sweeps completed in twelve parks; findings shared with schools."),
            ]),
        ("P3", "Reducing drug-related harm",
            "The Southwark Drug Action Plan: supply routes and demand, treatment and street drinking.", council,
            [
                new("DRUG-1", "Tackle drug supply routes", "Southwark Drug Action Plan supply strand; dealing on estates reported to police.",
                    met, [council], CommitmentStatus.OnTrack, "Two county lines closed."),
                new("DRUG-2", "Reduce demand through campaigns and treatment", "Public health campaigns and treatment services provided by Change Grow Live.",
                    cgl, [icb, council], CommitmentStatus.OnTrack, "Treatment referrals up on last quarter."),
                new("DRUG-3", "Street drinking in Camberwell and Camberwell Green", null, council, [met, cgl], CommitmentStatus.AtRisk,
                    "Outreach capacity reduced over the winter."),
            ]),
        ("P4", "Increasing trust and confidence in policing",
            "Local accountability after the Casey Review; engagement led by communities.", met,
            [
                new("TRUST-1", "Policing Oversight Board with diverse local representation", null, council, [met], CommitmentStatus.OnTrack, "Board established; first meeting held."),
                new("TRUST-2", "Guidelines for responsible use of live facial recognition", "Civil liberties impact; centrally controlled team in pilot phase.", met, [council]),
                new("TRUST-3", "Community-led engagement events", "Empowering the public through community-led events (cabinet paper).", council, [met],
                    CommitmentStatus.OnTrack, "Cabinet paper agreed."),
            ]),
        ("P5", "Creating safe and sociable estates and neighbourhoods",
            "Anti-social behaviour, estates and public spaces.", council,
            [
                new("EST-1", "Community wardens with body-worn cameras", "Investment in wardens, mainly a protective presence.", council, [met],
                    CommitmentStatus.OnTrack, "Cameras procured; training under way."),
                new("EST-2", "CCTV on estates", "Residential buildings where residents report drug use; evidence for prosecutions.", council, [met]),
                new("EST-3", "Third-party crime reporting by housing officers", "Council housing officers report crime to the police.", council, [met, lfb]),
                new("EST-4", "Estate walkabouts with residents", "Quarterly walkabouts with residents, housing officers and police.", council, [met, lfb],
                    CommitmentStatus.Completed, "Walkabouts held on every estate; actions logged."),
            ]),
    ];

    private static IEnumerable<(string, string, string, Guid, Action[])> ThisYear(Guid council, Guid met, Guid icb, Guid probation, Guid lfb, Guid cgl) =>
    [
        ("P1", "Tackling violence against women and girls and promoting women's safety",
            "VAWG and misogyny, online and offline, and women's safety at night.", council,
            [
                new("VAWG-1", "Advertise the 71 night-time safety spaces", "Make the borough's 71 night-time safety spaces and youth services better known.",
                    council, [met], CommitmentStatus.OnTrack, "Spaces mapped; a campaign with venues is being prepared."),
                new("VAWG-2", "Scrutiny of the VAWG forum's work and events", "Overview and Scrutiny Committee to assess the VAWG forum's work and events progress.",
                    council, [met, icb]),
            ]),
        ("P2", "Reducing and preventing violence and vulnerability",
            "Robbery and theft of personal items on street, knife crime, exploitation of young people.", met,
            [
                new("VIOL-1", "\"Look up, look out\" phone-theft posters in several languages", "Posters at hotspots, TikTok drives and a dedicated e-newsletter.",
                    met, [council], CommitmentStatus.OnTrack, "Posters printed in five languages; first hotspots covered."),
                new("VIOL-2", "Priority policing of robbery hotspots", "Focus on the north-west of the borough and the Dulwich area.",
                    met, [council], CommitmentStatus.AtRisk, "Abstractions to pan-London operations reduced patrol hours.", DueInMonths: 6),
                new("VIOL-3", "Community Payback projects", "The probation delivery unit supervises 1,300 people in custody and the community; several payback projects.",
                    probation, [council]),
            ]),
        ("P3", "Reducing drug-related harm",
            "The Southwark Drug Action Plan: supply routes and demand, treatment and street drinking.", council,
            [
                new("DRUG-1", "Tackle drug supply routes", "Southwark Drug Action Plan supply strand; dealing on estates reported to police.",
                    met, [council]),
                new("DRUG-2", "Reduce demand through campaigns and treatment", "Public health campaigns and treatment services provided by Change Grow Live.",
                    cgl, [icb, council], CommitmentStatus.OnTrack, "Treatment referrals up on last quarter."),
                new("DRUG-3", "Street drinking in Camberwell and Camberwell Green", null, council, [met, cgl], CommitmentStatus.OffTrack,
                    "Public Spaces Protection Order consultation delayed; reports of street drinking up in Camberwell Green."),
            ]),
        ("P4", "Increasing trust and confidence in policing",
            "Local accountability after the Casey Review; engagement led by communities.", met,
            [
                new("TRUST-1", "Policing Oversight Board with diverse local representation", null, council, [met], CommitmentStatus.OnTrack, "Board met twice; membership widened."),
                new("TRUST-2", "Guidelines for responsible use of live facial recognition", "Civil liberties impact; centrally controlled team in pilot phase.", met, [council]),
                new("TRUST-3", "Community-led engagement events", "Empowering the public through community-led events (cabinet paper).", council, [met]),
                new("TRUST-4", "Final CSP plan back to Overview and Scrutiny Committee", null, council, []),
            ]),
        ("P5", "Creating safe and sociable estates and neighbourhoods",
            "Anti-social behaviour, estates and public spaces.", council,
            [
                new("EST-1", "Community wardens with body-worn cameras", "Investment in wardens, mainly a protective presence.", council, [met],
                    CommitmentStatus.Completed, "Body-worn cameras issued to all wardens."),
                new("EST-2", "CCTV on estates", "Residential buildings where residents report drug use; evidence for prosecutions.", council, [met]),
                new("EST-3", "Third-party crime reporting by housing officers", "Council housing officers report crime to the police.", council, [met, lfb]),
            ]),
    ];

    /// <summary>Southwark 2030 and the Police and Crime Plan 2025–29, with the plan's priorities and commitments aligned to them.
    /// "A strong and fair economy" is left without alignments on purpose: the coverage report shows it as a gap.</summary>
    private async Task SeedFrameworksAsync(WriteUnit w, Tenant admin, Guid planId, CancellationToken ct)
    {
        async Task<Dictionary<string, Guid>> Framework(FrameworkRequest request, params (string Code, string Title, string? Description)[] outcomes)
        {
            var framework = Written(await frameworks.CreateAsync(admin, request, ct));
            var ids = new Dictionary<string, Guid>();
            foreach (var (code, title, description) in outcomes)
                ids[code] = Written(await frameworks.CreateOutcomeAsync(admin, framework.Id, new OutcomeRequest(code, title, description, null), ct)).Id;
            return ids;
        }

        var s2030 = await Framework(new FrameworkRequest("S2030", "Southwark 2030", "Southwark Council", null, "https://www.southwark.gov.uk/southwark-2030"),
            ("S2030-1", "Decent homes for all", "Good quality, affordable homes and well-kept estates."),
            ("S2030-2", "A good start in life", "Children and young people are safe, healthy and supported."),
            ("S2030-3", "A safer Southwark", "Less crime and anti-social behaviour; everyone feels safe."),
            ("S2030-4", "A strong and fair economy", "Good jobs and opportunities for everyone."),
            ("S2030-5", "Staying well", "People live healthier lives for longer."),
            ("S2030-6", "A healthy environment", "Clean air, green spaces and a borough ready for climate change."));
        var pcp = await Framework(new FrameworkRequest("PCP", "Police and Crime Plan 2025–29", "Mayor's Office for Policing and Crime", null,
                "https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime/police-and-crime-plan"),
            ("PCP-1", "Reducing violence and criminal exploitation", null),
            ("PCP-2", "Building safer, more confident communities", null),
            ("PCP-3", "Supporting and overseeing reform of the Met", null),
            ("PCP-4", "Improving the criminal justice system and supporting victims", null!));

        // Read inside the seed's own unit: nothing of it is committed yet.
        async Task<Dictionary<string, Guid>> Codes(string sql) =>
            (await w.QueryAsync<CodeId>(sql, new { p = admin.PartnershipId, planId })).ToDictionary(x => x.Code, x => x.Id);
        var priorityIds = await Codes("SELECT code AS Code, id AS Id FROM priorities WHERE partnership_id = @p AND plan_id = @planId");
        var commitmentIds = await Codes("""
            SELECT cm.code AS Code, cm.id AS Id FROM commitments cm JOIN priorities p ON p.partnership_id = cm.partnership_id AND p.id = cm.priority_id
            WHERE cm.partnership_id = @p AND p.plan_id = @planId
            """);
        var indicatorIds = await Codes("SELECT code AS Code, id AS Id FROM indicators WHERE partnership_id = @p");

        async Task Align(Guid outcomeId, string target, string rationale)
        {
            var request = priorityIds.TryGetValue(target, out var id) ? new AlignmentRequest(outcomeId, id, null, null, rationale)
                : commitmentIds.TryGetValue(target, out id) ? new AlignmentRequest(outcomeId, null, id, null, rationale)
                : indicatorIds.TryGetValue(target, out id) ? new AlignmentRequest(outcomeId, null, null, id, rationale)
                : throw new InvalidOperationException($"The demo has no priority, commitment or indicator '{target}' to align.");
            Written(await alignments.CreateAsync(admin, request, ct));
        }

        await Align(s2030["S2030-3"], "P1", "Women's and girls' safety at home, online and at night is central to a safer Southwark.");
        await Align(pcp["PCP-1"], "P1", "VAWG is a form of violence the Police and Crime Plan prioritises.");
        await Align(pcp["PCP-4"], "P1", "Supporting victims of VAWG through the justice system.");
        await Align(s2030["S2030-2"], "VAWG-1", "Safe spaces at night and youth services help young people stay safe.");
        await Align(s2030["S2030-3"], "P2", "Robbery, knife crime and exploitation are the crimes residents most fear.");
        await Align(pcp["PCP-1"], "P2", "Reducing violence and the criminal exploitation of young people.");
        await Align(pcp["PCP-4"], "VIOL-3", "Community Payback is part of how offenders make amends and the justice system earns confidence.");
        await Align(s2030["S2030-5"], "P3", "Drug treatment and prevention keep people well.");
        await Align(s2030["S2030-5"], "DRUG-2", "Treatment by Change Grow Live and public health campaigns.");
        await Align(pcp["PCP-1"], "DRUG-1", "Drug supply routes drive exploitation and violence.");
        await Align(pcp["PCP-2"], "P4", "Trust in policing is the core of confident communities.");
        await Align(pcp["PCP-3"], "TRUST-1", "Local oversight of Met reform after the Casey Review.");
        await Align(pcp["PCP-3"], "TRUST-2", "Responsible, accountable use of live facial recognition.");
        await Align(s2030["S2030-1"], "P5", "Safe estates are part of a decent home.");
        await Align(s2030["S2030-1"], "EST-2", "CCTV where residents report drug use in their buildings.");
        await Align(pcp["PCP-2"], "P5", "Wardens and visible presence make neighbourhoods feel safer.");
        await Align(s2030["S2030-6"], "EST-1", "Wardens tackle environmental anti-social behaviour in public spaces.");
        await Align(s2030["S2030-3"], "ROB-PERSONAL", "Personal robbery is a headline measure of a safer Southwark.");
        await Align(pcp["PCP-1"], "KNIFE-INJURY", "Knife crime with injury measures violence.");
        await Align(s2030["S2030-5"], "DRUG-COMPLETIONS", "Successful treatment completions measure recovery.");
        await Align(pcp["PCP-2"], "CONFIDENCE", "Public confidence in policing measures trust.");
    }

    private sealed record CodeId(string Code, Guid Id);
}
