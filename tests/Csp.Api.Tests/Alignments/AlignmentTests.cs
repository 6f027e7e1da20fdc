using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Frameworks;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Alignments;

/// <summary>Issue 6, points 2 and 3: alignments (exactly one target, duplicates 409, plan ETags) and coverage.</summary>
[Collection(ApiCollection.Name)]
public sealed class AlignmentTests(CspApiFactory factory)
{
    private sealed record Setup(TestTenant T, Guid PlanId, Guid PriorityId, Guid CommitmentId, Guid IndicatorId, Guid OtherPlanId, Guid FrameworkId,
        Guid Safer, Guid Homes, Guid Economy);

    private async Task<Setup> ArrangeAsync()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync("Plan 2025-26", "2025-04-01", "2026-03-31");
        var priority = await t.CreatePriorityAsync(plan.Id(), "P1", "Reducing violence");
        var commitment = await t.CreateCommitmentAsync(priority.Id(), "C1", "Phone-theft posters");
        var other = await t.CreatePlanAsync("Plan 2026-27", "2026-04-01", "2027-03-31");
        var otherPriority = await t.CreatePriorityAsync(other.Id(), "P1", "Reducing violence");
        var indicator = await t.CreateIndicatorAsync("ROB-PERSONAL", met.Id(), priority.Id(), otherPriority.Id());
        var f = await t.CreateFrameworkAsync();
        var homes = await t.CreateOutcomeAsync(f.Id(), "S2030-1", "Decent homes for all");
        var safer = await t.CreateOutcomeAsync(f.Id(), "S2030-3", "A safer Southwark");
        var economy = await t.CreateOutcomeAsync(f.Id(), "S2030-4", "A strong and fair economy");
        return new Setup(t, plan.Id(), priority.Id(), commitment.Id(), indicator.Id(), other.Id(), f.Id(), safer.Id(), homes.Id(), economy.Id());
    }

    [Fact]
    public async Task Aligning_a_commitment_returns_201_stores_it_audits_it_and_changes_the_plan_ETag()
    {
        var s = await ArrangeAsync();
        var t = s.T;
        var etag = ETagOf(await t.Admin.GetAsync(t.Path($"/plans/{s.PlanId}")));

        var response = await t.PostAlignmentAsync(s.Safer, commitmentId: s.CommitmentId, rationale: "Fewer phone thefts on our streets");

        var body = await TestTenant.Expect(response, HttpStatusCode.Created);
        Assert.Equal(t.Path($"/alignments/{body.Id()}"), response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", ETagOf(response));
        Assert.Equal(s.Safer, body["outcomeId"]!.GetValue<Guid>());
        Assert.Equal(s.FrameworkId, body["frameworkId"]!.GetValue<Guid>());
        Assert.Equal("S2030-3", body.Str("outcomeCode"));
        Assert.Equal("A safer Southwark", body.Str("outcomeTitle"));
        Assert.Equal(s.CommitmentId, body["commitmentId"]!.GetValue<Guid>());
        Assert.Null(body["priorityId"]);
        Assert.Null(body["indicatorId"]);
        Assert.Equal("commitment", body.Str("targetType"));
        Assert.Equal("Fewer phone thefts on our streets", body.Str("rationale"));
        var row = Assert.Single(await factory.QueryAsync<(Guid, Guid?, Guid?, Guid?, string)>(
            "SELECT outcome_id, commitment_id, priority_id, indicator_id, rationale FROM alignments WHERE id = @id", new { id = body.Id().ToString() }));
        Assert.Equal((s.Safer, (Guid?)s.CommitmentId, (Guid?)null, (Guid?)null, "Fewer phone thefts on our streets"), row);
        Assert.Equal(["create"], await t.AuditActionsAsync("alignment", body.Id()));
        var after = await t.Admin.SendAsync(HttpMethod.Get, t.Path($"/plans/{s.PlanId}"), ifNoneMatch: etag);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task An_indicator_alignment_changes_the_ETag_of_every_plan_with_a_priority_linked_to_it()
    {
        var s = await ArrangeAsync();
        var before = (await s.T.PlanVersionAsync(s.PlanId), await s.T.PlanVersionAsync(s.OtherPlanId));

        var alignment = await s.T.AlignAsync(s.Safer, indicatorId: s.IndicatorId);

        Assert.True(await s.T.PlanVersionAsync(s.PlanId) > before.Item1);
        Assert.True(await s.T.PlanVersionAsync(s.OtherPlanId) > before.Item2);
        var middle = (await s.T.PlanVersionAsync(s.PlanId), await s.T.PlanVersionAsync(s.OtherPlanId));
        Assert.Equal(HttpStatusCode.NoContent, (await s.T.Admin.DeleteAsync(s.T.Path($"/alignments/{alignment.Id()}"))).StatusCode);
        Assert.True(await s.T.PlanVersionAsync(s.PlanId) > middle.Item1);
        Assert.True(await s.T.PlanVersionAsync(s.OtherPlanId) > middle.Item2);
        Assert.Equal(["create", "delete"], await s.T.AuditActionsAsync("alignment", alignment.Id()));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM alignments WHERE partnership_id = @id", s.T.Id));
    }

    [Fact]
    public async Task No_target_or_two_targets_is_a_400_and_nothing_is_stored_or_audited()
    {
        var s = await ArrangeAsync();
        var events = await s.T.AuditCountAsync();

        await ExpectInvalid(await s.T.PostAlignmentAsync(s.Safer), "target");
        await ExpectInvalid(await s.T.PostAlignmentAsync(s.Safer, priorityId: s.PriorityId, commitmentId: s.CommitmentId), "target");
        await ExpectInvalid(await s.T.Admin.PostAsJsonAsync(s.T.Path("/alignments"), new { outcomeId = s.Safer, priorityId = s.PriorityId, rationale = "" }), "rationale");
        await ExpectInvalid(await s.T.PostAlignmentAsync(Guid.NewGuid(), priorityId: s.PriorityId), "outcomeId");
        await ExpectInvalid(await s.T.PostAlignmentAsync(s.Safer, priorityId: Guid.NewGuid()), "priorityId");

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM alignments WHERE partnership_id = @id", s.T.Id));
        Assert.Equal(events, await s.T.AuditCountAsync());
    }

    [Fact]
    public async Task A_duplicate_alignment_is_a_409_and_leaves_one_row_and_the_plan_ETag_alone()
    {
        var s = await ArrangeAsync();
        await s.T.AlignAsync(s.Safer, priorityId: s.PriorityId);
        var version = await s.T.PlanVersionAsync(s.PlanId);

        var body = await ExpectConflict(await s.T.PostAlignmentAsync(s.Safer, priorityId: s.PriorityId, rationale: "Again"));

        Assert.Contains("already aligned", body.Str("detail"));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM alignments WHERE partnership_id = @id", s.T.Id));
        Assert.Equal(version, await s.T.PlanVersionAsync(s.PlanId));
        // The same target to another outcome is fine.
        await s.T.AlignAsync(s.Homes, priorityId: s.PriorityId);
    }

    [Fact]
    public async Task Alignments_are_listed_by_outcome_or_target_and_a_stale_delete_is_412()
    {
        var s = await ArrangeAsync();
        var a1 = await s.T.AlignAsync(s.Safer, priorityId: s.PriorityId);
        var a2 = await s.T.AlignAsync(s.Safer, commitmentId: s.CommitmentId);
        var a3 = await s.T.AlignAsync(s.Homes, commitmentId: s.CommitmentId);
        var a4 = await s.T.AlignAsync(s.Homes, indicatorId: s.IndicatorId);

        Assert.Equal(new[] { a1.Id(), a2.Id() }, (await s.T.GetOkAsync($"/alignments?outcomeId={s.Safer}")).ItemIds());
        Assert.Equal(new[] { a2.Id(), a3.Id() }, (await s.T.GetOkAsync($"/alignments?commitmentId={s.CommitmentId}")).ItemIds());
        Assert.Equal(new[] { a1.Id() }, (await s.T.GetOkAsync($"/alignments?priorityId={s.PriorityId}")).ItemIds());
        Assert.Equal(new[] { a4.Id() }, (await s.T.GetOkAsync($"/alignments?indicatorId={s.IndicatorId}")).ItemIds());
        Assert.Equal(4, (await s.T.GetOkAsync($"/alignments?frameworkId={s.FrameworkId}")).ItemIds().Length);
        var page = await s.T.GetOkAsync("/alignments?limit=3");
        Assert.Equal(new[] { a1.Id(), a2.Id(), a3.Id() }, page.ItemIds());

        await ExpectStale(await s.T.Admin.SendAsync(HttpMethod.Delete, s.T.Path($"/alignments/{a1.Id()}"), ifMatch: "\"5\""));
        Assert.Equal(HttpStatusCode.NoContent, (await s.T.Admin.SendAsync(HttpMethod.Delete, s.T.Path($"/alignments/{a1.Id()}"), ifMatch: "\"1\"")).StatusCode);
        await ExpectNotFound(await s.T.Admin.GetAsync(s.T.Path($"/alignments/{a1.Id()}")));
        await ExpectNotFound(await s.T.Admin.DeleteAsync(s.T.Path($"/alignments/{a1.Id()}")));
    }

    [Fact]
    public async Task An_archived_plans_priorities_cannot_be_aligned_409()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var f = await t.CreateFrameworkAsync();
        var outcome = await t.CreateOutcomeAsync(f.Id(), "S2030-3", "A safer Southwark");
        await t.ApprovePlanAsync(plan.Id());
        var kept = await t.AlignAsync(outcome.Id(), priorityId: priority.Id());
        await t.ArchivePlanAsync(plan.Id());

        await ExpectConflict(await t.PostAlignmentAsync(outcome.Id(), commitmentId: null, priorityId: priority.Id(), rationale: "Late"));
        await ExpectConflict(await t.Admin.DeleteAsync(t.Path($"/alignments/{kept.Id()}")));
        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM alignments WHERE partnership_id = @id", t.Id));
    }

    [Fact]
    public async Task Deleting_a_priority_removes_its_and_its_commitments_alignments_with_tombstones()
    {
        var s = await ArrangeAsync();
        var a1 = await s.T.AlignAsync(s.Safer, priorityId: s.PriorityId);
        var a2 = await s.T.AlignAsync(s.Safer, commitmentId: s.CommitmentId);
        var a3 = await s.T.AlignAsync(s.Safer, indicatorId: s.IndicatorId);

        Assert.Equal(HttpStatusCode.NoContent, (await s.T.Admin.DeleteAsync(s.T.Path($"/priorities/{s.PriorityId}"))).StatusCode);

        Assert.Equal(new[] { a3.Id() }, (await s.T.GetOkAsync("/alignments")).ItemIds());
        Assert.Equal(["create", "delete"], await s.T.AuditActionsAsync("alignment", a1.Id()));
        Assert.Equal(["create", "delete"], await s.T.AuditActionsAsync("alignment", a2.Id()));
    }

    [Fact]
    public async Task Deleting_a_commitment_removes_its_alignments_with_tombstones_in_the_change_feed()
    {
        var s = await ArrangeAsync();
        var onCommitment = await s.T.AlignAsync(s.Safer, commitmentId: s.CommitmentId);
        var onPriority = await s.T.AlignAsync(s.Safer, priorityId: s.PriorityId);
        var cursor = await LatestSeqAsync(s.T);

        Assert.Equal(HttpStatusCode.NoContent, (await s.T.Admin.DeleteAsync(s.T.Path($"/commitments/{s.CommitmentId}"))).StatusCode);

        Assert.Equal(new[] { onPriority.Id() }, (await s.T.GetOkAsync("/alignments")).ItemIds());
        Assert.Equal(HttpStatusCode.NotFound, (await s.T.Admin.GetAsync(s.T.Path($"/alignments/{onCommitment.Id()}"))).StatusCode);
        Assert.Contains(("alignment", onCommitment.Id(), "delete"), await ChangesAfterAsync(s.T, cursor));
        Assert.Contains(("commitment", s.CommitmentId, "delete"), await ChangesAfterAsync(s.T, cursor));
    }

    [Fact]
    public async Task Force_deleting_an_indicator_removes_its_alignments_with_tombstones_in_the_change_feed()
    {
        var s = await ArrangeAsync();
        var onIndicator = await s.T.AlignAsync(s.Safer, indicatorId: s.IndicatorId);
        var cursor = await LatestSeqAsync(s.T);

        Assert.Equal(HttpStatusCode.NoContent, (await s.T.Admin.DeleteAsync(s.T.Path($"/indicators/{s.IndicatorId}?force=true"))).StatusCode);

        Assert.Empty((await s.T.GetOkAsync("/alignments")).ItemIds());
        Assert.Equal(["create", "delete"], await s.T.AuditActionsAsync("alignment", onIndicator.Id()));
        Assert.Contains(("alignment", onIndicator.Id(), "delete"), await ChangesAfterAsync(s.T, cursor));
    }

    /// <summary>The cursor after the last change so far (the feed followed to its end).</summary>
    private static async Task<long> LatestSeqAsync(TestTenant t)
    {
        long after = 0;
        while (true)
        {
            var page = await t.GetOkAsync($"/changes?after={after}&limit=1000");
            after = page["next"]!.GetValue<long>();
            if (!page["hasMore"]!.GetValue<bool>()) return after;
        }
    }

    private static async Task<List<(string EntityType, Guid EntityId, string Op)>> ChangesAfterAsync(TestTenant t, long after) =>
        (await t.GetOkAsync($"/changes?after={after}&limit=1000"))["items"]!.AsArray()
            .Select(i => (i!["entityType"]!.GetValue<string>(), i["entityId"]!.GetValue<Guid>(), i["op"]!.GetValue<string>())).ToList();

    [Fact]
    public async Task Coverage_lists_per_outcome_what_the_plan_aligns_counts_commitments_by_status_and_names_the_gaps()
    {
        var s = await ArrangeAsync();
        var t = s.T;
        var second = await t.CreateCommitmentAsync(s.PriorityId, "C2", "Wardens");
        await t.AddUpdateAsync(second.Id(), "at_risk", "Recruitment slow");
        var p = await t.AlignAsync(s.Safer, priorityId: s.PriorityId, rationale: "Violence");
        var c = await t.AlignAsync(s.Homes, commitmentId: s.CommitmentId, rationale: "Estates");
        var i = await t.AlignAsync(s.Safer, indicatorId: s.IndicatorId, rationale: "Robbery");
        // The other plan's own alignments are not this plan's coverage.
        var otherPriority = (await t.GetOkAsync($"/plans/{s.OtherPlanId}/priorities")).ItemIds()[0];
        await t.AlignAsync(s.Economy, priorityId: otherPriority);

        var coverage = await t.GetOkAsync($"/frameworks/{s.FrameworkId}/coverage?planId={s.PlanId}");

        Assert.Equal(s.PlanId, coverage["planId"]!.GetValue<Guid>());
        Assert.Equal("S2030", coverage.Str("frameworkCode"));
        Assert.Equal(3, coverage["outcomeCount"]!.GetValue<int>());
        Assert.Equal(2, coverage["coveredCount"]!.GetValue<int>());
        var outcomes = coverage["outcomes"]!.AsArray();
        Assert.Equal(new[] { "S2030-1", "S2030-3", "S2030-4" }, outcomes.Select(o => o!["code"]!.GetValue<string>()));
        var homes = outcomes[0]!.AsObject();
        Assert.Equal(s.CommitmentId, homes["commitments"]![0]!["id"]!.GetValue<Guid>());
        Assert.Equal(c.Id(), homes["commitments"]![0]!["alignmentId"]!.GetValue<Guid>());
        Assert.Equal("not_started", homes["commitments"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(1, homes["commitmentStatusCounts"]!["notStarted"]!.GetValue<int>());
        var safer = outcomes[1]!.AsObject();
        Assert.Equal(p.Id(), safer["priorities"]![0]!["alignmentId"]!.GetValue<Guid>());
        Assert.Equal("ROB-PERSONAL", safer["indicators"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(i.Id(), safer["indicators"]![0]!["alignmentId"]!.GetValue<Guid>());
        Assert.Empty(safer["commitments"]!.AsArray());
        // Both commitments of the aligned priority deliver the outcome.
        Assert.Equal(1, safer["commitmentStatusCounts"]!["notStarted"]!.GetValue<int>());
        Assert.Equal(1, safer["commitmentStatusCounts"]!["atRisk"]!.GetValue<int>());
        Assert.True(safer["covered"]!.GetValue<bool>());
        Assert.False(outcomes[2]!["covered"]!.GetValue<bool>());
        var gap = Assert.Single(coverage["gaps"]!.AsArray())!;
        Assert.Equal(s.Economy, gap["outcomeId"]!.GetValue<Guid>());
        Assert.Equal("A strong and fair economy", gap["title"]!.GetValue<string>());

        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/frameworks/{s.FrameworkId}/coverage?planId={Guid.NewGuid()}")));
        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/frameworks/{Guid.NewGuid()}/coverage?planId={s.PlanId}")));
        // No current approved plan: no default.
        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/frameworks/{s.FrameworkId}/coverage")));
    }
}
