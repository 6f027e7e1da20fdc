using System.Net;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Http;

/// <summary>A query parameter the operation does not take is a 400 naming it, never silently ignored.</summary>
[Collection(ApiCollection.Name)]
public sealed class QueryParameterTests(CspApiFactory factory)
{
    [Fact]
    public async Task A_misspelt_filter_is_a_400_naming_it_and_listing_the_real_ones()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();

        var response = await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}/commitments?stauts=at_risk&limit=5"));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        var message = problem["errors"]!["stauts"]![0]!.GetValue<string>();
        Assert.Contains("'stauts' is not a query parameter", message, StringComparison.Ordinal);
        Assert.True(message.Contains("status", StringComparison.Ordinal), message);
        Assert.Null(problem["errors"]!["limit"]);
    }

    [Fact]
    public async Task An_operation_that_takes_no_query_refuses_any()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync();

        var problem = await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path($"/agencies/{agency.Id()}?expand=all")), HttpStatusCode.BadRequest);

        Assert.Contains("it takes: none", problem["errors"]!["expand"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Known_parameters_in_any_case_and_writes_with_a_stray_parameter()
    {
        var t = await TestTenant.CreateAsync(factory);
        await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/agencies?LIMIT=5")), HttpStatusCode.OK);

        var refused = await t.Admin.PostAsync(t.Path("/agencies?dryRun=true"),
            System.Net.Http.Json.JsonContent.Create(new { code = "MET", name = "Met", kind = "police" }));

        await TestTenant.ExpectProblem(refused, HttpStatusCode.BadRequest);
        Assert.Equal(0, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM agencies WHERE partnership_id = @p", new { p = t.Id.ToString() }));
    }
}
