using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Plans;

/// <summary>An approval records the decision (the body that decided, the meeting's date, its minute) as the request names it; a
/// request that names it badly approves nothing.</summary>
[Collection(ApiCollection.Name)]
public sealed class PlanApprovalTests(CspApiFactory factory)
{
    public static TheoryData<string, string> BadApprovals => new()
    {
        { """{"approvedOn":"2025-03-20"}""", "approvedBy" },
        { """{"approvedBy":"","approvedOn":"2025-03-20"}""", "approvedBy" },
        { """{"approvedBy":"   ","approvedOn":"2025-03-20"}""", "approvedBy" },
        { $$"""{"approvedBy":"{{new string('x', 201)}}","approvedOn":"2025-03-20"}""", "approvedBy" },
        { """{"approvedBy":"CSP Board"}""", "approvedOn" },
        { """{"approvedBy":"CSP Board","approvedOn":null}""", "approvedOn" },
        { """{"approvedBy":"CSP Board","approvedOn":"20/03/2025"}""", "approvedOn" },
        { """{"approvedBy":"CSP Board","approvedOn":"2025-02-30"}""", "approvedOn" },
        { """{"approvedBy":"CSP Board","approvedOn":"2999-03-20"}""", "approvedOn" },
        { """{"approvedBy":"CSP Board","approvedOn":"2025-03-20","minuteUrl":"minutes of 20 March"}""", "minuteUrl" },
        { """{"approvedBy":"CSP Board","approvedOn":"2025-03-20","minuteUrl":"ftp://example.gov.uk/minutes"}""", "minuteUrl" },
        { """{"approvedBy":"CSP Board","approvedOn":"2025-03-20","minuteUrl":"https://example.gov.uk/minutes\n"}""", "minuteUrl" },
        { """{"approvedBy":"CSP Board","approvedOn":"2025-03-20","minuteUrl":" https://example.gov.uk/minutes"}""", "minuteUrl" },
        { """{"approvedBy":"CSP Board","approvedOn":"2025-03-20","approvedByClient":"x"}""", "approvedByClient" },
    };

    [Theory]
    [MemberData(nameof(BadApprovals))]
    public async Task A_bad_approval_is_a_400_naming_the_field_and_the_plan_stays_a_draft(string json, string field)
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();

        var response = await t.Admin.PostAsync(t.Path($"/plans/{plan.Id()}/approve"), HttpKit.Raw(json));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey(field), $"no error for '{field}': {problem.ToJsonString()}");
        var stored = await t.GetOkAsync($"/plans/{plan.Id()}");
        Assert.Equal(("draft", 1L), (stored.Str("status"), stored.Version()));
        Assert.Null(stored["approvedBy"]);
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM audit_events WHERE entity_id = @id AND action = 'approve'", plan.Id()));
    }

    [Fact]
    public async Task The_whole_plan_and_a_refresh_show_the_decision_and_the_refresh_is_a_draft_without_one()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync("Plan 2025-26", "2025-04-01", "2026-03-31");
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/approve"), new
        {
            approvedBy = "Community Safety Partnership Board", approvedOn = "2025-03-20", minuteUrl = "https://www.example.gov.uk/minutes",
        }), HttpStatusCode.OK);

        var document = await t.GetOkAsync($"/plans/{plan.Id()}");
        Assert.Equal(("Community Safety Partnership Board", "2025-03-20", "https://www.example.gov.uk/minutes"),
            (document.Str("approvedBy"), document.Str("approvedOn"), document.Str("approvalMinuteUrl")));

        var refreshed = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/refresh"),
            new { title = "Plan 2026-27", periodStart = "2026-04-01", periodEnd = "2027-03-31" }), HttpStatusCode.Created);
        var draft = await t.GetOkAsync($"/plans/{refreshed["plan"]!["id"]!.GetValue<Guid>()}");
        Assert.Equal("draft", draft.Str("status"));
        Assert.Null(draft["approvedBy"]);
        Assert.Null(draft["approvalMinuteUrl"]);
    }
}
