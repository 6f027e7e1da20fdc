using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Plans;

/// <summary>Plans' status: approve (the decision the body names; no overlap with another approved plan), archive, and
/// delete (drafts only), each with If-Match. (Split from PlanLifecycleTests, which had grown past 580 lines.)</summary>
[Collection(PlansCollection.Name)]
public sealed class PlanStatusTests(CspApiFactory factory)
{
    [Fact]
    public async Task Approving_a_draft_records_the_decision_the_body_names_and_never_the_calling_client()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (writer, _, writerId) = await t.KeyAsync(["plans:write"]);
        var plan = await t.CreatePlanAsync();

        var response = await writer.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/approve"), new
        {
            approvedBy = "Community Safety Partnership Board", approvedOn = "2025-03-20", minuteUrl = "https://www.example.gov.uk/minutes/2025-03-20",
        });

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("approved", body.Str("status"));
        Assert.Equal(("2025-03-20", "Community Safety Partnership Board", "https://www.example.gov.uk/minutes/2025-03-20"),
            (body.Str("approvedOn"), body.Str("approvedBy"), body.Str("approvalMinuteUrl")));
        Assert.DoesNotContain(writerId.ToString(), body.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.False(response.Headers.Contains("Deprecation"));
        Assert.Equal(2, body.Version());
        Assert.Equal("\"2\"", ETagOf(response));

        var row = Assert.Single(await factory.QueryAsync<PlanRow>("""
            SELECT partnership_id AS PartnershipId, title AS Title, period_start AS PeriodStart, period_end AS PeriodEnd,
                   status AS Status, approved_on AS ApprovedOn, version AS Version
            FROM plans WHERE id = @id
            """, new { id = plan.Id().ToString() }));
        Assert.Equal("approved", row.Status);
        Assert.Equal(new DateOnly(2025, 3, 20), row.ApprovedOn);
        Assert.Equal(2, row.Version);
        Assert.Equal("Community Safety Partnership Board",
            await factory.ScalarAsync<string>("SELECT approved_by FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
        // Who sent the request is the audit trail's to say.
        Assert.Equal(writerId, await factory.ScalarAsync<Guid>(
            "SELECT client_id FROM audit_events WHERE partnership_id = @p AND entity_id = @id AND action = 'approve'",
            new { p = t.Id.ToString(), id = plan.Id().ToString() }));
    }

    [Fact]
    public async Task Approving_without_a_body_still_works_for_old_clients_today_by_a_body_not_named_and_says_it_is_deprecated()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (writer, _, writerId) = await t.KeyAsync(["plans:write"]);
        var plan = await t.CreatePlanAsync();
        var before = TodayUtc;

        var response = await writer.PostAsync(t.Path($"/plans/{plan.Id()}/approve"), null);

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("approved", body.Str("status"));
        Assert.Contains(body.Str("approvedOn"), new[] { Day(before), Day(TodayUtc) });
        Assert.Null(body["approvedBy"]);
        Assert.Matches("^@[0-9]+$", Assert.Single(response.Headers.GetValues("Deprecation")));
        Assert.Null(await factory.ScalarAsync<string?>("SELECT approved_by FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
        Assert.DoesNotContain(writerId.ToString(), body.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Approving_twice_is_a_409_and_changes_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var approved = await t.ApprovePlanAsync(plan.Id());

        var body = await ExpectConflict(await t.Admin.PostAsync(t.Path($"/plans/{plan.Id()}/approve"), null));

        Assert.Contains("approved", body.Str("detail"));
        Assert.Equal(approved.Version(), await factory.ScalarAsync<long>("SELECT version FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
        Assert.Equal("approved", await factory.ScalarAsync<string>("SELECT status FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
    }

    [Theory]
    [InlineData("2025-10-01", "2026-09-30")] // starts inside
    [InlineData("2024-10-01", "2025-04-01")] // ends on the first day
    [InlineData("2026-03-31", "2026-12-31")] // starts on the last day
    [InlineData("2025-06-01", "2025-06-30")] // inside
    [InlineData("2024-01-01", "2027-12-31")] // around
    public async Task Approving_a_plan_that_overlaps_an_approved_plan_is_a_409_and_it_stays_draft(string start, string end)
    {
        var t = await TestTenant.CreateAsync(factory);
        var first = await t.CreatePlanAsync("2025-26", "2025-04-01", "2026-03-31");
        await t.ApprovePlanAsync(first.Id());
        var second = await t.CreatePlanAsync("Overlapping", start, end);

        var body = await ExpectConflict(await t.Admin.PostAsync(t.Path($"/plans/{second.Id()}/approve"), null));

        Assert.Contains(first.Id().ToString(), body.Str("detail"));
        Assert.Equal("draft", await factory.ScalarAsync<string>("SELECT status FROM plans WHERE id = @id", new { id = second.Id().ToString() }));
        Assert.Null(await factory.ScalarAsync<DateOnly?>("SELECT approved_on FROM plans WHERE id = @id", new { id = second.Id().ToString() }));
        Assert.Equal(1, await factory.ScalarAsync<long>("SELECT version FROM plans WHERE id = @id", new { id = second.Id().ToString() }));
    }

    [Fact]
    public async Task Of_two_overlapping_drafts_approved_at_the_same_time_exactly_one_is_approved()
    {
        var t = await TestTenant.CreateAsync(factory);
        var first = await t.CreatePlanAsync("First", "2025-04-01", "2026-03-31");
        var second = await t.CreatePlanAsync("Second", "2025-10-01", "2026-09-30");

        var responses = await Task.WhenAll(
            t.Admin.PostAsync(t.Path($"/plans/{first.Id()}/approve"), null),
            t.Admin.PostAsync(t.Path($"/plans/{second.Id()}/approve"), null));

        Assert.Equal(new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }, responses.Select(r => r.StatusCode).Order());
        await ExpectConflict(responses.Single(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id AND status = 'approved'", t.Id));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id AND status = 'draft'", t.Id));
    }

    [Fact]
    public async Task Plans_that_do_not_overlap_can_both_be_approved()
    {
        var t = await TestTenant.CreateAsync(factory);
        var first = await t.CreatePlanAsync("2025-26", "2025-04-01", "2026-03-31");
        var second = await t.CreatePlanAsync("2026-27", "2026-04-01", "2027-03-31");

        Assert.Equal("approved", (await t.ApprovePlanAsync(first.Id())).Str("status"));
        Assert.Equal("approved", (await t.ApprovePlanAsync(second.Id())).Str("status"));

        Assert.Equal(2, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id AND status = 'approved'", t.Id));
    }

    [Fact]
    public async Task Approved_plans_of_another_partnership_do_not_count_as_overlapping()
    {
        var a = await TestTenant.CreateAsync(factory);
        var b = await TestTenant.CreateAsync(factory);
        await a.ApprovePlanAsync((await a.CreatePlanAsync()).Id());

        var approved = await b.ApprovePlanAsync((await b.CreatePlanAsync()).Id());

        Assert.Equal("approved", approved.Str("status"));
    }

    [Fact]
    public async Task Archiving_an_approved_plan_makes_it_archived_and_frees_its_period()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        await t.ApprovePlanAsync(plan.Id());

        var response = await t.Admin.PostAsync(t.Path($"/plans/{plan.Id()}/archive"), null);

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("archived", body.Str("status"));
        Assert.Equal(3, body.Version());
        Assert.Equal("\"3\"", ETagOf(response));
        Assert.Equal("archived", await factory.ScalarAsync<string>("SELECT status FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));

        // The refresh of the same period can now be approved.
        var refresh = await t.CreatePlanAsync("Refresh", "2025-04-01", "2026-03-31");
        Assert.Equal("approved", (await t.ApprovePlanAsync(refresh.Id())).Str("status"));
    }

    [Fact]
    public async Task Archiving_a_draft_is_a_409_and_it_stays_draft()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();

        await ExpectConflict(await t.Admin.PostAsync(t.Path($"/plans/{plan.Id()}/archive"), null));

        Assert.Equal("draft", await factory.ScalarAsync<string>("SELECT status FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
        Assert.Equal(1, await factory.ScalarAsync<long>("SELECT version FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
    }

    [Fact]
    public async Task An_archived_plan_cannot_be_approved_or_archived_again()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        await t.ApprovePlanAsync(plan.Id());
        await t.ArchivePlanAsync(plan.Id());

        await ExpectConflict(await t.Admin.PostAsync(t.Path($"/plans/{plan.Id()}/approve"), null));
        await ExpectConflict(await t.Admin.PostAsync(t.Path($"/plans/{plan.Id()}/archive"), null));

        Assert.Equal("archived", await factory.ScalarAsync<string>("SELECT status FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
    }

    [Fact]
    public async Task Deleting_a_draft_is_204_and_removes_its_priorities_commitments_partners_and_updates()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id(), partnerAgencyIds: [met.Id()]);
        await t.AddUpdateAsync(commitment.Id(), "on_track", "Started");
        var keep = await t.CreatePlanAsync("Other plan", "2026-04-01", "2027-03-31");
        var keptPriority = await t.CreatePriorityAsync(keep.Id());

        var response = await t.Admin.DeleteAsync(t.Path($"/plans/{plan.Id()}"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE id = @id", plan.Id()));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE plan_id = @id", plan.Id()));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitments WHERE id = @id", commitment.Id()));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitment_partners WHERE commitment_id = @id", commitment.Id()));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitment_updates WHERE commitment_id = @id", commitment.Id()));
        // Only that plan went: the other plan, its priority and the agency stay.
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM priorities WHERE id = @id", keptPriority.Id()));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM agencies WHERE id = @id", met.Id()));

        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}")));
        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/priorities/{priority.Id()}")));
        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/commitments/{commitment.Id()}")));
        await ExpectNotFound(await t.Admin.DeleteAsync(t.Path($"/plans/{plan.Id()}")));
    }

    [Fact]
    public async Task Deleting_an_approved_or_archived_plan_is_a_409_and_the_row_stays()
    {
        var t = await TestTenant.CreateAsync(factory);
        var approved = await t.CreatePlanAsync("Approved", "2025-04-01", "2026-03-31");
        await t.ApprovePlanAsync(approved.Id());
        var archived = await t.CreatePlanAsync("Archived", "2024-04-01", "2025-03-31");
        await t.ApprovePlanAsync(archived.Id());
        await t.ArchivePlanAsync(archived.Id());

        await ExpectConflict(await t.Admin.DeleteAsync(t.Path($"/plans/{approved.Id()}")));
        await ExpectConflict(await t.Admin.DeleteAsync(t.Path($"/plans/{archived.Id()}")));

        Assert.Equal("approved", await factory.ScalarAsync<string>("SELECT status FROM plans WHERE id = @id", new { id = approved.Id().ToString() }));
        Assert.Equal("archived", await factory.ScalarAsync<string>("SELECT status FROM plans WHERE id = @id", new { id = archived.Id().ToString() }));
    }

    [Fact]
    public async Task Deleting_with_a_stale_If_Match_is_a_412_and_the_row_stays()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        await t.CreatePriorityAsync(plan.Id()); // bumps the plan to version 2

        await ExpectStale(await t.Admin.SendAsync(HttpMethod.Delete, t.Path($"/plans/{plan.Id()}"), ifMatch: "\"1\""));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE id = @id", plan.Id()));

        var ok = await t.Admin.SendAsync(HttpMethod.Delete, t.Path($"/plans/{plan.Id()}"), ifMatch: "\"2\"");
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE id = @id", plan.Id()));
    }
}
