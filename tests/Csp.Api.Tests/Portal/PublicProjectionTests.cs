using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Tests.Areas;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Plans;
using Csp.Api.Tests.Security;
using Microsoft.AspNetCore.Http;

namespace Csp.Api.Tests.Portal;

/// <summary>
/// Issue 16, point 1: anonymous callers get the public projection — no note, clientId, version, client or key ids; agencies as
/// {id, code, name}; indicators and priorities of drafts never — while keyed readers keep the full shape. The sweep calls every
/// route open to public read.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PublicProjectionTests(CspApiFactory factory)
{
    private const string SecretNote = "SECRET-NOTE oops: wrong borough";

    private static readonly string[] WithheldFields = ["note", "clientId", "version", "keyId", "oldNote", "newNote", "oldClientId", "newClientId"];

    private HttpClient Anonymous => factory.ClientWithKey(null);

    /// <summary>A public partnership with an approved plan refreshed into a second approved plan (so a diff), a draft plan with its own
    /// priority, commitment and an indicator of its own, an indicator measuring both an approved and the draft priority, values with a
    /// note and a revision, a framework with an outcome and alignment, and every client's id.</summary>
    private sealed record PublicWorld(TestTenant T, Dictionary<string, string> Values, Dictionary<string, string> DraftValues,
        HashSet<string> Secrets, Guid SharedIndicatorId, Guid DraftIndicatorId, Guid DraftPriorityId, Guid SmallIndicatorId);

    private async Task<PublicWorld> BuildAsync()
    {
        var t = await TestTenant.CreateAsync(factory, "pub", publicRead: true);
        var first = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 1, approve: true);
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], first.AgencyId);
        await t.KeyAsync(["read"], first.AgencyId);

        var framework = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/frameworks"), new { code = "S2030", title = "Southwark 2030" }),
            HttpStatusCode.Created);
        var outcome = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/frameworks/{framework.Id()}/outcomes"),
            new { code = "S2030-3", title = "A safer Southwark" }), HttpStatusCode.Created);
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/alignments"),
            new { outcomeId = outcome.Id(), priorityId = first.PriorityIds[0], rationale = "Safety first." }), HttpStatusCode.Created);

        // The refresh covers today, so it is the current plan.
        var start = DateTime.UtcNow.AddMonths(-3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var end = DateTime.UtcNow.AddMonths(6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var refreshed = (await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/plans/{first.PlanId}/refresh"),
            new { title = "Plan 2026-27", periodStart = start, periodEnd = end }), HttpStatusCode.Created))["plan"]!.AsObject();
        await t.ApprovePlanAsync(refreshed.Id());

        var draft = await t.CreatePlanAsync("Draft 2040", "2040-04-01", "2041-03-31");
        var draftPriority = await t.CreatePriorityAsync(draft.Id(), "PD", "Draft-only priority");
        var draftCommitment = await t.CreateCommitmentAsync(draftPriority.Id(), "PD-C1", "Draft-only commitment", first.AgencyId);
        await t.AddUpdateAsync(draftCommitment.Id(), "on_track", "Draft progress");
        var draftIndicator = await t.CreateIndicatorAsync(first.AgencyId, "DRAFT-ONLY", priorityIds: [draftPriority.Id()]);
        var refreshedPriority = (await t.Admin.GetAsync(t.Path($"/plans/{refreshed.Id()}/priorities")).OkAsync()).ItemIds()[0];
        var shared = await t.CreateIndicatorAsync(first.AgencyId, "SHARED", priorityIds: [refreshedPriority, draftPriority.Id()]);
        await pusher.PushOkAsync(t, [
            IndicatorTestData.Row("SHARED", "2025-05", 12, note: SecretNote), IndicatorTestData.Row("SHARED", "2025-06", 9, note: SecretNote),
            IndicatorTestData.Row("DRAFT-ONLY", "2025-06", 3, note: SecretNote),
        ]);
        await pusher.PushOkAsync(t, [IndicatorTestData.Row("SHARED", "2025-06", 11, note: SecretNote)]);

        // Issue 16, point 2: an indicator whose every value is withheld from the public (a percent below 5 in every area), with values
        // no other text contains: a sweep that finds them anywhere has found a leak.
        await t.RegisterWardAsync("E05011095", "Borough & Bankside");
        var small = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), new
        {
            code = "SMALL-HEALTH", name = "Small health counts", unit = "percent", direction = "decrease", frequency = "monthly",
            sourceAgencyId = first.AgencyId, priorityIds = new[] { refreshedPriority },
            disclosure = new { rule = "suppress_below", threshold = 5, appliesTo = "all_areas" },
        }), HttpStatusCode.Created);
        await pusher.PushOkAsync(t, [
            IndicatorTestData.Row("SMALL-HEALTH", "2025-05", 4.271828m, area: "E05011095"),
            IndicatorTestData.Row("SMALL-HEALTH", "2025-06", 3.141593m),
        ]);

        var secrets = new HashSet<string>(StringComparer.Ordinal)
        {
            SecretNote, "SECRET-NOTE", draft.Id().ToString(), draftPriority.Id().ToString(), draftCommitment.Id().ToString(),
            draftIndicator.Id().ToString(), "DRAFT-ONLY", "Draft-only priority", "Draft progress",
            "3.141593", "3.142%", "4.271828", "4.272%",
        };
        foreach (var client in (await t.Admin.GetAsync(t.Path("/clients?limit=200")).OkAsync())["items"]!.AsArray())
        {
            secrets.Add(client!["id"]!.GetValue<string>());
            if (client["keyId"]?.GetValue<string>() is { } keyId) secrets.Add(keyId);
        }

        var values = new Dictionary<string, string>
        {
            ["partnership"] = t.Slug, ["planId"] = refreshed.Id().ToString(), ["priorityId"] = refreshedPriority.ToString(),
            ["commitmentId"] = first.CommitmentIds[0].ToString(), ["indicatorId"] = shared.Id().ToString(), ["agencyId"] = first.AgencyId.ToString(),
            ["frameworkId"] = framework.Id().ToString(), ["outcomeId"] = outcome.Id().ToString(), ["areaCode"] = "E09000028",
            ["period"] = "2025-06", ["clientId"] = Guid.NewGuid().ToString(), ["alignmentId"] = Guid.NewGuid().ToString(),
        };
        var draftValues = new Dictionary<string, string>(values)
        {
            ["planId"] = draft.Id().ToString(), ["priorityId"] = draftPriority.Id().ToString(), ["commitmentId"] = draftCommitment.Id().ToString(),
            ["indicatorId"] = draftIndicator.Id().ToString(),
        };
        return new PublicWorld(t, values, draftValues, secrets, shared.Id(), draftIndicator.Id(), draftPriority.Id(), small.Id());
    }

    private List<ApiRoute> PublicRoutes() =>
        MatrixKit.Routes(factory).Where(r => r.Method == "GET" && r.IsTenant && r.Endpoint.Metadata.GetMetadata<PublicReadAllowed>() is not null).ToList();

    /// <summary>Every field name and value the projection withholds, wherever it appears in the body.</summary>
    private static IEnumerable<string> Leaks(string body, IReadOnlySet<string> secrets)
    {
        foreach (var secret in secrets)
            if (body.Contains(secret, StringComparison.OrdinalIgnoreCase)) yield return $"value '{secret}'";
        JsonNode? json = null;
        try
        {
            json = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            // CSV, SVG, HTML, Markdown: the values above are what can leak there.
        }
        if (json is null) yield break;
        foreach (var (path, name) in Names(json, "$"))
            // disclosure {rule, version} names the version of the disclosure rules, not a row's.
            if (WithheldFields.Contains(name) && !path.EndsWith(".disclosure.version", StringComparison.Ordinal)) yield return $"field {path}";
    }

    private static IEnumerable<(string Path, string Name)> Names(JsonNode node, string path)
    {
        if (node is JsonObject o)
            foreach (var (name, value) in o)
            {
                yield return ($"{path}.{name}", name);
                if (value is not null) foreach (var inner in Names(value, $"{path}.{name}")) yield return inner;
            }
        else if (node is JsonArray a)
            for (var i = 0; i < a.Count; i++)
                if (a[i] is { } item) foreach (var inner in Names(item, $"{path}[{i}]")) yield return inner;
    }

    [Fact]
    public async Task No_anonymous_route_shows_a_withheld_field_or_value()
    {
        var w = await BuildAsync();
        var routes = PublicRoutes();
        Assert.Contains(routes, r => r.Pattern.EndsWith("/agencies", StringComparison.Ordinal));
        Assert.Contains(routes, r => r.Pattern.EndsWith("/commitments/{commitmentId}/updates", StringComparison.Ordinal));
        var failures = new List<string>();
        // Each indicator route twice: for the indicator with notes and revisions, and for the one whose values are all suppressed.
        var small = new Dictionary<string, string>(w.Values) { ["indicatorId"] = w.SmallIndicatorId.ToString() };
        foreach (var (route, values) in routes.Select(r => (r, w.Values))
                     .Concat(routes.Where(r => r.Parameters.Contains("indicatorId")).Select(r => (r, small))))
        {
            var path = route.Path(values);
            foreach (var variant in new[] { path, path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "area=*" })
            {
                foreach (var accept in new[] { "*/*", "text/csv", "text/markdown", "text/html" })
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, variant);
                    request.Headers.TryAddWithoutValidation("Accept", accept);
                    using var response = await Anonymous.SendAsync(request);
                    var body = await response.Content.ReadAsStringAsync();
                    if (accept == "*/*" && variant == path && response.StatusCode != HttpStatusCode.OK)
                        failures.Add($"{route.Key}: {(int)response.StatusCode} {MatrixKit.Excerpt(body)}");
                    failures.AddRange(Leaks(body, w.Secrets).Select(l => $"{route.Key} ({variant}, {accept}): {l}"));
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Drafts_and_what_only_drafts_have_are_not_public()
    {
        var w = await BuildAsync();
        var failures = new List<string>();
        foreach (var route in PublicRoutes().Where(r => r.Parameters.Any(p => p is "planId" or "priorityId" or "commitmentId" or "indicatorId")))
        {
            var path = route.Path(w.DraftValues);
            var (status, _, body, error) = await MatrixKit.SendAsync(Anonymous, HttpMethod.Get, path, null);
            var expected = route.Parameters.Contains("indicatorId") ? StatusCodes.Status401Unauthorized : StatusCodes.Status404NotFound;
            if (error is not null || status != expected) failures.Add($"{route.Key}: {(error ?? status.ToString(System.Globalization.CultureInfo.InvariantCulture))}, not {expected}");
            // A 404 names the id that was asked for: that is no leak.
            var named = w.Secrets.Where(s => !path.Contains(s, StringComparison.OrdinalIgnoreCase)).ToHashSet();
            failures.AddRange(Leaks(body, named).Select(l => $"{route.Key}: {l}"));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        var list = await Anonymous.GetAsync(w.T.Path("/indicators")).OkAsync();
        Assert.Equal(HttpStatusCode.OK, (await Anonymous.GetAsync(w.T.Path($"/indicators/{w.SharedIndicatorId}"))).StatusCode);
        Assert.Contains(w.SharedIndicatorId, list.ItemIds());
        Assert.DoesNotContain(w.DraftIndicatorId, list.ItemIds());
        var shared = await Anonymous.GetAsync(w.T.Path($"/indicators/{w.SharedIndicatorId}")).OkAsync();
        Assert.DoesNotContain(w.DraftPriorityId, shared["priorityIds"]!.AsArray().Select(x => x!.GetValue<Guid>()));
        Assert.Single(shared["priorityIds"]!.AsArray());
    }

    [Fact]
    public async Task Keyed_readers_keep_the_full_shape()
    {
        var w = await BuildAsync();
        var (reader, _, _) = await w.T.KeyAsync(["read"]);

        var observations = await reader.GetAsync(w.T.Path($"/indicators/{w.SharedIndicatorId}/observations")).OkAsync();
        var june = observations["items"]!.AsArray().Single(o => o!["period"]!.GetValue<string>() == "2025-06")!;
        Assert.Equal(SecretNote, june["note"]!.GetValue<string>());
        Assert.NotNull(june["clientId"]!.GetValue<Guid?>());
        Assert.Equal(2, june["version"]!.GetValue<long>());
        var indicator = await reader.GetAsync(w.T.Path($"/indicators/{w.SharedIndicatorId}")).OkAsync();
        Assert.Contains(w.DraftPriorityId, indicator["priorityIds"]!.AsArray().Select(x => x!.GetValue<Guid>()));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(w.T.Path($"/indicators/{w.DraftIndicatorId}"))).StatusCode);
        var agency = (await reader.GetAsync(w.T.Path("/agencies")).OkAsync())["items"]!.AsArray()[0]!.AsObject();
        Assert.Equal(["id", "code", "name", "kind", "version", "createdAt", "updatedAt"], agency.Select(p => p.Key));

        var anonymous = await Anonymous.GetAsync(w.T.Path($"/indicators/{w.SharedIndicatorId}/observations")).OkAsync();
        var publicJune = anonymous["items"]!.AsArray().Single(o => o!["period"]!.GetValue<string>() == "2025-06")!.AsObject();
        Assert.Equal(11m, publicJune["value"]!.GetValue<decimal>());
        Assert.False(publicJune.ContainsKey("note") || publicJune.ContainsKey("clientId") || publicJune.ContainsKey("version"));
    }

    [Fact]
    public async Task The_public_sees_agencies_as_id_code_and_name()
    {
        var w = await BuildAsync();

        var list = await Anonymous.GetAsync(w.T.Path("/agencies")).OkAsync();
        Assert.NotEmpty(list["items"]!.AsArray());
        foreach (var agency in list["items"]!.AsArray())
            Assert.Equal(["id", "code", "name"], agency!.AsObject().Select(p => p.Key));
        var one = await Anonymous.GetAsync(w.T.Path($"/agencies/{w.Values["agencyId"]}")).OkAsync();
        Assert.Equal(["id", "code", "name"], one.Select(p => p.Key));
    }

    [Fact]
    public async Task The_public_plan_document_is_its_own_representation()
    {
        var w = await BuildAsync();
        var path = w.T.Path($"/plans/{w.Values["planId"]}");

        var keyed = await w.T.Admin.GetAsync(path);
        var anonymous = await Anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.NotEqual(keyed.Headers.ETag, anonymous.Headers.ETag);
        var keyedText = await keyed.Content.ReadAsStringAsync();
        Assert.Contains(w.DraftPriorityId.ToString(), keyedText, StringComparison.Ordinal);
        Assert.Contains("\"version\"", keyedText, StringComparison.Ordinal);
        Assert.Empty(Leaks(await anonymous.Content.ReadAsStringAsync(), w.Secrets));
        // The keyed document is still served whole after a public read filled the cache, and the other way round.
        Assert.Equal(keyedText, await (await w.T.Admin.GetAsync(path)).Content.ReadAsStringAsync());
    }
}
