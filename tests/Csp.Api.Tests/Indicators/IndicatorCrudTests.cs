using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Indicators;

[Collection(ApiCollection.Name)]
public sealed class IndicatorCrudTests(CspApiFactory factory)
{
    [Fact]
    public async Task An_indicator_is_created_with_priorities_baseline_and_target_and_reads_back()
    {
        var t = await TestTenant.CreateAsync(factory, "ind");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var plan = await t.CreatePlanAsync();
        var p1 = (await t.CreatePriorityAsync(plan.Id(), "P1")).Id();
        var p2 = (await t.CreatePriorityAsync(plan.Id(), "P2", "Trust and confidence")).Id();

        var created = await t.CreateIndicatorAsync(met, "ROB-PERSONAL", priorityIds: [p1, p2],
            baseline: new { value = 2100, period = "2023April" }, target: new { value = 1900.5m, period = "2025-26" }, frequency: "financial_year", unit: "rate_per_1000");

        Assert.Equal(("ROB-PERSONAL", "rate_per_1000", "decrease", "financial_year"), (created.Str("code"), created.Str("unit"), created.Str("direction"), created.Str("frequency")));
        Assert.Equal("2023-24", created["baseline"]!["period"]!.GetValue<string>());
        Assert.Equal(1900.5m, created["target"]!["value"]!.GetValue<decimal>());
        var got = await t.Admin.GetAsync(t.Path($"/indicators/{created.Id()}"));
        var body = await TestTenant.Expect(got, HttpStatusCode.OK);
        Assert.Equal("\"1\"", got.Headers.ETag?.Tag);
        Assert.Equal(new[] { p1, p2 }.Order(), body["priorityIds"].Arr().Select(p => p!.GetValue<Guid>()).Order());
        Assert.Equal(new[] { "2023-24", "2100" }, (await factory.QueryTextAsync(
            "SELECT baseline_period, baseline_value FROM indicators WHERE id = @id", new { id = created.Id() })).Single());
        // The deprecated single target is the partnership-area entry of the trajectory.
        Assert.Equal(new[] { "E09000028", "2025-26", "1900.5" }, (await factory.QueryTextAsync(
            "SELECT area, period, value FROM indicator_targets WHERE indicator_id = @id", new { id = created.Id() })).Single());
        Assert.Equal(2L, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM indicator_priorities WHERE indicator_id = @id", new { id = created.Id() }));

        var list = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/indicators")), HttpStatusCode.OK);
        Assert.Equal(created.Id(), Assert.Single(list["items"].Arr())!.AsObject().Id());
    }

    [Fact]
    public async Task Invalid_indicators_are_400_with_field_errors()
    {
        var t = await TestTenant.CreateAsync(factory, "ind");
        var met = (await t.CreateAgencyAsync("MET")).Id();

        var response = await t.Admin.PostAsJsonAsync(t.Path("/indicators"), new
        {
            code = "bad code", name = "", unit = "percent", direction = "increase", frequency = "quarterly", sourceAgencyId = met,
            baseline = new { value = 101, period = "2024-06" }, target = new { value = 50, period = "2024-Q5" },
        });

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.Equal(new[] { "baseline.period", "baseline.value", "code", "name", "target.period" }, errors.Select(e => e.Key).Order());
        Assert.Contains("not a quarterly period", errors["baseline.period"]![0]!.GetValue<string>());

        var unknown = await t.Admin.PostAsJsonAsync(t.Path("/indicators"), new
        {
            code = "X", name = "x", unit = "count", direction = "increase", frequency = "monthly", sourceAgencyId = Guid.NewGuid(), priorityIds = new[] { Guid.NewGuid() },
        });
        var unknownErrors = (await TestTenant.ExpectProblem(unknown, HttpStatusCode.BadRequest))["errors"]!.AsObject();
        Assert.Equal(new[] { "priorityIds", "sourceAgencyId" }, unknownErrors.Select(e => e.Key).Order());
        Assert.Equal(0, await t.CountAsync("indicators"));
    }

    [Fact]
    public async Task Codes_are_unique_per_partnership()
    {
        var t = await TestTenant.CreateAsync(factory, "ind");
        var other = await TestTenant.CreateAsync(factory, "ind");
        await t.CreateIndicatorAsync((await t.CreateAgencyAsync("MET")).Id(), "ASB-CALLS");
        await other.CreateIndicatorAsync((await other.CreateAgencyAsync("MET")).Id(), "ASB-CALLS");

        var duplicate = await t.Admin.PostAsJsonAsync(t.Path("/indicators"), new
        {
            code = "ASB-CALLS", name = "again", unit = "count", direction = "decrease", frequency = "monthly",
            sourceAgencyId = (await factory.QueryAsync<Guid>("SELECT id FROM agencies WHERE partnership_id = @p", new { p = t.Id })).Single(),
        });

        Assert.NotNull((await TestTenant.ExpectProblem(duplicate, HttpStatusCode.BadRequest))["errors"]!["code"]);
        Assert.Equal(1, await t.CountAsync("indicators"));
    }

    [Fact]
    public async Task Put_replaces_with_if_match_and_refuses_a_frequency_change_once_there_are_observations()
    {
        var t = await TestTenant.CreateAsync(factory, "ind");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var indicator = await t.CreateIndicatorAsync(met, "KNIFE-INJURY");
        var path = t.Path($"/indicators/{indicator.Id()}");
        object Body(string frequency, string name = "Knife crime with injury") =>
            new { code = "KNIFE-INJURY", name, unit = "count", direction = "decrease", frequency, sourceAgencyId = met, target = frequency == "annual" ? new { value = 10, period = "2025" } : null };

        var stale = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(Body("annual")) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"7\""));
        await TestTenant.ExpectProblem(await t.Admin.SendAsync(stale), HttpStatusCode.PreconditionFailed);

        var fresh = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(Body("annual")) };
        fresh.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        var updated = await TestTenant.Expect(await t.Admin.SendAsync(fresh), HttpStatusCode.OK);
        Assert.Equal(("annual", 2L), (updated.Str("frequency"), updated["version"]!.GetValue<long>()));

        await t.Admin.PushOkAsync(t, [Row("KNIFE-INJURY", "2024", 12)]);
        await TestTenant.ExpectProblem(await t.Admin.PutAsJsonAsync(path, Body("monthly")), HttpStatusCode.Conflict);
        var renamed = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(path, Body("annual", "Knife crime (injury)")), HttpStatusCode.OK);
        Assert.Equal("Knife crime (injury)", renamed.Str("name"));
        Assert.Equal("annual", await factory.ScalarAsync<string>("SELECT frequency FROM indicators WHERE id = @id", new { id = indicator.Id() }));
    }

    [Fact]
    public async Task Deleting_an_indicator_with_observations_needs_force_by_an_admin()
    {
        var t = await TestTenant.CreateAsync(factory, "ind");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var plan = await t.CreatePlanAsync();
        var p1 = (await t.CreatePriorityAsync(plan.Id())).Id();
        var used = await t.CreateIndicatorAsync(met, "USED", priorityIds: [p1]);
        var unused = await t.CreateIndicatorAsync(met, "UNUSED");
        await t.Admin.PushOkAsync(t, [Row("USED", "2024-05", 1), Row("USED", "2024-06", 2)]);
        await t.Admin.PushOkAsync(t, [Row("USED", "2024-06", 3)]);
        var (writer, _, _) = await t.KeyAsync(["read", "plans:write"]);

        await TestTenant.Expect(await writer.DeleteAsync(t.Path($"/indicators/{unused.Id()}")), HttpStatusCode.NoContent);
        var conflict = await TestTenant.ExpectProblem(await writer.DeleteAsync(t.Path($"/indicators/{used.Id()}")), HttpStatusCode.Conflict);
        Assert.Contains("force=true", conflict.Str("detail"));
        await TestTenant.ExpectProblem(await writer.DeleteAsync(t.Path($"/indicators/{used.Id()}?force=true")), HttpStatusCode.Forbidden);
        Assert.Equal(2, await t.CountAsync("observations"));

        await TestTenant.Expect(await t.Admin.DeleteAsync(t.Path($"/indicators/{used.Id()}?force=true")), HttpStatusCode.NoContent);

        Assert.Equal((0L, 0L, 0L, 0L), (await t.CountAsync("indicators"), await t.CountAsync("observations"),
            await t.CountAsync("observation_revisions"), await t.CountAsync("indicator_priorities")));
        await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path($"/indicators/{used.Id()}")), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Scopes_and_tenancy_are_enforced()
    {
        var t = await TestTenant.CreateAsync(factory, "ind");
        var other = await TestTenant.CreateAsync(factory, "ind");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var indicator = await t.CreateIndicatorAsync(met, "ROB-PERSONAL");
        var (reader, _, _) = await t.KeyAsync(["read"]);
        var (pusher, _, _) = await t.KeyAsync(["observations:write"]);

        await TestTenant.Expect(await reader.GetAsync(t.Path($"/indicators/{indicator.Id()}")), HttpStatusCode.OK);
        await TestTenant.ExpectProblem(await pusher.GetAsync(t.Path($"/indicators/{indicator.Id()}")), HttpStatusCode.Forbidden);
        await TestTenant.ExpectProblem(await reader.DeleteAsync(t.Path($"/indicators/{indicator.Id()}")), HttpStatusCode.Forbidden);
        await TestTenant.ExpectProblem(await other.Admin.GetAsync(other.Path($"/indicators/{indicator.Id()}")), HttpStatusCode.NotFound);
        await TestTenant.ExpectProblem(await other.Admin.DeleteAsync(other.Path($"/indicators/{indicator.Id()}")), HttpStatusCode.NotFound);
        await TestTenant.ExpectProblem(await other.Admin.GetAsync(other.Path($"/indicators/{indicator.Id()}/observations")), HttpStatusCode.NotFound);
        Assert.Equal(1, await t.CountAsync("indicators"));
    }
}
