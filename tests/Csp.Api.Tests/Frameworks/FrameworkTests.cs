using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Frameworks;

/// <summary>Issue 6, point 1: frameworks and their outcomes, and versioning.</summary>
[Collection(ApiCollection.Name)]
public sealed class FrameworkTests(CspApiFactory factory)
{
    [Fact]
    public async Task Creating_a_framework_returns_201_with_location_and_etag_and_stores_it_with_an_audit_event()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsJsonAsync(t.Path("/frameworks"),
            new { code = "S2030", title = "Southwark 2030", publisher = "Southwark Council", adoptedOn = "2024-07-17", url = "https://www.southwark.gov.uk/southwark-2030" });

        var body = await TestTenant.Expect(response, HttpStatusCode.Created);
        Assert.Equal(t.Path($"/frameworks/{body.Id()}"), response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", ETagOf(response));
        Assert.Equal("S2030", body.Str("code"));
        Assert.Equal(1, body["versionNo"]!.GetValue<long>());
        Assert.Equal("2024-07-17", body.Str("adoptedOn"));
        Assert.Null(body["supersedesId"]);
        Assert.Null(body["supersededById"]);
        var row = Assert.Single(await factory.QueryAsync<(Guid, string, long, string, DateOnly?)>(
            "SELECT partnership_id, code, version_no, title, adopted_on FROM frameworks WHERE id = @id", new { id = body.Id().ToString() }));
        Assert.Equal((t.Id, "S2030", 1L, "Southwark 2030", (DateOnly?)new DateOnly(2024, 7, 17)), row);
        Assert.Equal(["create"], await t.AuditActionsAsync("framework", body.Id()));

        var fetched = await TestTenant.Expect(await t.Admin.GetAsync(response.Headers.Location), HttpStatusCode.OK);
        Assert.Equal("Southwark Council", fetched.Str("publisher"));
    }

    [Fact]
    public async Task A_duplicate_code_a_bad_url_and_a_missing_title_are_400s()
    {
        var t = await TestTenant.CreateAsync(factory);
        await t.CreateFrameworkAsync("S2030");

        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path("/frameworks"), new { code = "S2030", title = "Again" }), "code");
        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path("/frameworks"), new { code = "PCP", title = "PCP", url = "ftp://x" }), "url");
        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path("/frameworks"), new { code = "PCP" }), "title");

        Assert.Equal(1, await factory.CountAsync("SELECT COUNT(*) FROM frameworks WHERE partnership_id = @id", t.Id));
    }

    [Fact]
    public async Task Replacing_a_framework_needs_a_current_ETag_and_an_unchanged_write_writes_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);
        var f = await t.CreateFrameworkAsync();

        await ExpectStale(await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/frameworks/{f.Id()}"), new { code = "S2030", title = "Stale" }, ifMatch: "\"7\""));
        var same = await TestTenant.Expect(await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/frameworks/{f.Id()}"),
            new { code = "S2030", title = "Southwark 2030", publisher = "Southwark Council", adoptedOn = "2024-07-17", url = "https://www.southwark.gov.uk/southwark-2030" }), HttpStatusCode.OK);
        Assert.Equal(1, same.Version());
        var changed = await TestTenant.Expect(await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/frameworks/{f.Id()}"),
            new { code = "S2030", title = "Southwark 2030 strategy" }, ifMatch: "\"1\""), HttpStatusCode.OK);

        Assert.Equal(2, changed.Version());
        Assert.Equal("Southwark 2030 strategy", await factory.ScalarAsync<string>("SELECT title FROM frameworks WHERE id = @id", new { id = f.Id().ToString() }));
        Assert.Null(await factory.ScalarAsync<string?>("SELECT publisher FROM frameworks WHERE id = @id", new { id = f.Id().ToString() }));
        Assert.Equal(["create", "update"], await t.AuditActionsAsync("framework", f.Id()));
    }

    [Fact]
    public async Task Outcomes_are_created_in_order_listed_replaced_and_deleted()
    {
        var t = await TestTenant.CreateAsync(factory);
        var f = await t.CreateFrameworkAsync();
        var second = await t.CreateOutcomeAsync(f.Id(), "S2030-2", "A good start in life", 2);
        var first = await t.CreateOutcomeAsync(f.Id(), "S2030-1", "Decent homes for all", 1);
        var third = await t.CreateOutcomeAsync(f.Id(), "S2030-3", "A safer Southwark");

        Assert.Equal(3, third["position"]!.GetValue<long>());
        Assert.Equal(f.Id(), third["frameworkId"]!.GetValue<Guid>());
        var list = await t.GetOkAsync($"/frameworks/{f.Id()}/outcomes?limit=2");
        Assert.Equal(new[] { first.Id(), second.Id() }, list.ItemIds());
        var rest = await t.GetOkAsync($"/frameworks/{f.Id()}/outcomes?limit=2&cursor={Uri.EscapeDataString(list.Str("nextCursor"))}");
        Assert.Equal(new[] { third.Id() }, rest.ItemIds());

        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/frameworks/{f.Id()}/outcomes"), new { code = "S2030-1", title = "Again" }), "code");
        await ExpectNotFound(await t.Admin.PostAsJsonAsync(t.Path($"/frameworks/{Guid.NewGuid()}/outcomes"), new { code = "X", title = "Nowhere" }));

        var renamed = await TestTenant.Expect(await t.Admin.SendAsync(HttpMethod.Put, t.Path($"/outcomes/{third.Id()}"),
            new { code = "S2030-3", title = "A safer Southwark for all", description = "Less crime" }, ifMatch: "\"1\""), HttpStatusCode.OK);
        Assert.Equal("A safer Southwark for all", renamed.Str("title"));
        Assert.Equal(3, renamed["position"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.DeleteAsync(t.Path($"/outcomes/{second.Id()}"))).StatusCode);
        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/outcomes/{second.Id()}")));
        Assert.Equal(2, await factory.CountAsync("SELECT COUNT(*) FROM outcomes WHERE framework_id = @id", f.Id()));
        Assert.Equal(["create", "delete"], await t.AuditActionsAsync("outcome", second.Id()));
    }

    [Fact]
    public async Task A_new_version_supersedes_the_old_copies_its_outcomes_and_leaves_old_alignments_readable()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id(), "P1", "Reducing violence");
        var v1 = await t.CreateFrameworkAsync("PCP", "Police and Crime Plan 2021–25");
        var aim = await t.CreateOutcomeAsync(v1.Id(), "PCP-1", "Reducing violence");
        await t.CreateOutcomeAsync(v1.Id(), "PCP-2", "Increasing trust");
        var alignment = await t.AlignAsync(aim.Id(), priorityId: priority.Id(), rationale: "Violence reduction");

        var response = await t.Admin.PostAsJsonAsync(t.Path($"/frameworks/{v1.Id()}/versions"),
            new { title = "Police and Crime Plan 2025–29", publisher = "MOPAC", adoptedOn = "2025-03-01" });

        var v2 = await TestTenant.Expect(response, HttpStatusCode.Created);
        Assert.Equal(t.Path($"/frameworks/{v2.Id()}"), response.Headers.Location?.OriginalString);
        Assert.Equal("PCP", v2.Str("code"));
        Assert.Equal(2, v2["versionNo"]!.GetValue<long>());
        Assert.Equal(v1.Id(), v2["supersedesId"]!.GetValue<Guid>());
        var old = await t.GetOkAsync($"/frameworks/{v1.Id()}");
        Assert.Equal(v2.Id(), old["supersededById"]!.GetValue<Guid>());
        var copied = await t.GetOkAsync($"/frameworks/{v2.Id()}/outcomes");
        Assert.Equal(new[] { "PCP-1", "PCP-2" }, copied["items"]!.AsArray().Select(o => o!["code"]!.GetValue<string>()));
        Assert.DoesNotContain(aim.Id(), copied.ItemIds());
        Assert.Equal(4, await factory.CountAsync("SELECT COUNT(*) FROM outcomes WHERE partnership_id = @id", t.Id));

        // The old alignment is still there and still names the old version.
        var kept = await t.GetOkAsync($"/alignments/{alignment.Id()}");
        Assert.Equal(v1.Id(), kept["frameworkId"]!.GetValue<Guid>());
        Assert.Equal("PCP-1", kept.Str("outcomeCode"));
        var current = await t.GetOkAsync("/frameworks?current=true");
        Assert.Equal(new[] { v2.Id() }, current.ItemIds());
        Assert.Equal(2, (await t.GetOkAsync("/frameworks")).ItemIds().Length);

        // Only the current version can be versioned.
        await ExpectConflict(await t.Admin.PostAsJsonAsync(t.Path($"/frameworks/{v1.Id()}/versions"), new { title = "Fork" }));
        Assert.Equal(2, await factory.CountAsync("SELECT COUNT(*) FROM frameworks WHERE partnership_id = @id", t.Id));
        Assert.Equal(["create"], await t.AuditActionsAsync("framework", v2.Id()));
    }

    [Fact]
    public async Task Deleting_a_framework_removes_its_outcomes_and_alignments_and_changes_the_plan_ETag()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id(), "P1");
        var f = await t.CreateFrameworkAsync();
        var outcome = await t.CreateOutcomeAsync(f.Id(), "S2030-3", "A safer Southwark");
        var alignment = await t.AlignAsync(outcome.Id(), priorityId: priority.Id());
        var before = await t.PlanVersionAsync(plan.Id());

        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.DeleteAsync(t.Path($"/frameworks/{f.Id()}"))).StatusCode);

        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/frameworks/{f.Id()}")));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM outcomes WHERE partnership_id = @id", t.Id));
        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM alignments WHERE partnership_id = @id", t.Id));
        Assert.True(await t.PlanVersionAsync(plan.Id()) > before);
        Assert.Equal(["create", "delete"], await t.AuditActionsAsync("alignment", alignment.Id()));
        Assert.Equal(["create", "delete"], await t.AuditActionsAsync("outcome", outcome.Id()));
        Assert.Equal(["create", "delete"], await t.AuditActionsAsync("framework", f.Id()));
    }
}
