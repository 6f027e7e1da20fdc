using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Plans;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observations;

/// <summary>A revision is explained: the reason the sender gave, the change, who and when; observations say whether their figure was
/// revised, and <c>?asOf=</c> answers what was stored at an instant.</summary>
[Collection(ApiCollection.Name)]
public sealed class RevisionExplainedTests(CspApiFactory factory)
{
    private const string FeedName = "key read+observations:write";

    private sealed record Setup(TestTenant T, Guid Robbery, HttpClient Feed, Guid FeedId);

    private async Task<Setup> SetupAsync()
    {
        var t = await TestTenant.CreateAsync(factory, "explain");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var robbery = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        var (feed, _, feedId) = await t.KeyAsync(["read", "observations:write"], met);
        return new Setup(t, robbery, feed, feedId);
    }

    private static object Change(string period, decimal value, string? reason, string? status = null, string? note = null) =>
        new { indicator = "ROB-PERSONAL", period, value, status, note, reason };

    private static async Task<List<JsonObject>> RevisionsAsync(Setup s, string period) =>
        (await TestTenant.Expect(await s.T.Admin.GetAsync(s.T.Path($"/indicators/{s.Robbery}/observations/{period}/revisions")), HttpStatusCode.OK))
        ["items"].Arr().Select(i => i!.AsObject()).ToList();

    private static DateTimeOffset Time(JsonObject o, string name) =>
        DateTimeOffset.Parse(o.Str(name), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    private static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static async Task<List<string?>> StoredReasonsAsync(Setup s) =>
        (await s.T.Factory.QueryTextAsync("SELECT reason FROM observation_revisions WHERE partnership_id = @p ORDER BY revised_at",
            new { p = s.T.Id })).Select(r => r[0]).ToList();

    [Fact]
    public async Task A_reason_is_kept_on_the_revision_and_shown_with_the_delta_who_and_when()
    {
        var s = await SetupAsync();
        await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 187, note: "CONNECT extract 2024-07-06")]);
        var before = DateTimeOffset.UtcNow;

        var updated = await s.Feed.PushOkAsync(s.T, [Change("2024-06", 181, "CONNECT re-extract", note: "CONNECT extract 2024-08-06")]);
        Assert.Equal(1, updated.Int("updated"));
        // A status change alone is a revision too: its delta is 0.
        await s.Feed.PushOkAsync(s.T, [Change("2024-06", 181, "signed off", status: "final", note: "CONNECT extract 2024-08-06")]);
        var retracted = await s.T.Admin.PushOkAsync(s.T, [new { indicator = "ROB-PERSONAL", period = "2024-06", delete = true, reason = "wrong borough" }],
            "?force=true");
        Assert.Equal(1, retracted.Int("deleted"));

        var revisions = await RevisionsAsync(s, "2024-06");
        Assert.Equal(3, revisions.Count);
        var (change, status, retraction) = (revisions[0], revisions[1], revisions[2]);
        Assert.Equal((187m, 181m, -6m, "CONNECT re-extract"),
            (change["oldValue"]!.GetValue<decimal>(), change["newValue"]!.GetValue<decimal>(), change["delta"]!.GetValue<decimal>(), change.Str("reason")));
        Assert.Equal((s.FeedId, FeedName), (change["newClientId"]!.GetValue<Guid>(), change.Str("newClientName")));
        Assert.InRange(Time(change, "revisedAt"), before, DateTimeOffset.UtcNow);
        Assert.Equal((0m, "signed off", "final"), (status["delta"]!.GetValue<decimal>(), status.Str("reason"), status.Str("newStatus")));
        Assert.True(retraction["retracted"]!.GetValue<bool>());
        Assert.Null(retraction["delta"]);
        Assert.Null(retraction["newValue"]);
        Assert.Equal(("wrong borough", "test admin"), (retraction.Str("reason"), retraction.Str("newClientName")));
        Assert.Equal(["CONNECT re-extract", "signed off", "wrong borough"], await StoredReasonsAsync(s));
    }

    [Fact]
    public async Task A_revision_by_the_operators_platform_key_names_no_client()
    {
        var s = await SetupAsync();
        await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 187)]);

        await factory.ClientWithKey(CspApiFactory.PlatformKey).PushOkAsync(s.T, [Change("2024-06", 180, "operator correction")]);

        var revision = Assert.Single(await RevisionsAsync(s, "2024-06"));
        Assert.Null(revision["newClientId"]);
        Assert.Null(revision["newClientName"]);
        Assert.Equal((s.FeedId, "operator correction", -7m), (revision["oldClientId"]!.GetValue<Guid>(), revision.Str("reason"),
            revision["delta"]!.GetValue<decimal>()));
    }

    [Fact]
    public async Task A_row_that_creates_or_changes_nothing_keeps_no_reason_and_an_empty_reason_is_none()
    {
        var s = await SetupAsync();
        await s.Feed.PushOkAsync(s.T, [Change("2024-06", 187, "first extract")]);
        var same = await s.Feed.PushOkAsync(s.T, [Change("2024-06", 187, "same again")]);
        Assert.Equal(1, same.Int("unchanged"));
        Assert.Equal(0, await s.T.CountAsync("observation_revisions"));

        await s.Feed.PushOkAsync(s.T, [Change("2024-06", 190, "")]);
        var revision = Assert.Single(await RevisionsAsync(s, "2024-06"));
        Assert.Null(revision["reason"]);
        Assert.Equal(3m, revision["delta"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task A_reason_longer_than_4000_characters_is_a_conflict_on_reason()
    {
        var s = await SetupAsync();
        await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 187)]);

        var refused = await s.Feed.PushOkAsync(s.T, [Change("2024-06", 190, new string('r', 4001)), Change("2024-07", 5, new string('r', 4001))]);

        Assert.Equal(("rejected", 2), (refused.Str("status"), refused.Int("rejected")));
        Assert.All(refused["conflicts"].Arr(), c => Assert.Equal(("reason", "invalid_value"), (c!["field"]!.GetValue<string>(), c["code"]!.GetValue<string>())));
        Assert.Equal("187", Assert.Single(await s.T.StoredAsync(s.Robbery)).Value);
        Assert.Equal(0, await s.T.CountAsync("observation_revisions"));

        // 4,000 characters, control characters included (free text, like a note), are kept as sent.
        var longest = "line one\nline two\t" + new string('r', 4000 - 18);
        await s.Feed.PushOkAsync(s.T, [Change("2024-06", 190, longest)]);
        Assert.Equal([longest], await StoredReasonsAsync(s));
    }

    [Fact]
    public async Task DELETE_takes_a_reason_in_its_query()
    {
        var s = await SetupAsync();
        await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 170), Row("ROB-PERSONAL", "2024-06", 187)]);
        string Value(string period, string query) => s.T.Path($"/indicators/{s.Robbery}/observations/{period}{query}");

        var tooLong = await TestTenant.ExpectProblem(await s.Feed.DeleteAsync(Value("2024-05", "?reason=" + new string('r', 4001))),
            HttpStatusCode.BadRequest);
        Assert.NotNull(tooLong.Errors()["reason"]);
        Assert.Equal(2, (await s.T.StoredAsync(s.Robbery)).Count);

        await TestTenant.Expect(await s.Feed.DeleteAsync(Value("2024-05", "?reason=" + Uri.EscapeDataString("sent for the wrong month"))),
            HttpStatusCode.NoContent);
        await TestTenant.Expect(await s.Feed.DeleteAsync(Value("2024-06", "")), HttpStatusCode.NoContent);

        var withReason = Assert.Single(await RevisionsAsync(s, "2024-05"));
        Assert.Equal((true, "sent for the wrong month", FeedName), (withReason["retracted"]!.GetValue<bool>(), withReason.Str("reason"),
            withReason.Str("newClientName")));
        Assert.Null(withReason["delta"]);
        Assert.Null(Assert.Single(await RevisionsAsync(s, "2024-06"))["reason"]);
    }

    [Fact]
    public async Task Observations_say_whether_and_when_their_figure_was_revised_in_JSON_and_CSV()
    {
        var s = await SetupAsync();
        await s.Feed.PushOkAsync(s.T, [
            Row("ROB-PERSONAL", "2024-03", 150), Row("ROB-PERSONAL", "2024-04", 160), Row("ROB-PERSONAL", "2024-05", 170),
            Row("ROB-PERSONAL", "2024-06", 187), Row("ROB-PERSONAL", "2024-07", 140),
        ]);
        await s.Feed.PushOkAsync(s.T, [
            Row("ROB-PERSONAL", "2024-04", 160, status: "final"), // status only
            Row("ROB-PERSONAL", "2024-05", 170, note: "checked"), // note only
            Change("2024-06", 189, "CONNECT re-extract"),
            new { indicator = "ROB-PERSONAL", period = "2024-07", delete = true },
        ]);
        await s.Feed.PushOkAsync(s.T, [Change("2024-06", 191, "restated again"), Row("ROB-PERSONAL", "2024-07", 140)]);
        var lastChange = Time((await RevisionsAsync(s, "2024-06"))[1], "revisedAt");
        var retractedAt = Time(Assert.Single(await RevisionsAsync(s, "2024-07")), "revisedAt");

        var items = (await TestTenant.Expect(await s.Feed.GetAsync(s.T.Path($"/indicators/{s.Robbery}/observations")), HttpStatusCode.OK))
            ["items"].Arr().Select(i => i!.AsObject()).ToDictionary(i => i.Str("period"));
        foreach (var period in new[] { "2024-03", "2024-04", "2024-05" })
        {
            Assert.False(items[period]["revised"]!.GetValue<bool>(), period);
            Assert.Null(items[period]["revisedAt"]);
        }
        Assert.True(items["2024-06"]["revised"]!.GetValue<bool>());
        Assert.Equal(lastChange, Time(items["2024-06"], "revisedAt"));
        // Retracted and sent again: revised when it was retracted.
        Assert.True(items["2024-07"]["revised"]!.GetValue<bool>());
        Assert.Equal(retractedAt, Time(items["2024-07"], "revisedAt"));

        var request = new HttpRequestMessage(HttpMethod.Get, s.T.Path($"/indicators/{s.Robbery}/observations?from=2024-05"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var response = await s.Feed.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("indicator,period,period_start,period_end,area,area_name,value,status,note,updated_at,suppressed,disclosure,revised,revised_at", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.EndsWith(",false,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("ROB-PERSONAL,2024-06,", lines[2], StringComparison.Ordinal);
        Assert.EndsWith($",true,{Instant(lastChange)}", lines[2], StringComparison.Ordinal);
        Assert.EndsWith($",true,{Instant(retractedAt)}", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AsOf_answers_what_was_stored_at_each_instant()
    {
        var s = await SetupAsync();
        // t1: v1 (and 2024-05, never changed); t2: v2; t3: retracted; t4: v3 (and 2024-07, new).
        await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-05", 170), Row("ROB-PERSONAL", "2024-06", 187, note: "first extract")]);
        await s.Feed.PushOkAsync(s.T, [Change("2024-06", 190, "CONNECT re-extract", note: "second extract")]);
        await s.Feed.PushOkAsync(s.T, [new { indicator = "ROB-PERSONAL", period = "2024-06", delete = true, reason = "wrong borough" }]);
        await s.Feed.PushOkAsync(s.T, [Row("ROB-PERSONAL", "2024-06", 195, note: "third extract"), Row("ROB-PERSONAL", "2024-07", 140)]);
        var revisions = await RevisionsAsync(s, "2024-06");
        var (t1, t2, t3) = (Time(revisions[0], "oldRecordedAt"), Time(revisions[0], "revisedAt"), Time(revisions[1], "revisedAt"));
        Assert.Equal(t2, Time(revisions[1], "oldRecordedAt"));
        var current = (await TestTenant.Expect(await s.Feed.GetAsync(s.T.Path($"/indicators/{s.Robbery}/observations")), HttpStatusCode.OK))
            ["items"].Arr().Select(i => i!.AsObject()).ToList();
        var t4 = Time(current.Single(o => o.Str("period") == "2024-06"), "updatedAt");
        Assert.True(t1 < t2 && t2 < t3 && t3 < t4, $"{t1:o} {t2:o} {t3:o} {t4:o}");
        static DateTimeOffset Between(DateTimeOffset a, DateTimeOffset b) => a + (b - a) / 2;

        async Task<List<JsonObject>> AsOfAsync(string asOf, string query = "") =>
            (await TestTenant.Expect(await s.Feed.GetAsync(s.T.Path($"/indicators/{s.Robbery}/observations?asOf={Uri.EscapeDataString(asOf)}{query}")),
                HttpStatusCode.OK))["items"].Arr().Select(i => i!.AsObject()).ToList();
        static List<(string, decimal)> Values(List<JsonObject> items) =>
            items.Select(i => (i.Str("period"), i["value"]!.GetValue<decimal>())).ToList();

        Assert.Empty(await AsOfAsync(Instant(t1.AddTicks(-1))));
        Assert.Empty(await AsOfAsync(t1.UtcDateTime.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));

        var first = await AsOfAsync(Instant(Between(t1, t2)));
        Assert.Equal([("2024-05", 170m), ("2024-06", 187m)], Values(first));
        Assert.Equal(("first extract", 1L, false), (first[1].Str("note"), first[1]["version"]!.GetValue<long>(), first[1]["revised"]!.GetValue<bool>()));
        Assert.Equal((t1, t1), (Time(first[1], "createdAt"), Time(first[1], "updatedAt")));
        Assert.Equal([("2024-05", 170m), ("2024-06", 187m)], Values(await AsOfAsync(Instant(t1))));

        var second = await AsOfAsync(Instant(Between(t2, t3)));
        Assert.Equal([("2024-05", 170m), ("2024-06", 190m)], Values(second));
        Assert.Equal(("second extract", 2L, true), (second[1].Str("note"), second[1]["version"]!.GetValue<long>(), second[1]["revised"]!.GetValue<bool>()));
        Assert.Equal((t1, t2, t2), (Time(second[1], "createdAt"), Time(second[1], "updatedAt"), Time(second[1], "revisedAt")));
        Assert.Equal(s.FeedId, second[1]["clientId"]!.GetValue<Guid>());

        // Retracted at t3: no value until t4.
        Assert.Equal([("2024-05", 170m)], Values(await AsOfAsync(Instant(Between(t3, t4)))));
        Assert.Equal([("2024-05", 170m)], Values(await AsOfAsync(Instant(t3))));

        var now = await AsOfAsync(Instant(t4));
        Assert.Equal([("2024-05", 170m), ("2024-06", 195m), ("2024-07", 140m)], Values(now));
        Assert.Equal((true, t3, 1L), (now[1]["revised"]!.GetValue<bool>(), Time(now[1], "revisedAt"), now[1]["version"]!.GetValue<long>()));
        // A date is the end of that day (UTC); a future instant is now.
        Assert.Equal(Values(now), Values(await AsOfAsync(t4.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))));
        Assert.Equal(Values(now), Values(await AsOfAsync("2999-01-01T00:00:00Z")));

        // The list's filters and paging hold.
        Assert.Equal([("2024-06", 190m)], Values(await AsOfAsync(Instant(Between(t2, t3)), "&from=2024-06&to=2024-06")));
        Assert.Empty(await AsOfAsync(Instant(Between(t2, t3)), "&area=E05011095"));
        var page1 = await TestTenant.Expect(await s.Feed.GetAsync(s.T.Path($"/indicators/{s.Robbery}/observations?asOf={Instant(t4)}&limit=2")),
            HttpStatusCode.OK);
        Assert.Equal([("2024-05", 170m), ("2024-06", 195m)], Values(page1["items"].Arr().Select(i => i!.AsObject()).ToList()));
        var page2 = await TestTenant.Expect(await s.Feed.GetAsync(s.T.Path(
            $"/indicators/{s.Robbery}/observations?asOf={Instant(t4)}&limit=2&cursor={page1.Str("nextCursor")}")), HttpStatusCode.OK);
        Assert.Equal([("2024-07", 140m)], Values(page2["items"].Arr().Select(i => i!.AsObject()).ToList()));
        Assert.Null(page2["nextCursor"]);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2024-13-01")]
    [InlineData("2024-08-01T12:00:00")]
    [InlineData("2024-08-01 12:00:00Z")]
    public async Task A_bad_asOf_is_a_400_naming_it(string asOf)
    {
        var s = await SetupAsync();
        var problem = await TestTenant.ExpectProblem(
            await s.Feed.GetAsync(s.T.Path($"/indicators/{s.Robbery}/observations?asOf={Uri.EscapeDataString(asOf)}")), HttpStatusCode.BadRequest);
        Assert.NotNull(problem.Errors()["asOf"]);
    }

    [Fact]
    public async Task Public_observations_say_whether_they_were_revised_but_reasons_history_and_asOf_need_a_key()
    {
        var t = await TestTenant.CreateAsync(factory, "explainpub", publicRead: true);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 0, indicatorsEach: 1, approve: true);
        var indicator = plan.IndicatorIds[0];
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], plan.AgencyId);
        const string Reason = "SECRET-REASON re-extract";
        await pusher.PushOkAsync(t, [new { indicator = "IND-1-1", period = "2025-05", value = 112, note = "SECRET-NOTE", reason = Reason }]);
        var anonymous = factory.ClientWithKey(null);

        var response = await anonymous.GetAsync(t.Path($"/indicators/{indicator}/observations"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = JsonNode.Parse(body)!["items"].Arr().Select(i => i!.AsObject()).ToDictionary(i => i.Str("period"));
        Assert.Equal((false, true, false), (items["2025-04"]["revised"]!.GetValue<bool>(), items["2025-05"]["revised"]!.GetValue<bool>(),
            items["2025-06"]["revised"]!.GetValue<bool>()));
        Assert.NotNull(items["2025-05"]["revisedAt"]);
        Assert.All(items.Values, i => Assert.False(i.ContainsKey("note") || i.ContainsKey("clientId") || i.ContainsKey("version")));
        Assert.DoesNotContain("SECRET", body, StringComparison.Ordinal);

        var csv = new HttpRequestMessage(HttpMethod.Get, t.Path($"/indicators/{indicator}/observations"));
        csv.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var csvText = await (await anonymous.SendAsync(csv)).Content.ReadAsStringAsync();
        Assert.Contains(",revised,revised_at", csvText, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", csvText, StringComparison.Ordinal);

        await TestTenant.ExpectProblem(await anonymous.GetAsync(t.Path($"/indicators/{indicator}/observations?asOf=2999-01-01")),
            HttpStatusCode.Unauthorized);
        await TestTenant.ExpectProblem(await anonymous.GetAsync(t.Path($"/indicators/{indicator}/observations/2025-05/revisions")),
            HttpStatusCode.Unauthorized);
        var keyed = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/indicators/{indicator}/observations/2025-05/revisions")),
            HttpStatusCode.OK);
        Assert.Equal(Reason, Assert.Single(keyed["items"].Arr())!.AsObject().Str("reason"));
    }
}
