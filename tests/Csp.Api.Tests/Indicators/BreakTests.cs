using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Indicators;

/// <summary>Definitions and breaks: an indicator says what it counts, where its figures come from, and from which period they are not
/// comparable with earlier ones; performance never calls a change across a break an improvement or a worsening.</summary>
[Collection(ApiCollection.Name)]
public sealed class BreakTests(CspApiFactory factory)
{
    private const string Definition = "Count of personal robbery offences recorded by the police in the area during the month.";
    private const string Connect = "The Met moved crime recording from CRIS to CONNECT.";

    private async Task<(TestTenant T, Guid Met)> SetupAsync()
    {
        var t = await TestTenant.CreateAsync(factory, "breaks");
        return (t, (await t.CreateAgencyAsync("MET")).Id());
    }

    private static object Body(Guid met, string code = "ROB-PERSONAL", string frequency = "monthly", string? definition = null,
        string? sourceSystem = null, object[]? breaks = null) => new
        {
            code, name = "Personal robbery", unit = "count", direction = "decrease", frequency, sourceAgencyId = met, definition, sourceSystem, breaks,
        };

    private static List<(string, string)> Breaks(JsonObject indicator) =>
        indicator["breaks"].Arr().Select(b => (b!["period"]!.GetValue<string>(), b["reason"]!.GetValue<string>())).ToList();

    [Fact]
    public async Task An_indicator_carries_its_definition_source_system_and_breaks_and_a_replace_that_leaves_them_out_keeps_them()
    {
        var (t, met) = await SetupAsync();
        var created = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), Body(met, definition: Definition,
            sourceSystem: "CONNECT", breaks: [new { period = "2025-04", reason = "A counting-rule change." }, new { period = "202402", reason = Connect }])),
            HttpStatusCode.Created);
        var id = created.Id();

        var read = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{id}")), HttpStatusCode.OK);
        Assert.Equal((Definition, "CONNECT"), (read.Str("definition"), read.Str("sourceSystem")));
        Assert.Equal([("2024-02", Connect), ("2025-04", "A counting-rule change.")], Breaks(read)); // canonical, by period
        Assert.Equal(2, await t.CountAsync("indicator_breaks"));

        // An older client's replace, which knows none of these fields, keeps them.
        var kept = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{id}"), new
        {
            code = "ROB-PERSONAL", name = "Personal robbery offences", unit = "count", direction = "decrease", frequency = "monthly", sourceAgencyId = met,
        }), HttpStatusCode.OK);
        Assert.Equal((Definition, "CONNECT", 2), (kept.Str("definition"), kept.Str("sourceSystem"), Breaks(kept).Count));

        // Empty removes.
        var cleared = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{id}"),
            Body(met, definition: "", sourceSystem: "", breaks: [])), HttpStatusCode.OK);
        Assert.Null(cleared["definition"]);
        Assert.Null(cleared["sourceSystem"]);
        Assert.Empty(Breaks(cleared));
        Assert.Equal(0, await t.CountAsync("indicator_breaks"));

        // Each change is in the audit trail, breaks included, before → after.
        var changes = await factory.QueryAsync<string>("""
            SELECT changes FROM audit_events WHERE partnership_id = @p AND entity_id = @e AND action = 'update' ORDER BY seq
            """, new { p = t.Id.ToString(), e = id.ToString() });
        var last = JsonNode.Parse(changes[^1])!.AsObject();
        Assert.Equal(2, last["breaks"]!["before"].Arr().Count);
        Assert.Empty(last["breaks"]!["after"].Arr());
        Assert.Equal(Definition, last["definition"]!["before"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_comparison_across_a_break_is_not_comparable_and_the_trend_is_unknown()
    {
        var (t, met) = await SetupAsync();
        var broken = (await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"),
            Body(met, breaks: [new { period = "2024-02", reason = Connect }])), HttpStatusCode.Created)).Id();
        var whole = (await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), Body(met, code: "THEFT-PERSON")),
            HttpStatusCode.Created)).Id();
        // A fall from January to February: without the break, an improvement of a decrease-is-better count.
        foreach (var code in new[] { "ROB-PERSONAL", "THEFT-PERSON" })
            await t.Admin.PushOkAsync(t, [Row(code, "2023-02", 250), Row(code, "2024-01", 200), Row(code, "2024-02", 150)]);

        async Task<JsonObject> Performance(Guid id) =>
            await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{id}/performance")), HttpStatusCode.OK);

        var across = await Performance(broken);
        Assert.Equal("unknown", across.Str("trend"));
        Assert.Equal(("2024-01", false), (across["previous"]!["period"]!.GetValue<string>(), across["previous"]!["comparable"]!.GetValue<bool>()));
        Assert.Equal(("2023-02", false),
            (across["samePeriodLastYear"]!["period"]!.GetValue<string>(), across["samePeriodLastYear"]!["comparable"]!.GetValue<bool>()));
        Assert.False(across["latest"]!.AsObject().ContainsKey("comparable"));

        var control = await Performance(whole);
        Assert.Equal("improving", control.Str("trend"));
        Assert.True(control["previous"]!["comparable"]!.GetValue<bool>());
        Assert.True(control["samePeriodLastYear"]!["comparable"]!.GetValue<bool>());

        // After the break, month on month compares again; the year before still does not.
        await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2023-03", 260), Row("ROB-PERSONAL", "2024-03", 180)]);
        var after = await Performance(broken);
        Assert.Equal("worsening", after.Str("trend"));
        Assert.True(after["previous"]!["comparable"]!.GetValue<bool>());
        Assert.False(after["samePeriodLastYear"]!["comparable"]!.GetValue<bool>());

        // The whole plan's view of the indicator says the same.
        var plan = (await t.CreatePlanAsync()).Id();
        var priority = (await t.CreatePriorityAsync(plan)).Id();
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{broken}"), new
        {
            code = "ROB-PERSONAL", name = "Personal robbery", unit = "count", direction = "decrease", frequency = "monthly", sourceAgencyId = met,
            priorityIds = new[] { priority },
        }), HttpStatusCode.OK);
        var document = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/plans/{plan}")), HttpStatusCode.OK);
        var inPlan = Assert.Single(document["indicators"].Arr())!;
        Assert.False(inPlan["performance"]!["samePeriodLastYear"]!["comparable"]!.GetValue<bool>());
        Assert.Single(inPlan["indicator"]!["breaks"].Arr()); // kept by the replace that linked the priority
    }

    public static TheoryData<string, string, string> BadBreaks => new()
    {
        { "breaks", """[{"period":"2024-Q1","reason":"x"}]""", "breaks[0].period" },   // not of the indicator's frequency
        { "breaks", """[{"period":"soon","reason":"x"}]""", "breaks[0].period" },      // not a period
        { "breaks", """[{"period":"2024-02"}]""", "breaks[0].reason" },
        { "breaks", """[{"period":"2024-02","reason":" "}]""", "breaks[0].reason" },
        { "breaks", """[{"reason":"x"}]""", "breaks[0].period" },
        { "breaks", """[{"period":"2024-02","reason":"a"},{"period":"202402","reason":"b"}]""", "breaks[1].period" },
        { "breaks", """[null]""", "breaks[0]" },
        { "breaks", $$"""[{"period":"2024-02","reason":"{{new string('x', 1001)}}"}]""", "breaks[0].reason" },
        { "definition", $"\"{new string('x', 4001)}\"", "definition" },
        { "sourceSystem", $"\"{new string('x', 201)}\"", "sourceSystem" },
    };

    [Theory]
    [MemberData(nameof(BadBreaks))]
    public async Task A_bad_break_definition_or_source_system_is_a_400_naming_it_and_nothing_is_written(string field, string value, string name)
    {
        var (t, met) = await SetupAsync();
        var indicator = (await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"),
            Body(met, definition: Definition, breaks: [new { period = "2024-02", reason = Connect }])), HttpStatusCode.Created)).Id();
        var json = $$"""{"code":"ROB-PERSONAL","name":"Personal robbery","unit":"count","direction":"decrease","frequency":"monthly","sourceAgencyId":"{{met}}","{{field}}":{{value}}}""";

        var created = await t.Admin.PostAsync(t.Path("/indicators"), HttpKit.Raw(json.Replace("ROB-PERSONAL", "NEW")));
        var updated = await t.Admin.PutAsync(t.Path($"/indicators/{indicator}"), HttpKit.Raw(json));

        foreach (var response in new[] { created, updated })
        {
            var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
            Assert.True(problem.Errors().ContainsKey(name), $"no error for '{name}': {problem.ToJsonString()}");
        }
        Assert.Equal(1, await t.CountAsync("indicators"));
        var stored = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{indicator}")), HttpStatusCode.OK);
        Assert.Equal([("2024-02", Connect)], Breaks(stored));
        Assert.Equal((Definition, 1L), (stored.Str("definition"), stored["version"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Changing_the_frequency_needs_breaks_of_the_new_one()
    {
        var (t, met) = await SetupAsync();
        var indicator = (await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"),
            Body(met, breaks: [new { period = "2024-02", reason = Connect }])), HttpStatusCode.Created)).Id();

        var kept = await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{indicator}"), Body(met, frequency: "quarterly"));
        Assert.True((await TestTenant.ExpectProblem(kept, HttpStatusCode.BadRequest)).Errors().ContainsKey("breaks"));
        var replaced = await t.Admin.PutAsJsonAsync(t.Path($"/indicators/{indicator}"),
            Body(met, frequency: "quarterly", breaks: [new { period = "2024Q1", reason = Connect }]));
        Assert.Equal([("2024-Q1", Connect)], Breaks(await TestTenant.Expect(replaced, HttpStatusCode.OK)));
    }
}
