using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Contract.ContractDocument;

namespace Csp.Api.Tests.Contract;

/// <summary>
/// Every problem example of the contract (the shared responses under components/responses, and an endpoint's own) is a body the
/// service really sends: each is provoked, on an operation that refers to its response, and the service's answer must match it
/// (status, type, title, detail; the traceId differs per request).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ProblemExampleTests(CspApiFactory factory)
{
    private sealed record Trigger(string OperationId, Func<World, Task<HttpResponseMessage>> Send);

    private sealed record World(TestTenant Tenant, Guid Agency, HttpClient Reader, HttpClient Pusher, HttpClient Anonymous);

    private static readonly string ValidBatch = """{"observations":[{"indicator":"ROB-PERSONAL","period":"2024-06","value":187}]}""";

    /// <summary>How to provoke each example: (response, example name) → an operation referring to that response, and the request.</summary>
    private static readonly Dictionary<(string Response, string Example), Trigger> Triggers = new()
    {
        [("Unauthorized", "missing-key")] = new("listSentObservations", w => w.Anonymous.GetAsync(w.Tenant.Path("/observations"))),
        [("UnauthorizedPublicRead", "missing-key")] = new("getCurrentPlan", w => w.Anonymous.GetAsync(w.Tenant.Path("/plans/current"))),
        [("ForbiddenRead", "insufficient-scope")] = new("listAgencies", w => w.Pusher.GetAsync(w.Tenant.Path("/agencies"))),
        [("ForbiddenPlansWrite", "insufficient-scope")] = new("createPlan", w => w.Reader.PostAsync(w.Tenant.Path("/plans"), Json(PlanBody))),
        [("ForbiddenObservationsSignoff", "insufficient-scope")] = new("signOffPeriod",
            w => w.Reader.PostAsync(w.Tenant.Path($"/indicators/{Guid.NewGuid()}/periods/2024-06/signoff"), null)),
        [("ForbiddenAdmin", "insufficient-scope")] = new("listAuditEvents", w => w.Reader.GetAsync(w.Tenant.Path("/audit"))),
        [("ForbiddenPlatform", "insufficient-scope")] = new("listPartnerships", w => w.Tenant.Admin.GetAsync("/v1/partnerships")),
        [("PushForbidden", "insufficient-scope")] = new("pushObservations", w => w.Reader.PostAsync(w.Tenant.Path("/observations"), Json(ValidBatch))),
        [("PushForbidden", "force-needs-admin")] = new("pushObservations",
            w => w.Pusher.PostAsync(w.Tenant.Path("/observations?force=true"), Json(ValidBatch))),
        [("RetractForbidden", "insufficient-scope")] = new("retractObservation",
            w => w.Reader.DeleteAsync(w.Tenant.Path($"/indicators/{Guid.NewGuid()}/observations/2024-06"))),
        [("RetractForbidden", "force-needs-admin")] = new("retractObservation",
            w => w.Pusher.DeleteAsync(w.Tenant.Path($"/indicators/{Guid.NewGuid()}/observations/2024-06?force=true"))),
        [("NotFound", "no-partnership")] = new("listAgencies", w => w.Tenant.Admin.GetAsync("/v1/partnerships/southwark/agencies")),
        [("PreconditionFailed", "stale-etag")] = new("updateAgency", w =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, w.Tenant.Path($"/agencies/{w.Agency}"))
            {
                Content = JsonContent.Create(new { code = "MET", name = "Metropolitan Police", kind = "police" }),
            };
            request.Headers.TryAddWithoutValidation("If-Match", "\"999\"");
            return w.Tenant.Admin.SendAsync(request);
        }),
        [("PayloadTooLarge", "body-too-large")] = new("createPlan",
            w => w.Tenant.Admin.PostAsync(w.Tenant.Path("/plans"), Json(PlanBody.Replace("\"title\":", new string(' ', 1024 * 1024) + "\"title\":", StringComparison.Ordinal)))),
        [("PushTooLarge", "body-too-large")] = new("pushObservations",
            w => w.Pusher.PostAsync(w.Tenant.Path("/observations"), new DeclaredOnly(Api.Observations.BatchPush.MaxBodyBytes + 1))),
        [("PushTooLarge", "too-many-rows")] = new("pushObservations", w => w.Pusher.PostAsync(w.Tenant.Path("/observations"),
            Json("""{"observations":[""" + string.Join(',', Enumerable.Repeat("{}", Api.Observations.BatchPush.MaxJobRows + 1)) + "]}"))),
        [("ForbiddenObservationsWrite", "insufficient-scope")] = new("getJob", w => w.Reader.GetAsync(w.Tenant.Path($"/jobs/{Guid.NewGuid()}"))),
        [("UnsupportedMediaType", "not-json")] = new("createPlan",
            w => w.Tenant.Admin.PostAsync(w.Tenant.Path("/plans"), new StringContent(PlanBody, Encoding.UTF8, "text/plain"))),
    };

    private const string PlanBody = """{"title":"Plan 2025-26","periodStart":"2025-04-01","periodEnd":"2026-03-31"}""";

    [Fact]
    public async Task Every_problem_example_is_what_the_service_answers()
    {
        var doc = Committed();
        var examples = (doc["components"]?["responses"]?.AsObject() ?? [])
            .SelectMany(r => Examples(doc, r.Value?["content"]?["application/problem+json"]).Select(e => (Response: r.Key, e.Name, e.Value)))
            .ToList();
        Assert.NotEmpty(examples);
        var untriggered = examples.Where(e => !Triggers.ContainsKey((e.Response, e.Name))).Select(e => $"{e.Response}/{e.Name}").ToList();
        Assert.True(untriggered.Count == 0, "Problem examples this test cannot provoke (add a trigger): " + string.Join(", ", untriggered));

        var t = await TestTenant.CreateAsync(factory, "problems");
        var agency = (await t.CreateAgencyAsync("MET")).Id();
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"),
            new { code = "ROB-PERSONAL", name = "Personal robbery", unit = "count", direction = "decrease", frequency = "monthly", sourceAgencyId = agency }),
            System.Net.HttpStatusCode.Created);
        var world = new World(t, agency, (await t.KeyAsync([Scopes.Read])).Client, (await t.KeyAsync([Scopes.ObservationsWrite])).Client,
            factory.ClientWithKey(null));

        var failures = new List<string>();
        foreach (var (response, name, value) in examples)
        {
            var (operationId, send) = Triggers[(response, name)];
            var operation = Find(doc, operationId);
            var status = value!["status"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Node["responses"]?[status]?["$ref"]?.GetValue<string>() != $"#/components/responses/{response}")
            {
                failures.Add($"{response}/{name}: {operation.Name} does not refer to it for {status}; trigger it on one that does.");
                continue;
            }
            using var answer = await send(world);
            var text = await answer.Content.ReadAsStringAsync();
            var body = JsonNode.Parse(text) as JsonObject;
            if (body?["traceId"]?.GetValue<string>() is not { Length: > 0 })
            {
                failures.Add($"{response}/{name}: {operation.Name} answered {(int)answer.StatusCode} without a traceId: {text}");
                continue;
            }
            body.Remove("traceId");
            var expected = value.DeepClone().AsObject();
            expected.Remove("traceId");
            if (!JsonNode.DeepEquals(expected, body))
                failures.Add($"{response}/{name}: {operation.Name} answered {(int)answer.StatusCode}\n    {body.ToJsonString()}\n  not its example\n    {expected.ToJsonString()}");
        }
        Assert.True(failures.Count == 0, "Problem examples that are not what the service sends:\n  " + string.Join("\n  ", failures));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>A body that declares a length it never sends: the service refuses it on the declaration alone.</summary>
    private sealed class DeclaredOnly(long length) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            await Task.Delay(TimeSpan.FromSeconds(30));

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return true;
        }
    }
}
