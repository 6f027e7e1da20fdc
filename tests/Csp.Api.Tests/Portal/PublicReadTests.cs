using System.Net;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Plans;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Portal;

/// <summary>Issue 5, point 5: with publicRead, anyone reads approved plans, their indicators and observations without a key;
/// drafts, clients, audit and changes stay private; public answers are cacheable, keyed ones private.</summary>
[Collection(ApiCollection.Name)]
public sealed class PublicReadTests(CspApiFactory factory)
{
    private HttpClient Anonymous => factory.ClientWithKey(null);

    [Fact]
    public async Task Anyone_reads_an_approved_plan_and_its_indicators_with_a_public_cache_control()
    {
        var t = await TestTenant.CreateAsync(factory, publicRead: true);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 1, approve: true);
        var indicatorId = plan.IndicatorIds[0];

        foreach (var path in new[]
                 {
                     $"/plans/{plan.PlanId}", "/plans", $"/plans/{plan.PlanId}/commitments", $"/plans/{plan.PlanId}/indicators",
                     "/indicators", $"/indicators/{indicatorId}", $"/indicators/{indicatorId}/observations", $"/indicators/{indicatorId}/performance",
                 })
        {
            var response = await Anonymous.GetAsync(t.Path(path));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("public, max-age=60", response.CacheControl());
            var keyed = await t.Admin.GetAsync(t.Path(path));
            Assert.Equal(HttpStatusCode.OK, keyed.StatusCode);
            Assert.Equal("private, no-cache", keyed.CacheControl());
        }

        var anonymous = await Anonymous.GetAsync(t.Path($"/plans/{plan.PlanId}"));
        var keyedDoc = await t.Admin.GetAsync(t.Path($"/plans/{plan.PlanId}"));
        // The same document in its public shape (issue 16): the keyed one without what the public projection withholds.
        var publicShape = JsonNode.Parse(await keyedDoc.Content.ReadAsStringAsync())!;
        WithoutWithheld(publicShape);
        Assert.True(JsonNode.DeepEquals(publicShape, JsonNode.Parse(await anonymous.Content.ReadAsStringAsync())),
            await anonymous.Content.ReadAsStringAsync());
        var notModified = await Anonymous.SendAsync(HttpMethod.Get, t.Path($"/plans/{plan.PlanId}"), ifNoneMatch: ETagOf(anonymous));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal("public, max-age=60", notModified.CacheControl());
    }

    private static void WithoutWithheld(JsonNode node)
    {
        if (node is JsonObject o)
        {
            foreach (var name in (string[])["version", "clientId", "note", "embargoed"]) o.Remove(name);
            foreach (var (_, value) in o) if (value is not null) WithoutWithheld(value);
        }
        else if (node is JsonArray a)
            foreach (var item in a) if (item is not null) WithoutWithheld(item);
    }

    [Fact]
    public async Task A_draft_is_404_to_the_public_and_missing_from_its_plan_list()
    {
        var t = await TestTenant.CreateAsync(factory, publicRead: true);
        var approved = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 0, approve: true);
        var draft = await t.CreatePlanAsync("Refresh (draft)", "2026-04-01", "2027-03-31");

        await ExpectNotFound(await Anonymous.GetAsync(t.Path($"/plans/{draft.Id()}")));
        await ExpectNotFound(await Anonymous.GetAsync(t.Path($"/plans/{draft.Id()}/commitments")));
        await ExpectNotFound(await Anonymous.GetAsync(t.Path($"/plans/{draft.Id()}/indicators")));
        var list = await Anonymous.GetAsync(t.Path("/plans")).OkAsync();
        Assert.Equal(new[] { approved.PlanId }, list.ItemIds());
        Assert.Empty((await Anonymous.GetAsync(t.Path("/plans?status=draft")).OkAsync()).ItemIds());
        // With a key the draft is there.
        Assert.Equal(HttpStatusCode.OK, (await t.Admin.GetAsync(t.Path($"/plans/{draft.Id()}"))).StatusCode);
        Assert.Equal(2, (await t.Admin.GetAsync(t.Path("/plans")).OkAsync()).ItemIds().Length);
    }

    [Theory]
    [InlineData("/clients")]
    [InlineData("/audit")]
    [InlineData("/changes")]
    [InlineData("/me")]
    [InlineData("/observations")]
    public async Task Clients_audit_changes_and_the_read_back_stay_private(string path)
    {
        var t = await TestTenant.CreateAsync(factory, publicRead: true);

        await TestTenant.ExpectProblem(await Anonymous.GetAsync(t.Path(path)), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Priorities_commitments_and_revisions_stay_private()
    {
        var t = await TestTenant.CreateAsync(factory, publicRead: true);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 1, approve: true);

        foreach (var path in new[]
                 {
                     $"/plans/{plan.PlanId}/priorities", $"/priorities/{plan.PriorityIds[0]}", $"/commitments/{plan.CommitmentIds[0]}",
                     $"/indicators/{plan.IndicatorIds[0]}/observations/2025-06/revisions",
                 })
            await TestTenant.ExpectProblem(await Anonymous.GetAsync(t.Path(path)), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Without_public_read_every_read_needs_a_key()
    {
        var t = await TestTenant.CreateAsync(factory, publicRead: false);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 1, approve: true);

        foreach (var path in new[] { $"/plans/{plan.PlanId}", "/plans", "/plans/current", "/indicators", $"/indicators/{plan.IndicatorIds[0]}/observations" })
            await TestTenant.ExpectProblem(await Anonymous.GetAsync(t.Path(path)), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Writes_stay_closed_to_the_public()
    {
        var t = await TestTenant.CreateAsync(factory, publicRead: true);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 0, approve: true);

        await TestTenant.ExpectProblem(await Anonymous.PostAsync(t.Path($"/plans/{plan.PlanId}/archive"), null), HttpStatusCode.Unauthorized);
        await TestTenant.ExpectProblem(await Anonymous.PushAsync(t, [IndicatorTestData.Row("X", "2025-06", 1)]), HttpStatusCode.Unauthorized);
    }
}
