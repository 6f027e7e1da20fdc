using System.Net;
using System.Text;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Http;

/// <summary>A body is read as written: names match exactly (a case variant is an unknown property), a property sent twice is
/// refused, and enums are names, never numbers. Each is a 400 naming the problem, and nothing is stored.</summary>
[Collection(ApiCollection.Name)]
public sealed class StrictJsonTests(CspApiFactory factory)
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private Task<long> CountAsync(TestTenant t, string table) =>
        factory.ScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE partnership_id = @p", new { p = t.Id.ToString() });

    [Fact]
    public async Task A_case_variant_name_does_not_override_the_real_one()
    {
        var t = await TestTenant.CreateAsync(factory);
        var clients = await CountAsync(t, "clients");

        var response = await t.Admin.PostAsync(t.Path("/clients"), Json("""{"name":"feed","scopes":["read"],"SCOPES":["admin"]}"""));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains("SCOPES", problem["errors"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(clients, await CountAsync(t, "clients"));
    }

    [Fact]
    public async Task A_property_sent_twice_is_refused()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsync(t.Path("/agencies"), Json("""{"code":"MET","name":"Met","kind":"police","name":"Other"}"""));

        await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, await CountAsync(t, "agencies"));
    }

    public static TheoryData<string, string> NumericEnums => new()
    {
        { "/agencies", """{"code":"MET","name":"Met","kind":1}""" },
        { "/plans", """{"title":"Plan","periodStart":"2025-04-01","periodEnd":"2026-03-31","status":1}""" },
        { "/indicators", """{"code":"ROB","name":"Robbery","unit":0,"direction":"decrease","frequency":"monthly","sourceAgencyId":"00000000-0000-0000-0000-000000000001"}""" },
        { "/indicators", """{"code":"ROB","name":"Robbery","unit":"count","direction":1,"frequency":"monthly","sourceAgencyId":"00000000-0000-0000-0000-000000000001"}""" },
        { "/indicators", """{"code":"ROB","name":"Robbery","unit":"count","direction":"decrease","frequency":2,"sourceAgencyId":"00000000-0000-0000-0000-000000000001"}""" },
        { "/observations", """{"observations":[{"indicator":"ROB","period":"2024-06","value":1,"status":99}]}""" },
    };

    [Theory]
    [MemberData(nameof(NumericEnums))]
    public async Task An_enum_given_as_a_number_is_refused(string path, string body)
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsync(t.Path(path), Json(body));

        await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, await CountAsync(t, "agencies") + await CountAsync(t, "indicators") + await CountAsync(t, "observations"));
    }

    [Fact]
    public async Task A_commitment_status_given_as_a_number_is_refused_and_nothing_is_recorded()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());

        var response = await t.Admin.PostAsync(t.Path($"/commitments/{commitment.Id()}/updates"), Json("""{"status":99,"commentary":"x"}"""));

        await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, await CountAsync(t, "commitment_updates"));
    }
}
