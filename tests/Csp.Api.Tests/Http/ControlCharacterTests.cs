using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Http;

/// <summary>
/// No identifier is ever stored with a control character in it: .NET's <c>$</c> also matches before a final newline, so a
/// pattern check alone let <c>"SBC\n"</c> through, and a slug ending in a newline answered 500 after its write committed.
/// Each control character (U+0000–U+001F and U+007F), at the end and in the middle, is planted in each identifier field of
/// each write route: every one is refused with a 400 (or, in the batch push, the row is rejected), never a 5xx, and afterwards
/// no identifier column of the database holds a control character.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ControlCharacterTests(CspApiFactory factory)
{
    private static readonly string[] Planted =
        [.. Enumerable.Range(0, 0x20).Append(0x7F).Select(c => ((char)c).ToString())];

    /// <summary>One identifier field of one write route: the request, given the text to send in the field.</summary>
    private sealed record Case(string Name, Func<string, HttpRequestMessage> Request, bool IsPush = false);

    private static HttpRequestMessage Send(HttpMethod method, string path, object body) =>
        new(method, path) { Content = JsonContent.Create(body) };

    [Fact]
    public async Task Every_identifier_field_of_every_write_route_refuses_every_control_character()
    {
        var t = await TestTenant.CreateAsync(factory, "ctl");
        var met = await t.CreateAgencyAsync("MET", "police");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());
        var framework = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/frameworks"), new { code = "PCP", title = "Police and Crime Plan" }),
            HttpStatusCode.Created);
        var outcome = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/frameworks/{framework.Id()}/outcomes"),
            new { code = "PCP-1", title = "Reducing violence" }), HttpStatusCode.Created);
        object Indicator(string code) => new { code, name = "Personal robbery", unit = "count", direction = "decrease", frequency = "monthly", sourceAgencyId = met.Id() };
        var indicator = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), Indicator("ROB")), HttpStatusCode.Created);
        var (feed, _, _) = await t.KeyAsync(["observations:write"], met.Id());
        var platform = factory.ClientWithKey(CspApiFactory.PlatformKey);
        var ward = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/areas"),
            new { code = "E05011095", name = "Borough & Bankside", type = "ward", parentCode = "E09000028" }), HttpStatusCode.Created);
        object Indicator2(object? targets = null, object? breaks = null) => new
        {
            code = "KNIFE", name = "Knife crime", unit = "count", direction = "decrease", frequency = "monthly", sourceAgencyId = met.Id(), targets, breaks,
        };
        object Row(string indicatorCode = "ROB", string period = "2024-06", string area = "E09000028") =>
            new { observations = new[] { new { indicator = indicatorCode, period, area, value = 12, status = "provisional" } } };

        var cases = new List<(Case Case, HttpClient Client)>
        {
            (new("createPartnership slug", s => Send(HttpMethod.Post, "/v1/partnerships", new { slug = "ctl-new" + s, name = "New", areaCode = "E09000028" })), platform),
            (new("createPartnership areaCode", s => Send(HttpMethod.Post, "/v1/partnerships", new { slug = "ctl-area", name = "New", areaCode = "E0900002" + s })), platform),
            (new("updatePartnership areaCode", s => Send(HttpMethod.Put, t.Path(), new { name = "Ctl", areaCode = "E09000028" + s, publicRead = false })), t.Admin),
            (new("updatePartnership corsOrigins", s => Send(HttpMethod.Put, t.Path(),
                new { name = "Ctl", areaCode = "E09000028", publicRead = false, corsOrigins = new[] { "https://portal.example.org" + s } })), t.Admin),
            (new("createAgency code", s => Send(HttpMethod.Post, t.Path("/agencies"), new { code = "NHS" + s, name = "NHS", kind = "health" })), t.Admin),
            (new("updateAgency code", s => Send(HttpMethod.Put, t.Path($"/agencies/{met.Id()}"), new { code = "MET" + s, name = "Met", kind = "police" })), t.Admin),
            (new("createPriority code", s => Send(HttpMethod.Post, t.Path($"/plans/{plan.Id()}/priorities"), new { code = "P2" + s, title = "Second" })), t.Admin),
            (new("updatePriority code", s => Send(HttpMethod.Put, t.Path($"/priorities/{priority.Id()}"), new { code = "P1" + s, title = "Reducing violence" })), t.Admin),
            (new("createCommitment code", s => Send(HttpMethod.Post, t.Path($"/priorities/{priority.Id()}/commitments"), new { code = "C2" + s, title = "Second" })), t.Admin),
            (new("updateCommitment code", s => Send(HttpMethod.Put, t.Path($"/commitments/{commitment.Id()}"), new { code = "C1" + s, title = "Night-time safety spaces" })), t.Admin),
            (new("createIndicator code", s => Send(HttpMethod.Post, t.Path("/indicators"), Indicator("KNIFE" + s))), t.Admin),
            (new("updateIndicator code", s => Send(HttpMethod.Put, t.Path($"/indicators/{indicator.Id()}"), Indicator("ROB" + s))), t.Admin),
            (new("createFramework code", s => Send(HttpMethod.Post, t.Path("/frameworks"), new { code = "VRU" + s, title = "Violence Reduction" })), t.Admin),
            (new("updateFramework code", s => Send(HttpMethod.Put, t.Path($"/frameworks/{framework.Id()}"), new { code = "PCP" + s, title = "Police and Crime Plan" })), t.Admin),
            (new("createOutcome code", s => Send(HttpMethod.Post, t.Path($"/frameworks/{framework.Id()}/outcomes"), new { code = "PCP-2" + s, title = "Second" })), t.Admin),
            (new("updateOutcome code", s => Send(HttpMethod.Put, t.Path($"/outcomes/{outcome.Id()}"), new { code = "PCP-1" + s, title = "Reducing violence" })), t.Admin),
            (new("createClient scopes", s => Send(HttpMethod.Post, t.Path("/clients"), new { name = "Feed", scopes = new[] { "read" + s } })), t.Admin),
            (new("createArea code", s => Send(HttpMethod.Post, t.Path("/areas"), new { code = "E05011096" + s, name = "Camberwell Green", type = "ward" })), t.Admin),
            (new("createArea parentCode", s => Send(HttpMethod.Post, t.Path("/areas"),
                new { code = "E05011097", name = "Champion Hill", type = "ward", parentCode = "E09000028" + s })), t.Admin),
            (new("updateArea parentCode", s => Send(HttpMethod.Put, t.Path($"/areas/{ward.Str("code")}"),
                new { name = "Borough & Bankside", type = "ward", parentCode = "E09000028" + s })), t.Admin),
            (new("createIndicator targets[].area", s => Send(HttpMethod.Post, t.Path("/indicators"),
                Indicator2(targets: new[] { new { area = "E05011095" + s, period = "2024-06", value = 20 } }))), t.Admin),
            (new("createIndicator breaks[].period", s => Send(HttpMethod.Post, t.Path("/indicators"),
                Indicator2(breaks: new[] { new { period = "2024-02" + s, reason = "CONNECT" } }))), t.Admin),
            (new("pushObservations indicator", s => Send(HttpMethod.Post, t.Path("/observations"), Row(indicatorCode: "ROB" + s)), IsPush: true), feed),
            (new("pushObservations period", s => Send(HttpMethod.Post, t.Path("/observations"), Row(period: "2024-06" + s)), IsPush: true), feed),
            (new("pushObservations area", s => Send(HttpMethod.Post, t.Path("/observations"), Row(area: "E09000028" + s)), IsPush: true), feed),
        };

        var failures = new List<string>();
        foreach (var (@case, client) in cases)
            foreach (var planted in Planted)
                foreach (var place in new[] { "end", "middle" })
                {
                    var request = @case.Request(planted);
                    if (place == "middle")
                    {
                        // The same field with the character before its last letter instead of after it.
                        var body = await request.Content!.ReadAsStringAsync();
                        var escaped = System.Text.Json.JsonSerializer.Serialize(planted)[1..^1];
                        var at = body.IndexOf(escaped, StringComparison.Ordinal);
                        body = body[..(at - 1)] + escaped + body[at - 1] + body[(at + escaped.Length)..];
                        request = new HttpRequestMessage(request.Method, request.RequestUri) { Content = new StringContent(body, System.Text.Encoding.UTF8, new System.Net.Http.Headers.MediaTypeHeaderValue("application/json")) };
                    }
                    var response = await client.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    var label = $"{@case.Name} with U+{(int)planted[0]:X4} at the {place}";
                    if (@case.IsPush)
                    {
                        var rejected = response.StatusCode is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity
                            && JsonNode.Parse(text)?["rejected"]?.GetValue<int>() == 1;
                        if (!rejected && response.StatusCode != HttpStatusCode.BadRequest) failures.Add($"{label}: {(int)response.StatusCode} {text}");
                    }
                    else if (response.StatusCode != HttpStatusCode.BadRequest)
                        failures.Add($"{label}: {(int)response.StatusCode} {text}");
                }
        Assert.True(failures.Count == 0, $"{failures.Count} planted control characters were not refused:\n  " + string.Join("\n  ", failures.Take(40)));

        var stored = new List<string>();
        foreach (var (table, column) in new[]
                 {
                     ("partnerships", "slug"), ("partnerships", "area_code"), ("partnerships", "cors_origins"), ("agencies", "code"),
                     ("priorities", "code"), ("commitments", "code"), ("indicators", "code"), ("frameworks", "code"), ("outcomes", "code"),
                     ("observations", "period"), ("observations", "area"), ("clients", "scopes"), ("areas", "code"), ("areas", "parent_code"),
                     ("indicator_targets", "area"), ("indicator_breaks", "period"),
                 })
        {
            var values = await factory.QueryAsync<string?>($"SELECT {column} FROM {table}");
            stored.AddRange(values.Where(v => v is not null && v.Any(char.IsControl)).Select(v => $"{table}.{column}: {System.Text.Json.JsonSerializer.Serialize(v)}"));
        }
        Assert.True(stored.Count == 0, "Stored with a control character:\n  " + string.Join("\n  ", stored));
    }
}
