using System.Net;
using System.Net.Http.Json;
using Csp.Api.Demo;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Demo;

/// <summary>Issue 6, points 1 and 6: the demo's frameworks and alignments, and a refresh of the demo plan.</summary>
public sealed class DemoFrameworkTests(DevelopmentFactory factory) : IClassFixture<DevelopmentFactory>
{
    private const string Southwark = "/v1/partnerships/southwark";

    [Fact]
    public async Task The_demo_has_Southwark_2030_and_the_Police_and_Crime_Plan_with_alignments_and_one_gap()
    {
        var reader = factory.ClientWithKey(DemoKeys.Reader);
        var frameworks = await TestTenant.Expect(await reader.GetAsync(Southwark + "/frameworks"), HttpStatusCode.OK);
        var s2030 = frameworks["items"]!.AsArray().Single(f => f!["code"]!.GetValue<string>() == "S2030")!.AsObject();
        var pcp = frameworks["items"]!.AsArray().Single(f => f!["code"]!.GetValue<string>() == "PCP")!.AsObject();

        var goals = await TestTenant.Expect(await reader.GetAsync(Southwark + $"/frameworks/{s2030.Id()}/outcomes"), HttpStatusCode.OK);
        Assert.Equal(["Decent homes for all", "A good start in life", "A safer Southwark", "A strong and fair economy", "Staying well", "A healthy environment"],
            goals["items"]!.AsArray().Select(o => o!["title"]!.GetValue<string>()));
        var aims = await TestTenant.Expect(await reader.GetAsync(Southwark + $"/frameworks/{pcp.Id()}/outcomes"), HttpStatusCode.OK);
        Assert.Equal(4, aims["items"]!.AsArray().Count);
        Assert.Equal("Police and Crime Plan 2025–29", pcp.Str("title"));

        var coverage = await TestTenant.Expect(await reader.GetAsync(Southwark + $"/frameworks/{s2030.Id()}/coverage"), HttpStatusCode.OK);
        Assert.Equal(["A strong and fair economy"], coverage["gaps"]!.AsArray().Select(g => g!["title"]!.GetValue<string>()));
        var pcpCoverage = await TestTenant.Expect(await reader.GetAsync(Southwark + $"/frameworks/{pcp.Id()}/coverage"), HttpStatusCode.OK);
        Assert.Empty(pcpCoverage["gaps"]!.AsArray());
        Assert.True(await factory.ScalarAsync<long>("SELECT COUNT(*) FROM alignments") >= 17);
    }

    [Fact]
    public async Task The_demo_plan_refreshes_into_a_draft_with_all_its_priorities_commitments_and_alignments()
    {
        var writer = factory.ClientWithKey(DemoKeys.PlansWriter);
        var current = await TestTenant.Expect(await writer.GetAsync(Southwark + "/plans/current"), HttpStatusCode.OK);
        var start = DateOnly.Parse(current.Str("periodEnd"), System.Globalization.CultureInfo.InvariantCulture).AddDays(1);
        var planAlignments = await factory.ScalarAsync<long>("""
            SELECT COUNT(*) FROM alignments a
            LEFT JOIN priorities p ON p.id = a.priority_id LEFT JOIN commitments c ON c.id = a.commitment_id LEFT JOIN priorities cp ON cp.id = c.priority_id
            WHERE p.plan_id = @id OR cp.plan_id = @id
            """, new { id = current.Id().ToString() });

        var response = await writer.PostAsJsonAsync(Southwark + $"/plans/{current.Id()}/refresh", new
        {
            title = "Southwark Community Safety Partnership Plan (refreshed)", periodStart = start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            periodEnd = start.AddYears(1).AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), carryOverAll = true, shiftDates = false,
            include = new[] { "completed", "cancelled" },
        });

        var body = await TestTenant.Expect(response, HttpStatusCode.Created);
        Assert.Equal(5, body["priorities"]!.GetValue<int>());
        Assert.Equal(15, body["commitments"]!.GetValue<int>());
        Assert.Equal(15, body["carriedOver"]!.GetValue<int>());
        Assert.Equal(planAlignments, body["alignments"]!.GetValue<int>());
        var newId = body["plan"]!.AsObject().Id();
        var diff = await TestTenant.Expect(await writer.GetAsync(Southwark + $"/plans/{newId}/diff?against={current.Id()}"), HttpStatusCode.OK);
        Assert.Empty(diff["priorities"]!["added"]!.AsArray());
        Assert.Empty(diff["commitments"]!["changed"]!.AsArray()); // statuses carried over
        Assert.Empty(diff["alignments"]!["removed"]!.AsArray());
    }
}
