using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Demo;

/// <summary>
/// The demo's publication history: the partnership releases signed-off figures only (<c>publicRelease.requireSignoff</c>), and every
/// seeded month of every indicator was signed off by its source agency's feed key ten days after the month ended (or two days ago,
/// for the latest months) and has been released since — so the public sees the seeded series, and a value pushed now waits for
/// its own sign-off and release.
/// </summary>
internal static class DemoPublication
{
    private sealed record PeriodRow(Guid IndicatorId, string Period, DateOnly PeriodEnd, Guid SourceAgencyId);

    private sealed record ClientRow(Guid Id, Guid AgencyId);

    public static async Task SeedAsync(WriteUnit w, DateTimeOffset now)
    {
        var periods = await w.QueryAsync<PeriodRow>("""
            SELECT DISTINCT o.indicator_id AS IndicatorId, o.period AS Period, o.period_end AS PeriodEnd, i.source_agency_id AS SourceAgencyId
            FROM observations o JOIN indicators i ON i.partnership_id = o.partnership_id AND i.id = o.indicator_id
            WHERE o.partnership_id = @PartnershipId
            """, new { w.PartnershipId });
        var feedKeys = (await w.QueryAsync<ClientRow>(
                "SELECT id AS Id, agency_id AS AgencyId FROM clients WHERE partnership_id = @PartnershipId AND agency_id IS NOT NULL",
                new { w.PartnershipId }))
            .GroupBy(c => c.AgencyId).ToDictionary(g => g.Key, g => g.First().Id);
        foreach (var p in periods)
        {
            var tenDaysOn = new DateTimeOffset(p.PeriodEnd.AddDays(10).ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);
            var signedOffAt = tenDaysOn < now.AddDays(-2) ? tenDaysOn : now.AddDays(-2);
            // Released when signed off: seeded history, already public.
            await w.ExecuteAsync("""
                INSERT INTO observation_signoffs (partnership_id, indicator_id, period, signed_off_at, signed_off_by, release_at, version)
                VALUES (@PartnershipId, @IndicatorId, @Period, @signedOffAt, @by, @signedOffAt, 1)
                """, new { w.PartnershipId, p.IndicatorId, p.Period, signedOffAt, by = feedKeys.GetValueOrDefault(p.SourceAgencyId) });
        }
    }
}
