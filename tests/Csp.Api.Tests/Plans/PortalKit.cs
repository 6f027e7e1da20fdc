using System.Net;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Plans;

/// <summary>A plan with priorities, commitments, indicators with observations, built through HTTP.</summary>
public sealed record PortalPlan(TestTenant Tenant, Guid PlanId, Guid AgencyId, Guid[] PriorityIds, Guid[] CommitmentIds, Guid[] IndicatorIds);

internal static class PortalKit
{
    /// <summary>A plan of <paramref name="priorities"/> priorities, each with <paramref name="commitmentsEach"/> commitments (every
    /// one with a progress update) and <paramref name="indicatorsEach"/> monthly indicators with three months of data.</summary>
    public static async Task<PortalPlan> BuildAsync(TestTenant t, int priorities, int commitmentsEach, int indicatorsEach, bool approve = false)
    {
        var met = await t.CreateAgencyAsync("MET");
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], met.Id());
        var plan = await t.CreatePlanAsync("Portal plan", "2025-04-01", "2026-03-31");
        var priorityIds = new List<Guid>();
        var commitmentIds = new List<Guid>();
        var indicatorIds = new List<Guid>();
        var rows = new List<object>();
        for (var p = 1; p <= priorities; p++)
        {
            var priority = await t.CreatePriorityAsync(plan.Id(), $"P{p}", $"Priority {p}");
            priorityIds.Add(priority.Id());
            for (var c = 1; c <= commitmentsEach; c++)
            {
                var commitment = await t.CreateCommitmentAsync(priority.Id(), $"P{p}-C{c}", $"Commitment {p}.{c}", met.Id(), [met.Id()],
                    "2025-04-01", "2026-03-31");
                commitmentIds.Add(commitment.Id());
                await t.AddUpdateAsync(commitment.Id(), "on_track", $"Progress on {p}.{c}");
            }
            for (var i = 1; i <= indicatorsEach; i++)
            {
                var code = $"IND-{p}-{i}";
                var indicator = await t.CreateIndicatorAsync(met.Id(), code, target: new { value = 100, period = "2025-06" }, priorityIds: [priority.Id()]);
                indicatorIds.Add(indicator.Id());
                rows.Add(IndicatorTestData.Row(code, "2025-04", 120));
                rows.Add(IndicatorTestData.Row(code, "2025-05", 110));
                rows.Add(IndicatorTestData.Row(code, "2025-06", 105));
            }
        }
        if (rows.Count > 0) await pusher.PushOkAsync(t, rows);
        if (approve) await t.ApprovePlanAsync(plan.Id());
        return new PortalPlan(t, plan.Id(), met.Id(), [.. priorityIds], [.. commitmentIds], [.. indicatorIds]);
    }

    /// <summary>Cache-Control exactly as sent (HttpClient's parsed form reorders the directives).</summary>
    public static string? CacheControl(this HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("Cache-Control", out var values) ? values.ToString() : null;

    public static async Task<JsonObject> OkAsync(this Task<HttpResponseMessage> request) => await TestTenant.Expect(await request, HttpStatusCode.OK);
}

/// <summary>A second API process on the database of another factory (as two replicas share one database).</summary>
public sealed class SecondProcessFactory(TestDatabase database) : CspApiFactory(database, ownsDatabase: false);
