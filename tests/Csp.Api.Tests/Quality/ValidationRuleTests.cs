using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Areas;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Quality;

/// <summary>Validation rules across indicators and areas: kept through the audited write path, checked on every push for the rows it
/// touches, and listed on demand.</summary>
[Collection(ApiCollection.Name)]
public sealed class ValidationRuleTests(CspApiFactory factory)
{
    private static async Task<(TestTenant T, Guid Met)> KnifeAsync(CspApiFactory factory, string prefix)
    {
        var t = await TestTenant.CreateAsync(factory, prefix);
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await t.CreateIndicatorAsync(met, "KNIFE-CRIME");
        await t.CreateIndicatorAsync(met, "KNIFE-INJURY");
        return (t, met);
    }

    private static async Task<JsonObject> RuleAsync(TestTenant t, object body) =>
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/validation-rules"), body), HttpStatusCode.Created);

    private static readonly object KnifeRule = new
    {
        code = "INJURY-LE-KNIFE", description = "Knife crime with injury is part of knife crime", left = "KNIFE-INJURY",
        @operator = "less_than_or_equal_to", right = "KNIFE-CRIME",
    };

    [Fact]
    public async Task A_rule_is_added_read_listed_and_removed_with_its_audit_events()
    {
        var (t, _) = await KnifeAsync(factory, "rcrud");

        var created = await RuleAsync(t, KnifeRule);
        Assert.Equal(("INJURY-LE-KNIFE", "KNIFE-INJURY", "less_than_or_equal_to", "KNIFE-CRIME", "skip_if_any_missing"),
            (created.Str("code"), created.Str("left"), created.Str("operator"), created.Str("right"), created.Str("missingValue")));
        var id = created.Id();

        var get = await t.Admin.GetAsync(t.Path($"/validation-rules/{id}"));
        Assert.Equal(created.ToJsonString(), (await TestTenant.Expect(get, HttpStatusCode.OK)).ToJsonString());
        Assert.NotNull(get.ETag());
        var list = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/validation-rules")), HttpStatusCode.OK);
        Assert.Equal([id], list["items"].Arr().Select(i => i!.AsObject().Id()));

        var sum = await RuleAsync(t, new { code = "SUM", left = "KNIFE-INJURY+KNIFE-CRIME", @operator = "greater_than_or_equal_to", right = "KNIFE-CRIME", missingValue = "never_skip" });
        Assert.Equal("KNIFE-INJURY + KNIFE-CRIME", sum.Str("left"));

        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.DeleteAsync(t.Path($"/validation-rules/{id}"))).StatusCode);
        await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path($"/validation-rules/{id}")), HttpStatusCode.NotFound);
        Assert.Equal(1, await t.CountAsync("validation_rules"));
        var audit = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/audit?entityType=validation_rule")), HttpStatusCode.OK);
        Assert.Equal(3, audit["items"].Arr().Count);
        var changes = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/changes?after=0")), HttpStatusCode.OK);
        Assert.Contains(changes["items"].Arr(), c => c!["entityType"]!.GetValue<string>() == "validation_rule" && c["entityId"]!.GetValue<Guid>() == id
            && c["op"]!.GetValue<string>() == "delete");
    }

    [Fact]
    public async Task A_rule_that_names_no_indicator_or_mixes_its_shapes_is_refused_with_the_field()
    {
        var (t, met) = await KnifeAsync(factory, "rbad");
        await t.CreateIndicatorAsync(met, "CONFIDENCE", unit: "percent", direction: "increase", frequency: "quarterly");

        async Task<string[]> Fields(object body) =>
            (await TestTenant.ExpectProblem(await t.Admin.PostAsJsonAsync(t.Path("/validation-rules"), body), HttpStatusCode.BadRequest))
            .Errors().Select(e => e.Key).Order().ToArray();

        Assert.Equal(["left"], await Fields(new { code = "R1", left = "KNIFE-NOPE", @operator = "equal_to", right = "KNIFE-CRIME" }));
        Assert.Equal(["left"], await Fields(new { code = "R2", left = "knife crime", @operator = "equal_to", right = "KNIFE-CRIME" }));
        Assert.Equal(["operator", "right"], await Fields(new { code = "R3", left = "KNIFE-CRIME" }));
        Assert.Equal(["operator", "right"], await Fields(new { code = "R4", left = "KNIFE-CRIME", aggregate = "children_sum_equals_parent" }));
        Assert.Equal(["aggregate"], await Fields(new { code = "R6", left = "KNIFE-CRIME", @operator = "equal_to", right = "KNIFE-CRIME", aggregate = "grandchildren" }));
        Assert.Equal(["right"], await Fields(new { code = "R5", left = "KNIFE-CRIME", @operator = "equal_to", right = "CONFIDENCE" }));
        await RuleAsync(t, KnifeRule);
        Assert.Equal(["code"], await Fields(KnifeRule));
        Assert.Equal(1, await t.CountAsync("validation_rules"));
    }

    [Fact]
    public async Task A_push_that_breaks_a_rule_warns_every_row_it_touched_using_stored_values_too()
    {
        var (t, _) = await KnifeAsync(factory, "rpush");
        await RuleAsync(t, KnifeRule);

        // Both sides in one batch.
        var both = await t.Admin.PushOkAsync(t, [Row("KNIFE-CRIME", "2024-06", 20), Row("KNIFE-INJURY", "2024-06", 30), Row("KNIFE-INJURY", "2024-07", 5)]);
        Assert.Equal([(0, "rule_violation"), (1, "rule_violation")], PushWarningTests.Warnings(both));
        var warning = both["warnings"].Arr()[1]!;
        Assert.Equal(("INJURY-LE-KNIFE", 20m), (warning["rule"]!.GetValue<string>(), warning["expected"]!.GetValue<decimal>()));
        Assert.Equal(3, both.Int("created"));

        // The other side stored earlier: 2024-06 knife crime is 20.
        var later = await t.Admin.PushOkAsync(t, [Row("KNIFE-INJURY", "2024-06", 25)]);
        Assert.Equal([(0, "rule_violation")], PushWarningTests.Warnings(later));
        // Fixed: 18 <= 20.
        var fixedUp = await t.Admin.PushOkAsync(t, [Row("KNIFE-INJURY", "2024-06", 18)]);
        Assert.Empty(fixedUp["warnings"].Arr());
        // 2024-07 has no knife crime: skipped while one is missing.
        Assert.Empty((await t.Admin.PushOkAsync(t, [Row("KNIFE-INJURY", "2024-07", 6)]))["warnings"].Arr());
    }

    [Fact]
    public async Task Missing_values_are_skipped_or_counted_as_zero_as_the_rule_says()
    {
        var (t, _) = await KnifeAsync(factory, "rmissing");
        await RuleAsync(t, new { code = "NEVER", left = "KNIFE-INJURY", @operator = "less_than_or_equal_to", right = "KNIFE-CRIME", missingValue = "never_skip" });
        await RuleAsync(t, new { code = "ALL", left = "KNIFE-INJURY", @operator = "less_than_or_equal_to", right = "KNIFE-CRIME", missingValue = "skip_if_all_missing" });
        await RuleAsync(t, new { code = "ANY", left = "KNIFE-INJURY", @operator = "less_than_or_equal_to", right = "KNIFE-CRIME", missingValue = "skip_if_any_missing" });

        var pushed = await t.Admin.PushOkAsync(t, [Row("KNIFE-INJURY", "2024-06", 3)]);

        Assert.Equal(["ALL", "NEVER"], pushed["warnings"].Arr().Select(w => w!["rule"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task The_wards_must_add_up_to_the_borough_and_the_violations_list_says_where_they_do_not_in_json_and_csv()
    {
        var t = await TestTenant.CreateAsync(factory, "raggregate");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await t.CreateIndicatorAsync(met, "ROB-PERSONAL");
        await t.RegisterWardAsync("E05011095", "Borough & Bankside");
        await t.RegisterWardAsync("E05011096", "Camberwell Green");
        await RuleAsync(t, new { code = "WARDS-ADD-UP", left = "ROB-PERSONAL", @operator = "equal_to", right = "ROB-PERSONAL", aggregate = "children_sum_equals_parent" });

        var pushed = await t.Admin.PushOkAsync(t, [
            Row("ROB-PERSONAL", "2024-06", 10), Row("ROB-PERSONAL", "2024-06", 4, area: "E05011095"), Row("ROB-PERSONAL", "2024-06", 5, area: "E05011096"),
            Row("ROB-PERSONAL", "2024-07", 10), Row("ROB-PERSONAL", "2024-07", 4, area: "E05011095"), Row("ROB-PERSONAL", "2024-07", 6, area: "E05011096"),
        ]);
        Assert.Equal([(0, "rule_violation"), (1, "rule_violation"), (2, "rule_violation")], PushWarningTests.Warnings(pushed));
        Assert.Equal(10m, pushed["warnings"].Arr()[0]!["expected"]!.GetValue<decimal>());

        var violations = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/validation-rules/violations?from=2024-01&to=2024-12")), HttpStatusCode.OK);
        var v = violations["items"].Arr().Single()!;
        Assert.Equal(("WARDS-ADD-UP", "2024-06", "E09000028", 9m, 10m), (v["rule"]!.GetValue<string>(), v["period"]!.GetValue<string>(),
            v["area"]!.GetValue<string>(), v["leftValue"]!.GetValue<decimal>(), v["rightValue"]!.GetValue<decimal>()));
        var july = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/validation-rules/violations?period=2024-07")), HttpStatusCode.OK);
        Assert.Empty(july["items"].Arr());

        using var csv = new HttpRequestMessage(HttpMethod.Get, t.Path("/validation-rules/violations?period=2024-06"));
        csv.Headers.Accept.ParseAdd("text/csv");
        var response = await t.Admin.SendAsync(csv);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("rule_id,rule,period,area,left_value,right_value,message", lines[0]);
        Assert.Contains(",WARDS-ADD-UP,2024-06,E09000028,9,10,", lines[1]);

        await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path("/validation-rules/violations?period=June")), HttpStatusCode.BadRequest);
    }
}
