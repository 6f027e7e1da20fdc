using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.OpenApi;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static Csp.Api.Tests.Contract.ContractDocument;

namespace Csp.Api.Tests.Contract;

/// <summary>
/// The examples in the contract are what a partner copies first, so each must be true of the code: it validates against its
/// schema (with the JSON Schema machinery that checks the suite's real responses, <see cref="OpenApiContract"/>), every request
/// example is sent to the service and gets a documented success, and a response example is what the service answered.
/// The problem examples are provoked by <see cref="ProblemExampleTests"/>.
/// </summary>
public sealed class ExampleTests
{
    [Fact]
    public void Every_example_validates_against_its_schema()
    {
        var failures = Validate(Committed());
        Assert.True(failures.Count == 0, "Examples the contract's own schemas reject:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Problem_responses_are_shared_not_repeated()
    {
        var doc = Committed();
        var shared = doc["components"]?["responses"]?.AsObject() ?? [];
        var inline = Operations(doc)
            .SelectMany(o => (o.Node["responses"]?.AsObject() ?? []).Where(r => r.Key[0] is '4' or '5' && r.Value?["$ref"] is null)
                .Select(r => $"{o.Name} {r.Key}"))
            .ToList();
        Assert.True(inline.Count == 0, "Problem responses written inline instead of referring to components/responses:\n  " + string.Join("\n  ", inline));
        Assert.InRange(shared.Count, 10, 30);
        Assert.All(shared, r => Assert.NotNull(r.Value!["content"]?["application/problem+json"]));
    }

    [Fact]
    public void The_batch_push_example_is_a_police_extract_and_its_answer_a_partial_with_one_conflict()
    {
        var doc = Committed();
        var push = Find(doc, "pushObservations");
        var rows = Assert.Single(RequestExamples(doc, push)).Value!["observations"]!.AsArray();
        Assert.True(rows.Count >= 10, $"the push example has {rows.Count} rows");
        Assert.Equal(["KNIFE-INJURY", "ROB-PERSONAL", "THEFT-PERSON"], rows.Select(r => r!["indicator"]!.GetValue<string>()).Distinct().Order());
        Assert.All(rows, r => Assert.Equal("E09000028", r!["area"]!.GetValue<string>()));
        Assert.Equal(["final", "provisional"], rows.Select(r => r!["status"]!.GetValue<string>()).Distinct().Order());

        var result = Assert.Single(Examples(doc, push.Node["responses"]!["200"]!["content"]!["application/json"])).Value!;
        Assert.Equal("partial", result["status"]!.GetValue<string>());
        var conflict = Assert.Single(result["conflicts"]!.AsArray());
        Assert.InRange(conflict!["index"]!.GetValue<int>(), 0, rows.Count - 1);
        Assert.Equal(rows.Count, new[] { "created", "updated", "unchanged", "rejected" }.Sum(k => result[k]!.GetValue<int>()));
    }

    /// <summary>
    /// Every request example of the contract, sent in the order a new partnership would (the <see cref="ExampleIds"/> in its body
    /// replaced by the ids the earlier ones got), on a database of its own: each answers a success status its operation documents, and the push answers
    /// exactly its response example. An operation given a request example later must be added here.
    /// </summary>
    [Fact]
    public async Task Every_request_example_runs_against_the_service_and_gets_a_documented_success()
    {
        await using var factory = new CspApiFactory();
        var doc = Committed();
        var ids = new Dictionary<Guid, Guid>();
        var ran = new List<string>();
        const string Slug = "southwark";

        async Task<JsonObject> Run(HttpClient client, string operationId, Dictionary<string, Guid>? path = null)
        {
            var operation = Find(doc, operationId);
            var (_, example) = Assert.Single(RequestExamples(doc, operation));
            var url = operation.Template.Replace("{partnership}", Slug, StringComparison.Ordinal);
            foreach (var (name, id) in path ?? [])
                url = url.Replace("{" + name + "}", id.ToString(), StringComparison.Ordinal);
            var body = ids.Aggregate(example!.ToJsonString(), (json, id) => json.Replace(id.Key.ToString(), id.Value.ToString(), StringComparison.Ordinal));
            var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(operation.Method), url)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            });
            var text = await response.Content.ReadAsStringAsync();
            var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(status[0] == '2' && operation.Node["responses"]?[status] is not null,
                $"The {operation.Name} example answered {status}, not a success it documents: {text}\n  sent: {body}");
            ran.Add(operationId);
            return JsonNode.Parse(text)!.AsObject();
        }
        async Task<JsonObject> Post(HttpClient client, string path, object body) =>
            await TestTenant.Expect(await client.PostAsJsonAsync($"/v1/partnerships/{Slug}{path}", body), HttpStatusCode.Created);

        var platform = factory.ClientWithKey(CspApiFactory.PlatformKey);
        await Run(platform, "createPartnership");
        var admin = factory.ClientWithKey((await Post(platform, "/clients", new { name = "examples admin", scopes = new[] { Scopes.Admin } })).Str("key"));

        await Run(admin, "createArea");
        ids[ExampleIds.Met] = (await Run(admin, "createAgency")).Id();
        ids[ExampleIds.Council] = (await Post(admin, "/agencies", new { code = "SBC", name = "Southwark Council", kind = "local_authority" })).Id();
        var feed = factory.ClientWithKey((await Run(admin, "createClient")).Str("key"));

        ids[ExampleIds.Plan] = (await Run(admin, "createPlan")).Id();
        ids[ExampleIds.Priority] = (await Run(admin, "createPriority", new() { ["planId"] = ids[ExampleIds.Plan] })).Id();
        ids[ExampleIds.Commitment] = (await Run(admin, "createCommitment", new() { ["priorityId"] = ids[ExampleIds.Priority] })).Id();
        await Run(admin, "addCommitmentUpdate", new() { ["commitmentId"] = ids[ExampleIds.Commitment] });

        await Run(admin, "createIndicator");
        foreach (var (code, name) in new[] { ("THEFT-PERSON", "Theft from the person"), ("KNIFE-INJURY", "Knife crime with injury") })
            await Post(admin, "/indicators", new { code, name, unit = "count", direction = "decrease", frequency = "monthly", sourceAgencyId = ids[ExampleIds.Met] });
        var pushed = await Run(feed, "pushObservations");
        var answer = Assert.Single(Examples(doc, Find(doc, "pushObservations").Node["responses"]!["200"]!["content"]!["application/json"])).Value;
        Assert.True(JsonNode.DeepEquals(answer, pushed), $"The push answered\n  {pushed.ToJsonString()}\nnot its example\n  {answer!.ToJsonString()}");

        var framework = (await Run(admin, "createFramework")).Id();
        ids[ExampleIds.Outcome] = (await Run(admin, "createOutcome", new() { ["frameworkId"] = framework })).Id();
        await Run(admin, "createAlignment");

        await Run(admin, "approvePlan", new() { ["planId"] = ids[ExampleIds.Plan] });
        var refreshed = await Run(admin, "refreshPlan", new() { ["planId"] = ids[ExampleIds.Plan] });
        Assert.Equal(1, refreshed["carriedOver"]!.GetValue<int>());

        var withExamples = Operations(doc).Where(o => RequestExamples(doc, o).Count > 0).Select(o => o.Id).Order().ToList();
        Assert.Equal(withExamples, ran.Order().ToList());
    }

    /// <summary>
    /// The conventions on an operation no one has written yet: a tiny app with the same OpenAPI setup. Its problem responses are
    /// the shared ones, its request example is what the endpoint attached, and a public read is marked as such.
    /// </summary>
    [Fact]
    public async Task A_new_operation_refers_to_the_shared_problems_and_a_public_read_is_marked_as_such()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Services.AddCspOpenApi();
        builder.Services.AddOptions<Csp.Api.Infrastructure.Security.RequestLimitOptions>();
        await using var app = builder.Build();
        app.MapOpenApi("/openapi/{documentName}.json");
        var group = app.MapGroup("/v1/partnerships/{partnership}");
        group.MapPost("/widgets", (WidgetRequest request) => TypedResults.Created("/widgets/1", new Widget(Guid.CreateVersion7(), request.Name, 2.5m)))
            .WithName("createWidget").WithSummary("Create a widget").RequireScope(Scopes.PlansWrite)
            .WithRequestExample(new Example<WidgetRequest>("round", "A round widget", new WidgetRequest("Round", null)));
        group.MapGet("/widgets/{widgetId}", Results<Ok<Widget>, NotFound> (Guid widgetId) => TypedResults.NotFound())
            .WithName("getWidget").WithSummary("Read a widget").RequireScope(Scopes.Read).WithMetadata(new PublicReadAllowed());
        await app.StartAsync();

        var doc = JsonNode.Parse(await app.GetTestClient().GetStringAsync("/openapi/v1.json"))!.AsObject();

        var create = doc["paths"]!["/v1/partnerships/{partnership}/widgets"]!["post"]!;
        Assert.Equal("""{"name":"Round"}""", create["requestBody"]!["content"]!["application/json"]!["examples"]!["round"]!["value"]!.ToJsonString());
        Assert.Equal("#/components/responses/ForbiddenPlansWrite", create["responses"]!["403"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/responses/BadRequest", create["responses"]!["400"]!["$ref"]!.GetValue<string>());
        Assert.Equal("""[{"ApiKey":[]}]""", create["security"]!.ToJsonString());
        Assert.DoesNotContain(OpenApiSetup.PublicReadSentence, create["description"]?.GetValue<string>() ?? "");
        var widget = doc["components"]!["schemas"]!["Widget"]!;
        Assert.Equal("decimal", widget["properties"]!["weight"]!["format"]!.GetValue<string>());
        Assert.Equal(["name"], doc["components"]!["schemas"]!["WidgetRequest"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()));

        var read = doc["paths"]!["/v1/partnerships/{partnership}/widgets/{widgetId}"]!["get"]!;
        Assert.Equal("""[{"ApiKey":[]},{}]""", read["security"]!.ToJsonString());
        Assert.Contains(OpenApiSetup.PublicReadSentence, read["description"]!.GetValue<string>());
        Assert.Equal("#/components/responses/UnauthorizedPublicRead", read["responses"]!["401"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/responses/NotFound", read["responses"]!["404"]!["$ref"]!.GetValue<string>());
        Assert.Empty(Validate(doc));
    }

    public sealed record WidgetRequest([property: RequiredInRequest] string Name, string? Colour);

    public sealed record Widget(Guid Id, string Name, decimal Weight);

    // ------------------------------------------------------------------ helpers

    /// <summary>
    /// Each example (request bodies, responses, and the shared responses under components/responses) checked by
    /// <see cref="OpenApiContract.Check"/>: every one becomes the 200 of a synthetic operation whose schema is the example's own,
    /// in a copy of the document (so $refs resolve against its components).
    /// </summary>
    private static List<string> Validate(JsonObject doc)
    {
        var places = new List<(string Label, JsonObject Content)>();
        foreach (var operation in Operations(doc))
        {
            if (Resolve(doc, operation.Node["requestBody"])?["content"] is JsonObject request) places.Add(($"{operation.Name} request", request));
            foreach (var (status, response) in operation.Node["responses"]?.AsObject() ?? [])
                if (response?["$ref"] is null && response?["content"] is JsonObject content) places.Add(($"{operation.Name} {status}", content));
        }
        foreach (var (name, response) in doc["components"]?["responses"]?.AsObject() ?? [])
            if (response?["content"] is JsonObject content) places.Add(($"components/responses/{name}", content));

        var copy = doc.DeepClone().AsObject();
        var paths = new JsonObject();
        var cases = new List<(string Label, string Path, string MediaType, JsonNode? Value)>();
        foreach (var (label, content) in places)
            foreach (var (mediaType, media) in content)
                foreach (var (name, value) in Examples(doc, media))
                {
                    var path = $"/__examples/{cases.Count}";
                    paths[path] = new JsonObject
                    {
                        ["get"] = new JsonObject
                        {
                            ["operationId"] = $"example{cases.Count}",
                            ["responses"] = new JsonObject
                            {
                                ["200"] = new JsonObject
                                {
                                    ["description"] = "example",
                                    ["content"] = new JsonObject { [mediaType] = new JsonObject { ["schema"] = media!["schema"]?.DeepClone() } },
                                },
                            },
                        },
                    };
                    cases.Add(($"{label} {mediaType} example '{name}'", path, mediaType, value));
                }
        copy["paths"] = paths;
        var contract = new OpenApiContract(copy);

        var failures = new List<string>();
        foreach (var (label, path, mediaType, value) in cases)
        {
            if (!IsJson(mediaType))
            {
                if (value?.GetValueKind() != System.Text.Json.JsonValueKind.String) failures.Add($"{label}: a {mediaType} example must be a string");
                continue;
            }
            var problems = contract.Check("GET", path, 200, mediaType, value?.ToJsonString() ?? "null");
            if (problems.Count > 0) failures.Add($"{label}:\n  {string.Join("\n  ", problems)}");
        }
        return failures;
    }
}
