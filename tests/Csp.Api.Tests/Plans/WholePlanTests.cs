using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Frameworks;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Plans;

/// <summary>Issue 5, points 1 and 2: the whole plan in one document, a bounded number of queries, a strong ETag that follows
/// every change inside it (in any process), 304, and Cache-Control.</summary>
[Collection(PlansCollection.Name)]
public sealed class WholePlanTests(CspApiFactory factory)
{
    [Fact]
    public async Task The_document_holds_linked_indicators_with_latest_observation_and_performance_and_the_alignments()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await PortalKit.BuildAsync(t, priorities: 2, commitmentsEach: 1, indicatorsEach: 1);
        var met = plan.AgencyId;
        // An indicator of no priority of this plan stays out.
        await t.CreateIndicatorAsync(met, "UNLINKED");
        var framework = await t.CreateFrameworkAsync();
        var outcome = await t.CreateOutcomeAsync(framework.Id(), "SAFER", "A safer Southwark");
        var alignment = await t.AlignAsync(outcome.Id(), priorityId: plan.PriorityIds[0]);

        var response = await t.Admin.GetAsync(t.Path($"/plans/{plan.PlanId}"));

        var doc = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("private, no-cache", response.CacheControl());
        var indicators = doc["indicators"]!.AsArray();
        Assert.Equal(plan.IndicatorIds, indicators.Select(i => i!["indicator"]!["id"]!.GetValue<Guid>()));
        var first = indicators[0]!.AsObject();
        Assert.Equal("IND-1-1", first["indicator"]!["code"]!.GetValue<string>());
        Assert.Equal("2025-06", first["latestObservation"]!["period"]!.GetValue<string>());
        Assert.Equal(105m, first["latestObservation"]!["value"]!.GetValue<decimal>());
        var performance = first["performance"]!.AsObject();
        Assert.Equal("near", performance.Str("status")); // 105 against a target of 100, lower is better: within 10%
        Assert.Equal("improving", performance.Str("trend")); // 110 → 105
        Assert.Equal(110m, performance["previous"]!["value"]!.GetValue<decimal>());
        Assert.Equal(new[] { plan.IndicatorIds[0] }, doc["priorities"]![0]!["indicatorIds"].Guids());
        Assert.Equal(new[] { plan.IndicatorIds[1] }, doc["priorities"]![1]!["indicatorIds"].Guids());
        Assert.Equal(new[] { alignment.Id() }, doc["alignments"]!.AsArray().Select(a => a!["id"]!.GetValue<Guid>()));
        Assert.Equal(outcome.Id(), doc["alignments"]![0]!["outcomeId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task The_ETag_changes_with_a_commitment_update_an_observation_and_an_alignment_and_If_None_Match_gives_304()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 1);
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], plan.AgencyId);
        var framework = await t.CreateFrameworkAsync();
        var outcome = await t.CreateOutcomeAsync(framework.Id(), "SAFER", "A safer Southwark");
        var path = t.Path($"/plans/{plan.PlanId}");
        var etag = ETagOf(await t.Admin.GetAsync(path));

        async Task Changed(string what, Func<Task> change)
        {
            var notModified = await t.Admin.SendAsync(HttpMethod.Get, path, ifNoneMatch: etag);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
            Assert.Equal(etag, notModified.Headers.ETag?.Tag);
            Assert.Equal("private, no-cache", notModified.CacheControl());
            await change();
            var after = await t.Admin.SendAsync(HttpMethod.Get, path, ifNoneMatch: etag);
            Assert.True(after.StatusCode == HttpStatusCode.OK, $"{what}: the old ETag must no longer match");
            Assert.NotEqual(etag, ETagOf(after));
            etag = ETagOf(after);
        }

        await Changed("commitment update", () => t.AddUpdateAsync(plan.CommitmentIds[0], "at_risk", "Slipping"));
        await Changed("new observation", () => pusher.PushOkAsync(t, [IndicatorTestData.Row("IND-1-1", "2025-07", 99)]));
        await Changed("restated observation", () => pusher.PushOkAsync(t, [IndicatorTestData.Row("IND-1-1", "2025-07", 98)]));
        await Changed("alignment", () => t.AlignAsync(outcome.Id(), commitmentId: plan.CommitmentIds[0]));
    }

    [Fact]
    public async Task A_write_outside_the_document_keeps_its_ETag()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 1);
        var etag = ETagOf(await t.Admin.GetAsync(t.Path($"/plans/{plan.PlanId}")));

        await t.CreateAgencyAsync("LFB", "fire_rescue");
        await t.CreateIndicatorAsync(plan.AgencyId, "UNLINKED");

        Assert.Equal(HttpStatusCode.NotModified, (await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/plans/{plan.PlanId}"), ifNoneMatch: etag)).StatusCode);
    }

    [Fact]
    public async Task A_write_through_another_process_on_the_same_database_changes_the_document_at_once()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 0);
        var path = t.Path($"/plans/{plan.PlanId}");
        var etag = ETagOf(await t.Admin.GetAsync(path)); // now cached in this process

        await using (var other = new SecondProcessFactory(factory.Database))
        {
            var otherAdmin = other.ClientWithKey(t.AdminKey);
            await TestTenant.Expect(await otherAdmin.PostAsJsonAsync(t.Path($"/commitments/{plan.CommitmentIds[0]}/updates"),
                new { status = "completed", commentary = "Done, recorded by replica 2" }), HttpStatusCode.Created);
        }

        var response = await t.Admin.SendAsync(HttpMethod.Get, path, ifNoneMatch: etag);
        var doc = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("completed", doc["priorities"]![0]!["commitments"]![0]!["status"]!.GetValue<string>());
        Assert.NotEqual(etag, ETagOf(response));
    }

    [Fact]
    public async Task The_current_plan_is_the_same_document_with_the_same_ETag()
    {
        var t = await TestTenant.CreateAsync(factory);
        var today = TodayUtc;
        var plan = await t.CreatePlanAsync("Current", Day(today.AddMonths(-1)), Day(today.AddMonths(11)));
        await t.CreatePriorityAsync(plan.Id(), "P1");
        await t.ApprovePlanAsync(plan.Id());

        var byId = await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}"));
        var current = await t.Admin.GetAsync(t.Path("/plans/current"));

        Assert.Equal(await byId.Content.ReadAsStringAsync(), await current.Content.ReadAsStringAsync());
        Assert.Equal(ETagOf(byId), ETagOf(current));
        Assert.Equal(HttpStatusCode.NotModified, (await t.Admin.SendAsync(HttpMethod.Get, t.Path("/plans/current"), ifNoneMatch: ETagOf(current))).StatusCode);
        await t.ArchivePlanAsync(plan.Id());
        await ExpectNotFound(await t.Admin.GetAsync(t.Path("/plans/current")));
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once_even_for_a_cached_document()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 0);
        var (reader, _, readerId) = await t.KeyAsync(["read"]);
        var first = await reader.GetAsync(t.Path($"/plans/{plan.PlanId}"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = ETagOf(first);

        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.DeleteAsync(t.Path($"/clients/{readerId}"))).StatusCode);

        await TestTenant.ExpectProblem(await reader.GetAsync(t.Path($"/plans/{plan.PlanId}")), HttpStatusCode.Unauthorized);
        await TestTenant.ExpectProblem(await reader.SendAsync(HttpMethod.Get, t.Path($"/plans/{plan.PlanId}"), ifNoneMatch: etag), HttpStatusCode.Unauthorized);
    }
}
