using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Plans;

/// <summary>Plans: create, validate, edit, list and the current plan (approve, archive and delete: PlanStatusTests).</summary>
[Collection(PlansCollection.Name)]
public sealed class PlanLifecycleTests(CspApiFactory factory)
{
    [Fact]
    public async Task Creating_a_plan_returns_201_draft_with_location_and_etag_and_stores_it()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsJsonAsync(t.Path("/plans"),
            new { title = "Southwark CSP Plan 2025-26", periodStart = "2025-04-01", periodEnd = "2026-03-31" });

        var body = await TestTenant.Expect(response, HttpStatusCode.Created);
        var id = body.Id();
        Assert.NotEqual(Guid.Empty, id);
        Assert.Equal(t.Path($"/plans/{id}"), response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", ETagOf(response));
        Assert.Equal("Southwark CSP Plan 2025-26", body.Str("title"));
        Assert.Equal("2025-04-01", body.Str("periodStart"));
        Assert.Equal("2026-03-31", body.Str("periodEnd"));
        Assert.Equal("draft", body.Str("status"));
        Assert.Null(body["approvedOn"]);
        Assert.Null(body["approvedBy"]);
        Assert.Null(body["supersedesId"]);
        Assert.Equal(1, body.Version());
        Assert.EndsWith("Z", body.Str("createdAt"));
        Assert.EndsWith("Z", body.Str("updatedAt"));

        var row = Assert.Single(await factory.QueryAsync<PlanRow>("""
            SELECT partnership_id AS PartnershipId, title AS Title, period_start AS PeriodStart, period_end AS PeriodEnd,
                   status AS Status, approved_on AS ApprovedOn, version AS Version
            FROM plans WHERE id = @id
            """, new { id = id.ToString() }));
        Assert.Equal(new PlanRow(t.Id, "Southwark CSP Plan 2025-26", new(2025, 4, 1), new(2026, 3, 31), "draft", null, 1), row);

        // The Location answers with the same plan.
        var fetched = await TestTenant.Expect(await t.Admin.GetAsync(response.Headers.Location), HttpStatusCode.OK);
        Assert.Equal(id, fetched.Id());
    }

    [Fact]
    public async Task A_plan_carries_a_summary_and_the_assessments_findings_which_a_refresh_copies_and_a_PUT_without_them_clears()
    {
        var t = await TestTenant.CreateAsync(factory);
        const string summary = "Five priorities.\n\nProgress goes to each scrutiny meeting.";
        const string findings = "Robbery is concentrated in the north-west\nVAWG is under-reported";

        var created = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/plans"),
            new { title = "Plan 2026-27", periodStart = "2026-04-01", periodEnd = "2027-03-31", summary, assessmentFindings = findings }), HttpStatusCode.Created);

        var id = created.Id();
        Assert.Equal(summary, created.Str("summary"));
        Assert.Equal(findings, created.Str("assessmentFindings"));
        var stored = Assert.Single(await factory.QueryTextAsync("SELECT summary, assessment_findings FROM plans WHERE id = @id", new { id = id.ToString() }));
        Assert.Equal(summary, stored[0]);
        Assert.Equal(findings, stored[1]);
        var document = await t.GetOkAsync($"/plans/{id}");
        Assert.Equal(summary, document.Str("summary"));
        Assert.Equal(findings, document.Str("assessmentFindings"));
        await ExpectInvalid(await t.Admin.PutAsJsonAsync(t.Path($"/plans/{id}"),
            new { title = "Plan 2026-27", periodStart = "2026-04-01", periodEnd = "2027-03-31", summary = new string('x', 8001) }), "summary");

        await t.ApprovePlanAsync(id);
        var refreshed = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{id}/refresh"),
            new { title = "Plan 2027-28", periodStart = "2027-04-01", periodEnd = "2028-03-31" }), HttpStatusCode.Created);
        var draft = refreshed["plan"]!.AsObject();
        Assert.Equal(summary, draft.Str("summary"));
        Assert.Equal(findings, draft.Str("assessmentFindings"));

        var edited = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/plans/{draft.Id()}"),
            new { title = "Plan 2027-28", periodStart = "2027-04-01", periodEnd = "2028-03-31", summary = "Refreshed." }), HttpStatusCode.OK);
        Assert.Equal("Refreshed.", edited.Str("summary"));
        Assert.Null(edited["assessmentFindings"]);
        Assert.Null(Assert.Single(await factory.QueryTextAsync("SELECT assessment_findings FROM plans WHERE id = @id",
            new { id = draft.Id().ToString() }))[0]);
    }

    [Fact]
    public async Task A_period_ending_before_it_starts_is_a_400_on_periodEnd_and_nothing_is_stored()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsJsonAsync(t.Path("/plans"), new { title = "Backwards", periodStart = "2026-04-01", periodEnd = "2026-03-31" });

        await ExpectInvalid(response, "periodEnd");
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id", t.Id));
    }

    [Fact]
    public async Task A_one_day_period_is_valid()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync("One day", "2025-04-01", "2025-04-01");
        Assert.Equal(plan.Str("periodStart"), plan.Str("periodEnd"));
    }

    [Fact]
    public async Task A_missing_title_is_a_400_on_title_and_nothing_is_stored()
    {
        var t = await TestTenant.CreateAsync(factory);

        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path("/plans"), new { periodStart = "2025-04-01", periodEnd = "2026-03-31" }), "title");
        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path("/plans"), new { title = "", periodStart = "2025-04-01", periodEnd = "2026-03-31" }), "title");
        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path("/plans"), new { title = new string('x', 201), periodStart = "2025-04-01", periodEnd = "2026-03-31" }), "title");

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id", t.Id));
    }

    [Fact]
    public async Task Missing_period_dates_are_400s_naming_each_field()
    {
        var t = await TestTenant.CreateAsync(factory);

        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path("/plans"), new { title = "No dates" }), "periodStart", "periodEnd");
        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path("/plans"), new { title = "No start", periodEnd = "2026-03-31" }), "periodStart");

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id", t.Id));
    }

    [Fact]
    public async Task A_date_in_the_wrong_format_is_a_400_problem_naming_the_field()
    {
        var t = await TestTenant.CreateAsync(factory);

        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path("/plans"), new { title = "Bad date", periodStart = "01/04/2025", periodEnd = "2026-03-31" }),
            "periodStart");

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id", t.Id));
    }

    [Theory]
    [InlineData("status", "\"approved\"")]
    [InlineData("approvedOn", "\"2025-04-01\"")]
    [InlineData("id", "\"01900000-0000-7000-8000-000000000000\"")]
    [InlineData("version", "7")]
    public async Task A_plan_cannot_be_created_with_server_owned_fields(string field, string value)
    {
        var t = await TestTenant.CreateAsync(factory);
        var json = $$"""{"title":"Sneaky","periodStart":"2025-04-01","periodEnd":"2026-03-31","{{field}}":{{value}}}""";

        await TestTenant.ExpectProblem(await t.Admin.PostAsync(t.Path("/plans"), new StringContent(json, System.Text.Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest);

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id", t.Id));
    }

    [Fact]
    public async Task The_current_plan_is_the_whole_approved_plan_covering_today()
    {
        var t = await TestTenant.CreateAsync(factory);
        var today = TodayUtc;
        var past = await t.CreatePlanAsync("Last year", Day(today.AddDays(-400)), Day(today.AddDays(-31)));
        await t.ApprovePlanAsync(past.Id());
        var current = await t.CreatePlanAsync("This year", Day(today.AddDays(-30)), Day(today.AddDays(30)));
        var priority = await t.CreatePriorityAsync(current.Id(), "P1", "Tackling VAWG");
        await t.CreateCommitmentAsync(priority.Id(), "C1", "VAWG forum");
        await t.ApprovePlanAsync(current.Id());
        // A draft covering today is not current.
        await t.CreatePlanAsync("Draft refresh", Day(today.AddDays(-1)), Day(today.AddDays(1)));

        var response = await t.Admin.GetAsync(t.Path("/plans/current"));

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal(current.Id(), body.Id());
        Assert.Equal("approved", body.Str("status"));
        Assert.Equal("This year", body.Str("title"));
        var p = Assert.Single(body["priorities"]!.AsArray())!.AsObject();
        Assert.Equal("P1", p.Str("code"));
        Assert.Equal("C1", Assert.Single(p["commitments"]!.AsArray())!["code"]!.GetValue<string>());
        Assert.Equal(ETagOf(await t.Admin.GetAsync(t.Path($"/plans/{body.Id()}"))), ETagOf(response)); // the document's ETag (issue 5)

        var notModified = await t.Admin.SendAsync(HttpMethod.Get, t.Path("/plans/current"), ifNoneMatch: ETagOf(response));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task Without_an_approved_plan_covering_today_the_current_plan_is_a_404_problem()
    {
        var t = await TestTenant.CreateAsync(factory);
        await ExpectNotFound(await t.Admin.GetAsync(t.Path("/plans/current")));

        var today = TodayUtc;
        await t.CreatePlanAsync("Draft now", Day(today.AddDays(-30)), Day(today.AddDays(30)));
        var future = await t.CreatePlanAsync("Next", Day(today.AddDays(31)), Day(today.AddDays(400)));
        await t.ApprovePlanAsync(future.Id());
        var archived = await t.CreatePlanAsync("Archived now", Day(today.AddDays(-30)), Day(today.AddDays(30)));
        await t.ApprovePlanAsync(archived.Id());
        await t.ArchivePlanAsync(archived.Id());

        await ExpectNotFound(await t.Admin.GetAsync(t.Path("/plans/current")));
    }

    [Fact]
    public async Task The_current_plan_of_another_partnership_is_not_this_ones()
    {
        var a = await TestTenant.CreateAsync(factory);
        var b = await TestTenant.CreateAsync(factory);
        var today = TodayUtc;
        await b.ApprovePlanAsync((await b.CreatePlanAsync("B now", Day(today.AddDays(-30)), Day(today.AddDays(30)))).Id());

        await ExpectNotFound(await a.Admin.GetAsync(a.Path("/plans/current")));
    }

    [Fact]
    public async Task Listing_plans_filters_by_status()
    {
        var t = await TestTenant.CreateAsync(factory);
        var draft = await t.CreatePlanAsync("Draft", "2027-04-01", "2028-03-31");
        var approved = await t.CreatePlanAsync("Approved", "2025-04-01", "2026-03-31");
        await t.ApprovePlanAsync(approved.Id());
        var archived = await t.CreatePlanAsync("Archived", "2024-04-01", "2025-03-31");
        await t.ApprovePlanAsync(archived.Id());
        await t.ArchivePlanAsync(archived.Id());

        var all = await t.GetOkAsync("/plans");
        Assert.Equal(all.ItemIds(), (await t.GetOkAsync("/plans?status=")).ItemIds());
        Assert.Equal(new[] { draft.Id(), approved.Id(), archived.Id() }, all.ItemIds());
        Assert.Null(all["nextCursor"]);

        foreach (var (status, expected) in new[] { ("approved", approved), ("draft", draft), ("archived", archived) })
        {
            var page = await t.GetOkAsync($"/plans?status={status}");
            var item = Assert.Single(page["items"]!.AsArray())!.AsObject();
            Assert.Equal(expected.Id(), item.Id());
            Assert.Equal(status, item.Str("status"));
        }
    }

    [Fact]
    public async Task Listing_plans_with_a_status_outside_the_contract_is_a_400_on_status()
    {
        var t = await TestTenant.CreateAsync(factory);
        await ExpectInvalid(await t.Admin.GetAsync(t.Path("/plans?status=finished")), "status");
        await ExpectInvalid(await t.Admin.GetAsync(t.Path("/plans?status=Approved")), "status");
        await ExpectInvalid(await t.Admin.GetAsync(t.Path("/plans?status=1")), "status");
    }

    [Fact]
    public async Task Listing_plans_pages_with_a_cursor_and_never_shows_another_partnerships_plans()
    {
        var t = await TestTenant.CreateAsync(factory);
        var other = await TestTenant.CreateAsync(factory);
        await other.CreatePlanAsync("Not mine");
        var ids = new List<Guid>();
        for (var year = 2020; year < 2023; year++)
            ids.Add((await t.CreatePlanAsync($"Plan {year}", $"{year}-04-01", $"{year + 1}-03-31")).Id());

        var first = await t.GetOkAsync("/plans?limit=2");
        Assert.Equal(ids.Take(2), first.ItemIds());
        var cursor = first.Str("nextCursor");

        var second = await t.GetOkAsync($"/plans?limit=2&cursor={Uri.EscapeDataString(cursor)}");
        Assert.Equal(ids.Skip(2), second.ItemIds());
        Assert.False(second.ContainsKey("nextCursor"), "nextCursor is absent on the last page");
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    public async Task Listing_plans_with_a_bad_limit_or_cursor_is_a_400_naming_it(string query, string field)
    {
        var t = await TestTenant.CreateAsync(factory);
        await ExpectInvalid(await t.Admin.GetAsync(t.Path($"/plans?{query}")), field);
    }

    [Fact]
    public async Task Editing_a_plan_with_its_ETag_replaces_title_and_period_and_bumps_the_version()
    {
        var t = await TestTenant.CreateAsync(factory);
        var created = await t.Admin.PostAsJsonAsync(t.Path("/plans"), new { title = "Draft title", periodStart = "2025-04-01", periodEnd = "2026-03-31" });
        var plan = await TestTenant.Expect(created, HttpStatusCode.Created);

        var response = await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/plans/{plan.Id()}"),
            new { title = "Final title", periodStart = "2025-05-01", periodEnd = "2026-04-30" }, ifMatch: ETagOf(created));

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("Final title", body.Str("title"));
        Assert.Equal("2025-05-01", body.Str("periodStart"));
        Assert.Equal("2026-04-30", body.Str("periodEnd"));
        Assert.Equal("draft", body.Str("status"));
        Assert.Equal(2, body.Version());
        Assert.Equal("\"2\"", ETagOf(response));
        var row = Assert.Single(await factory.QueryAsync<PlanRow>("""
            SELECT partnership_id AS PartnershipId, title AS Title, period_start AS PeriodStart, period_end AS PeriodEnd,
                   status AS Status, approved_on AS ApprovedOn, version AS Version
            FROM plans WHERE id = @id
            """, new { id = plan.Id().ToString() }));
        Assert.Equal(new PlanRow(t.Id, "Final title", new(2025, 5, 1), new(2026, 4, 30), "draft", null, 2), row);
    }

    [Fact]
    public async Task Editing_a_plan_with_a_stale_If_Match_is_a_412_and_keeps_the_other_writers_change()
    {
        var t = await TestTenant.CreateAsync(factory);
        var created = await t.Admin.PostAsJsonAsync(t.Path("/plans"), new { title = "Original", periodStart = "2025-04-01", periodEnd = "2026-03-31" });
        var plan = await TestTenant.Expect(created, HttpStatusCode.Created);
        var staleETag = ETagOf(created);
        await TestTenant.Expect(await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/plans/{plan.Id()}"),
            new { title = "First writer", periodStart = "2025-04-01", periodEnd = "2026-03-31" }, ifMatch: staleETag), HttpStatusCode.OK);

        var body = await ExpectStale(await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/plans/{plan.Id()}"),
            new { title = "Second writer", periodStart = "2025-04-01", periodEnd = "2026-03-31" }, ifMatch: staleETag));

        Assert.Contains("If-Match", body.Str("detail"));
        Assert.Equal("First writer", await factory.ScalarAsync<string>("SELECT title FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
        Assert.Equal(2, await factory.ScalarAsync<long>("SELECT version FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
    }

    [Fact]
    public async Task A_weak_or_unparseable_If_Match_never_matches()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var edit = new { title = "Edited", periodStart = "2025-04-01", periodEnd = "2026-03-31" };

        await ExpectStale(await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/plans/{plan.Id()}"), edit, ifMatch: "W/\"1\""));
        await ExpectStale(await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/plans/{plan.Id()}"), edit, ifMatch: "\"abc\""));
        Assert.Equal("Plan 2025-26", await factory.ScalarAsync<string>("SELECT title FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));

        // "*" matches any current version.
        await TestTenant.Expect(await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/plans/{plan.Id()}"), edit, ifMatch: "*"), HttpStatusCode.OK);
        Assert.Equal("Edited", await factory.ScalarAsync<string>("SELECT title FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
    }

    [Fact]
    public async Task Editing_is_validated_like_creating()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();

        await ExpectInvalid(await t.Admin.PutAsJsonAsync(t.Path($"/plans/{plan.Id()}"),
            new { title = "Backwards", periodStart = "2026-04-01", periodEnd = "2026-03-31" }), "periodEnd");

        Assert.Equal(1, await factory.ScalarAsync<long>("SELECT version FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
    }

    [Fact]
    public async Task Moving_an_approved_plan_onto_another_approved_plans_period_is_a_409()
    {
        var t = await TestTenant.CreateAsync(factory);
        var first = await t.CreatePlanAsync("2025-26", "2025-04-01", "2026-03-31");
        await t.ApprovePlanAsync(first.Id());
        var second = await t.CreatePlanAsync("2026-27", "2026-04-01", "2027-03-31");
        await t.ApprovePlanAsync(second.Id());

        await ExpectConflict(await t.Admin.PutAsJsonAsync(t.Path($"/plans/{second.Id()}"),
            new { title = "2026-27", periodStart = "2026-03-01", periodEnd = "2027-03-31" }));

        Assert.Equal(new DateOnly(2026, 4, 1), await factory.ScalarAsync<DateOnly>("SELECT period_start FROM plans WHERE id = @id", new { id = second.Id().ToString() }));

        // Its own period does not count against it.
        var ok = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/plans/{second.Id()}"),
            new { title = "2026-27 (revised)", periodStart = "2026-04-01", periodEnd = "2027-06-30" }), HttpStatusCode.OK);
        Assert.Equal("approved", ok.Str("status"));
    }

    [Fact]
    public async Task An_archived_plan_cannot_be_edited()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        await t.ApprovePlanAsync(plan.Id());
        await t.ArchivePlanAsync(plan.Id());

        await ExpectConflict(await t.Admin.PutAsJsonAsync(t.Path($"/plans/{plan.Id()}"),
            new { title = "Rewritten history", periodStart = "2025-04-01", periodEnd = "2026-03-31" }));

        Assert.Equal("Plan 2025-26", await factory.ScalarAsync<string>("SELECT title FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
    }

    [Fact]
    public async Task Unknown_plan_ids_are_404_problems_on_every_operation()
    {
        var t = await TestTenant.CreateAsync(factory);
        var missing = Guid.NewGuid();

        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/plans/{missing}")));
        await ExpectNotFound(await t.Admin.PutAsJsonAsync(t.Path($"/plans/{missing}"), new { title = "x", periodStart = "2025-04-01", periodEnd = "2026-03-31" }));
        await ExpectNotFound(await t.Admin.DeleteAsync(t.Path($"/plans/{missing}")));
        await ExpectNotFound(await t.Admin.PostAsync(t.Path($"/plans/{missing}/approve"), null));
        await ExpectNotFound(await t.Admin.PostAsync(t.Path($"/plans/{missing}/archive"), null));
        await ExpectNotFound(await t.Admin.GetAsync(t.Path("/plans/not-a-guid")));
    }

    [Fact]
    public async Task Approve_and_archive_honour_If_Match()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        await t.CreatePriorityAsync(plan.Id()); // version 2

        await ExpectStale(await t.Admin.SendAsync(HttpMethod.Post, t.Path($"/plans/{plan.Id()}/approve"), ifMatch: "\"1\""));
        Assert.Equal("draft", await factory.ScalarAsync<string>("SELECT status FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));

        var approved = await TestTenant.Expect(await t.Admin.SendAsync(HttpMethod.Post, t.Path($"/plans/{plan.Id()}/approve"), ifMatch: "\"2\""), HttpStatusCode.OK);
        Assert.Equal(3, approved.Version());

        await ExpectStale(await t.Admin.SendAsync(HttpMethod.Post, t.Path($"/plans/{plan.Id()}/archive"), ifMatch: "\"2\""));
        Assert.Equal("approved", await factory.ScalarAsync<string>("SELECT status FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
    }
}
