using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Frameworks;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Plans;

/// <summary>Issue 6, points 4 and 5: the annual refresh and the "what changed" diff.</summary>
[Collection(PlansCollection.Name)]
public sealed class RefreshAndDiffTests(CspApiFactory factory)
{
    private sealed record Old(TestTenant T, Guid PlanId, Guid Met, Guid Sbc, Guid P1, Guid P2, Guid C1, Guid C2, Guid C3, Guid IndicatorId,
        Guid Safer, Guid PriorityAlignment, Guid CommitmentAlignment, Guid IndicatorAlignment);

    /// <summary>A small approved plan shaped like the demo: two priorities, three commitments (one on track), an indicator, alignments of each kind.</summary>
    private async Task<Old> ArrangeAsync()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var sbc = await t.CreateAgencyAsync("SBC", "local_authority");
        var plan = await t.CreatePlanAsync("Plan 2025-26", "2025-04-01", "2026-03-31");
        var p1 = await t.CreatePriorityAsync(plan.Id(), "P1", "Tackling VAWG", sbc.Id());
        var p2 = await t.CreatePriorityAsync(plan.Id(), "P2", "Reducing violence", met.Id());
        var c1 = await t.CreateCommitmentAsync(p1.Id(), "C1", "Night-time safety spaces", sbc.Id(), [met.Id()], "2025-04-01", "2026-03-31");
        var c2 = await t.CreateCommitmentAsync(p1.Id(), "C2", "VAWG forum");
        var c3 = await t.CreateCommitmentAsync(p2.Id(), "C3", "Phone-theft posters", met.Id());
        await t.AddUpdateAsync(c1.Id(), "on_track", "71 spaces open");
        var indicator = await t.CreateIndicatorAsync("ROB-PERSONAL", met.Id(), p2.Id());
        var f = await t.CreateFrameworkAsync();
        var safer = await t.CreateOutcomeAsync(f.Id(), "S2030-3", "A safer Southwark");
        var pa = await t.AlignAsync(safer.Id(), priorityId: p1.Id(), rationale: "Women's safety");
        var ca = await t.AlignAsync(safer.Id(), commitmentId: c3.Id(), rationale: "Fewer phone thefts");
        var ia = await t.AlignAsync(safer.Id(), indicatorId: indicator.Id(), rationale: "Robbery");
        await t.ApprovePlanAsync(plan.Id());
        return new Old(t, plan.Id(), met.Id(), sbc.Id(), p1.Id(), p2.Id(), c1.Id(), c2.Id(), c3.Id(), indicator.Id(), safer.Id(), pa.Id(), ca.Id(), ia.Id());
    }

    private static object Refresh(string title = "Plan 2026-27", Guid[]? carryOver = null, bool? carryOverAll = null, string start = "2026-04-01",
        string end = "2027-03-31") =>
        new { title, periodStart = start, periodEnd = end, carryOver, carryOverAll };

    [Fact]
    public async Task Refreshing_copies_everything_into_a_draft_that_supersedes_it_resetting_statuses_with_audit_events()
    {
        var o = await ArrangeAsync();
        var t = o.T;
        var sourceVersion = await t.PlanVersionAsync(o.PlanId);
        var indicatorVersion = await factory.ScalarAsync<long>("SELECT version FROM indicators WHERE id = @id", new { id = o.IndicatorId.ToString() });

        var response = await t.Admin.PostAsJsonAsync(t.Path($"/plans/{o.PlanId}/refresh"), Refresh());

        var body = await TestTenant.Expect(response, HttpStatusCode.Created);
        var plan = body["plan"]!.AsObject();
        var newId = plan.Id();
        Assert.Equal(t.Path($"/plans/{newId}"), response.Headers.Location?.OriginalString);
        Assert.Equal("draft", plan.Str("status"));
        Assert.Equal(o.PlanId, plan["supersedesId"]!.GetValue<Guid>());
        Assert.Equal("2026-04-01", plan.Str("periodStart"));
        Assert.Equal((2, 3, 0, 1, 2), (body["priorities"]!.GetValue<int>(), body["commitments"]!.GetValue<int>(), body["carriedOver"]!.GetValue<int>(),
            body["indicatorLinks"]!.GetValue<int>(), body["alignments"]!.GetValue<int>()));

        var doc = await t.GetOkAsync($"/plans/{newId}");
        var priorities = doc["priorities"]!.AsArray();
        Assert.Equal(new[] { "P1", "P2" }, priorities.Select(p => p!["code"]!.GetValue<string>()));
        Assert.Equal(o.Sbc, priorities[0]!["leadAgencyId"]!.GetValue<Guid>());
        Assert.DoesNotContain(priorities, p => p!["id"]!.GetValue<Guid>() == o.P1);
        var c1 = priorities[0]!["commitments"]!.AsArray().Single(c => c!["code"]!.GetValue<string>() == "C1")!.AsObject();
        Assert.Equal("not_started", c1.Str("status"));
        Assert.Null(c1["latestUpdate"]);
        Assert.Equal(new[] { o.Met }, c1["partnerAgencyIds"].Guids());
        // Dates move with the period: one financial year on.
        Assert.Equal(("2026-04-01", "2027-03-31"), (c1.Str("startDate"), c1.Str("dueDate")));

        // In the database: the indicator now measures both P2s; the priority and commitment alignments were copied.
        var newP2 = priorities[1]!["id"]!.GetValue<Guid>();
        Assert.Equal(2, await factory.CountAsync("SELECT COUNT(*) FROM indicator_priorities WHERE indicator_id = @id", o.IndicatorId));
        Assert.Equal(1, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM indicator_priorities WHERE indicator_id = @i AND priority_id = @p",
            new { i = o.IndicatorId.ToString(), p = newP2.ToString() }));
        Assert.True(await factory.ScalarAsync<long>("SELECT version FROM indicators WHERE id = @id", new { id = o.IndicatorId.ToString() }) > indicatorVersion);
        var newAlignments = await factory.QueryAsync<(string?, string?, string)>("""
            SELECT pr.code, cm.code, a.rationale FROM alignments a
            LEFT JOIN priorities pr ON pr.id = a.priority_id LEFT JOIN commitments cm ON cm.id = a.commitment_id
            LEFT JOIN priorities cp ON cp.id = cm.priority_id
            WHERE a.partnership_id = @p AND (pr.plan_id = @plan OR cp.plan_id = @plan) ORDER BY a.rationale
            """, new { p = t.Id.ToString(), plan = newId.ToString() });
        Assert.Equal(new (string?, string?, string)[] { (null, "C3", "Fewer phone thefts"), ("P1", null, "Women's safety") }, newAlignments);
        Assert.Equal(5, await factory.CountAsync("SELECT COUNT(*) FROM alignments WHERE partnership_id = @id", t.Id));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitment_updates cu JOIN commitments c ON c.id = cu.commitment_id JOIN priorities p ON p.id = c.priority_id WHERE p.plan_id = @id", newId));

        // Audit: one create for the plan and each copy, an update for the indicator whose links changed.
        var events = await factory.QueryAsync<(string, string)>(
            "SELECT entity_type, action FROM audit_events WHERE partnership_id = @p AND seq > (SELECT MAX(seq) FROM audit_events WHERE partnership_id = @p AND entity_type = 'plan' AND action = 'approve') ORDER BY seq",
            new { p = t.Id.ToString() });
        Assert.Equal(1, events.Count(e => e == ("plan", "create")));
        Assert.Equal(2, events.Count(e => e == ("priority", "create")));
        Assert.Equal(3, events.Count(e => e == ("commitment", "create")));
        Assert.Equal(2, events.Count(e => e == ("alignment", "create")));
        Assert.Equal(1, events.Count(e => e == ("indicator", "update")));
        Assert.Equal(9, events.Count);

        // The refreshed plan itself is untouched.
        Assert.Equal(sourceVersion, await t.PlanVersionAsync(o.PlanId));
        Assert.Equal("approved", await factory.ScalarAsync<string>("SELECT status FROM plans WHERE id = @id", new { id = o.PlanId.ToString() }));
    }

    [Fact]
    public async Task Carried_over_commitments_keep_their_status_and_restate_it_in_one_update()
    {
        var o = await ArrangeAsync();

        var body = await TestTenant.Expect(await o.T.Admin.PostAsJsonAsync(o.T.Path($"/plans/{o.PlanId}/refresh"), Refresh(carryOver: [o.C1])),
            HttpStatusCode.Created);

        Assert.Equal(1, body["carriedOver"]!.GetValue<int>());
        var doc = await o.T.GetOkAsync($"/plans/{body["plan"]!.AsObject().Id()}");
        var c1 = doc["priorities"]![0]!["commitments"]!.AsArray().Single(c => c!["code"]!.GetValue<string>() == "C1")!.AsObject();
        Assert.Equal("on_track", c1.Str("status"));
        Assert.Equal("on_track", c1["latestUpdate"]!["status"]!.GetValue<string>());
        Assert.Equal("Carried over from Plan 2025-26. Last update: 71 spaces open", c1["latestUpdate"]!["commentary"]!.GetValue<string>());
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM commitment_updates WHERE commitment_id = @id", c1.Id()));
        Assert.Equal(["create"], await o.T.AuditActionsAsync("commitment_update", c1["latestUpdate"]!["id"]!.GetValue<Guid>()));

        var all = await TestTenant.Expect(await o.T.Admin.PostAsJsonAsync(o.T.Path($"/plans/{o.PlanId}/refresh"), Refresh("Another", carryOverAll: true, start: "2027-04-01", end: "2028-03-31")),
            HttpStatusCode.Created);
        Assert.Equal(3, all["carriedOver"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_draft_cannot_be_refreshed_and_an_unknown_carryOver_is_a_400_and_nothing_is_written()
    {
        var o = await ArrangeAsync();
        var draft = await o.T.CreatePlanAsync("Draft", "2030-04-01", "2031-03-31");
        var plans = await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id", o.T.Id);
        var events = await o.T.AuditCountAsync();

        await ExpectConflict(await o.T.Admin.PostAsJsonAsync(o.T.Path($"/plans/{draft.Id()}/refresh"), Refresh()));
        await ExpectInvalid(await o.T.Admin.PostAsJsonAsync(o.T.Path($"/plans/{o.PlanId}/refresh"), Refresh(carryOver: [Guid.NewGuid()])), "carryOver");
        await ExpectInvalid(await o.T.Admin.PostAsJsonAsync(o.T.Path($"/plans/{o.PlanId}/refresh"),
            new { title = "Backwards", periodStart = "2027-04-01", periodEnd = "2026-03-31" }), "periodEnd");
        await ExpectNotFound(await o.T.Admin.PostAsJsonAsync(o.T.Path($"/plans/{Guid.NewGuid()}/refresh"), Refresh()));

        Assert.Equal(plans, await factory.CountAsync("SELECT COUNT(*) FROM plans WHERE partnership_id = @id", o.T.Id));
        Assert.Equal(events, await o.T.AuditCountAsync());
    }

    /// <summary>The refreshed plan, then edited: P2 renamed, C2 removed, P3 with C4 added, C1 re-dated, C3's alignment moved to C4.</summary>
    private async Task<(Old Old, Guid NewId)> RefreshedAndEditedAsync()
    {
        var o = await ArrangeAsync();
        var t = o.T;
        var body = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{o.PlanId}/refresh"), Refresh()), HttpStatusCode.Created);
        var newId = body["plan"]!.AsObject().Id();
        var doc = await t.GetOkAsync($"/plans/{newId}");
        JsonObject Priority(string code) => doc["priorities"]!.AsArray().Single(p => p!["code"]!.GetValue<string>() == code)!.AsObject();
        JsonObject Commitment(string code) => doc["priorities"]!.AsArray().SelectMany(p => p!["commitments"]!.AsArray())
            .Single(c => c!["code"]!.GetValue<string>() == code)!.AsObject();

        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/priorities/{Priority("P2").Id()}"),
            new { code = "P2", title = "Reducing and preventing violence", leadAgencyId = o.Met, position = 2 }), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.DeleteAsync(t.Path($"/commitments/{Commitment("C2").Id()}"))).StatusCode);
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/commitments/{Commitment("C1").Id()}"), new
        {
            code = "C1", title = "Night-time safety spaces", leadAgencyId = o.Sbc, partnerAgencyIds = new[] { o.Met }, startDate = "2026-04-01", dueDate = "2027-03-31",
        }), HttpStatusCode.OK);
        var p3 = await t.CreatePriorityAsync(newId, "P3", "Reducing drug-related harm");
        var c4 = await t.CreateCommitmentAsync(p3.Id(), "C4", "Drug supply routes");
        var moved = (await t.GetOkAsync($"/alignments?commitmentId={Commitment("C3").Id()}")).ItemIds().Single();
        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.DeleteAsync(t.Path($"/alignments/{moved}"))).StatusCode);
        await t.AlignAsync(o.Safer, commitmentId: c4.Id(), rationale: "Drug markets drive violence");
        return (o, newId);
    }

    [Fact]
    public async Task The_diff_of_a_refreshed_and_edited_plan_reports_exactly_what_changed_as_JSON()
    {
        var (o, newId) = await RefreshedAndEditedAsync();

        var diff = await o.T.GetOkAsync($"/plans/{newId}/diff?against={o.PlanId}");

        var expected = JsonNode.Parse($$"""
            {
              "planId": "{{newId}}", "planTitle": "Plan 2026-27", "againstId": "{{o.PlanId}}", "againstTitle": "Plan 2025-26",
              "priorities": {
                "added": [ { "code": "P3", "title": "Reducing drug-related harm" } ],
                "removed": [],
                "changed": [ { "code": "P2", "title": "Reducing and preventing violence",
                               "changes": [ { "field": "title", "before": "Reducing violence", "after": "Reducing and preventing violence" } ] } ]
              },
              "commitments": {
                "added": [ { "priorityCode": "P3", "code": "C4", "title": "Drug supply routes" } ],
                "removed": [ { "priorityCode": "P1", "code": "C2", "title": "VAWG forum" } ],
                "changed": [ { "priorityCode": "P1", "code": "C1", "title": "Night-time safety spaces", "changes": [
                    { "field": "startDate", "before": "2025-04-01", "after": "2026-04-01" },
                    { "field": "dueDate", "before": "2026-03-31", "after": "2027-03-31" },
                    { "field": "status", "before": "on_track", "after": "not_started" } ] } ]
              },
              "alignments": {
                "added": [ { "frameworkCode": "S2030", "frameworkVersionNo": 1, "frameworkTitle": "Southwark 2030", "outcomeCode": "S2030-3",
                             "outcomeTitle": "A safer Southwark", "targetType": "commitment", "targetCode": "C4", "targetTitle": "Drug supply routes",
                             "rationale": "Drug markets drive violence" } ],
                "removed": [ { "frameworkCode": "S2030", "frameworkVersionNo": 1, "frameworkTitle": "Southwark 2030", "outcomeCode": "S2030-3",
                               "outcomeTitle": "A safer Southwark", "targetType": "commitment", "targetCode": "C3", "targetTitle": "Phone-theft posters",
                               "rationale": "Fewer phone thefts" } ]
              }
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, diff), "Expected:\n" + expected!.ToJsonString() + "\nActual:\n" + diff.ToJsonString());

        // Against itself: nothing changed.
        var none = await o.T.GetOkAsync($"/plans/{newId}/diff?against={newId}");
        Assert.Empty(none["priorities"]!["changed"]!.AsArray());
        Assert.Empty(none["alignments"]!["added"]!.AsArray());
    }

    [Fact]
    public async Task The_diff_as_Markdown_is_a_committee_ready_report()
    {
        var (o, newId) = await RefreshedAndEditedAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, o.T.Path($"/plans/{newId}/diff?against={o.PlanId}"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/markdown"));

        var response = await o.T.Admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/markdown", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""
            # What changed: Plan 2026-27

            Compared with Plan 2025-26.

            ## Priorities

            Added:

            - **P3** Reducing drug-related harm

            Changed:

            - **P2** Reducing and preventing violence
              - title: Reducing violence → Reducing and preventing violence

            ## Commitments

            Added:

            - **C4** Drug supply routes (priority P3)

            Removed:

            - **C2** VAWG forum (priority P1)

            Changed:

            - **C1** Night-time safety spaces (priority P1)
              - start date: 2025-04-01 → 2026-04-01
              - due date: 2026-03-31 → 2027-03-31
              - status: on_track → not_started

            ## Strategy alignments

            Added:

            - Commitment **C4** Drug supply routes → Southwark 2030: A safer Southwark (S2030-3)

            Removed:

            - Commitment **C3** Phone-theft posters → Southwark 2030: A safer Southwark (S2030-3)

            """.ReplaceLineEndings("\n"), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_diff_needs_against_and_both_plans()
    {
        var o = await ArrangeAsync();

        await ExpectInvalid(await o.T.Admin.GetAsync(o.T.Path($"/plans/{o.PlanId}/diff")), "against");
        await ExpectNotFound(await o.T.Admin.GetAsync(o.T.Path($"/plans/{o.PlanId}/diff?against={Guid.NewGuid()}")));
        await ExpectNotFound(await o.T.Admin.GetAsync(o.T.Path($"/plans/{Guid.NewGuid()}/diff")));
    }
}
