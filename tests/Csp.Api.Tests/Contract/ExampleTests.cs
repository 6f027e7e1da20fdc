using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.OpenApi;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.Contract;

/// <summary>
/// The examples in the contract (ExampleConventions) are what a partner copies first, so every
/// operation has them and every one validates against its schema, with the same JSON Schema
/// machinery that checks the suite's real responses (<see cref="OpenApiContract"/>). Generic over
/// the document: a new operation is covered without naming it here.
/// </summary>
public sealed class ExampleTests
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    [Fact]
    public void Every_operation_has_a_request_example_and_an_example_for_each_json_response()
    {
        var doc = Committed();
        var missing = new List<string>();
        foreach (var (name, operation) in Operations(doc))
        {
            foreach (var (mediaType, media) in Resolve(doc, operation["requestBody"])?["content"]?.AsObject() ?? [])
                if (IsJson(mediaType) && !Examples(doc, media!).Any())
                    missing.Add($"{name}: request body {mediaType}");
            foreach (var (status, response) in operation["responses"]?.AsObject() ?? [])
            foreach (var (mediaType, media) in Resolve(doc, response)?["content"]?.AsObject() ?? [])
                if (IsJson(mediaType) && !Examples(doc, media!).Any())
                    missing.Add($"{name}: {status} {mediaType}");
        }
        Assert.True(missing.Count == 0, "Without an example (api/Infrastructure/OpenApi/ExampleConventions.cs):\n  " + string.Join("\n  ", missing));
    }

    [Fact]
    public void Every_example_validates_against_its_schema()
    {
        var failures = Validate(Committed());
        Assert.True(failures.Count == 0, "Examples the contract's own schemas reject:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Problem_responses_share_one_example_per_status()
    {
        var doc = Committed();
        var shared = doc["components"]?["examples"]?.AsObject() ?? [];
        foreach (var status in new[] { 401, 403, 404, 409, 412, 413, 415, 429, 500 })
        {
            var example = shared[$"Problem{status}"]?["value"];
            Assert.True(example is not null, $"components/examples/Problem{status} is missing");
            Assert.Equal(status, example!["status"]!.GetValue<int>());
            Assert.False(string.IsNullOrEmpty(example["title"]?.GetValue<string>()));
            Assert.False(string.IsNullOrEmpty(example["detail"]?.GetValue<string>()));
            Assert.False(string.IsNullOrEmpty(example["traceId"]?.GetValue<string>()));
        }
        var validation = shared["ValidationProblem400"]?["value"];
        Assert.True(validation?["errors"] is JsonObject { Count: > 0 }, "the 400 example names the fields at fault in `errors`");

        foreach (var (name, operation) in Operations(doc))
        foreach (var (status, response) in operation["responses"]?.AsObject() ?? [])
            if (Resolve(doc, response)?["content"]?["application/problem+json"]?["examples"] is JsonObject examples)
                Assert.All(examples, e => Assert.StartsWith("#/components/examples/", e.Value?["$ref"]?.GetValue<string>() ?? $"{name} {status} inline"));
    }

    [Fact]
    public void The_batch_push_example_is_a_police_extract_and_its_answer_a_partial_with_one_conflict()
    {
        var doc = Committed();
        var (_, push) = Operations(doc).Single(o => o.Operation["operationId"]?.GetValue<string>() == "pushObservations");
        var rows = Examples(doc, push["requestBody"]!["content"]!["application/json"]!).First()["observations"]!.AsArray();
        Assert.True(rows.Count >= 10, $"the push example has {rows.Count} rows");
        Assert.Equal(["KNIFE-INJURY", "ROB-PERSONAL", "THEFT-PERSON"], rows.Select(r => r!["indicator"]!.GetValue<string>()).Distinct().Order());
        Assert.All(rows, r => Assert.Equal("E09000028", r!["area"]!.GetValue<string>()));
        Assert.All(rows, r => Assert.Equal("CONNECT extract 2024-07-06", r!["note"]!.GetValue<string>()));
        Assert.Equal(["final", "provisional"], rows.Select(r => r!["status"]!.GetValue<string>()).Distinct().Order());
        Assert.Contains(rows, r => r!["period"]!.GetValue<string>() == "2024-01");

        var result = Examples(doc, push["responses"]!["200"]!["content"]!["application/json"]!).First();
        Assert.Equal("partial", result["status"]!.GetValue<string>());
        var conflict = Assert.Single(result["conflicts"]!.AsArray());
        Assert.InRange(conflict!["index"]!.GetValue<int>(), 0, rows.Count - 1);
        Assert.Equal(rows.Count, new[] { "created", "updated", "unchanged", "rejected" }.Sum(k => result[k]!.GetValue<int>()));
    }

    /// <summary>
    /// The generic fallback and the public-read marking, on an operation no one has written yet:
    /// a tiny app with the same OpenAPI setup and an endpoint the table does not know.
    /// </summary>
    [Fact]
    public async Task A_new_operation_gets_valid_examples_and_a_public_read_is_marked_as_such()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Services.AddCspOpenApi();
        await using var app = builder.Build();
        app.MapOpenApi("/openapi/{documentName}.json");
        var group = app.MapGroup("/v1/partnerships/{partnership}");
        group.MapPost("/widgets", (WidgetRequest request) => TypedResults.Created("/widgets/1", new Widget(Guid.CreateVersion7(), request.Name, request.Kind,
                request.Due, DateTimeOffset.UtcNow, request.Tags ?? [], new WidgetPart("P1", 2.5m), null, new Dictionary<string, int>())))
            .WithName("createWidget").WithSummary("Create a widget").RequireScope(Scopes.PlansWrite);
        group.MapGet("/widgets/{widgetId}", Results<Ok<Widget>, NotFound> (Guid widgetId) => TypedResults.NotFound())
            .WithName("getWidget").WithSummary("Read a widget").RequireScope(Scopes.Read).WithMetadata(new PublicReadAllowed());
        await app.StartAsync();

        var doc = JsonNode.Parse(await app.GetTestClient().GetStringAsync("/openapi/v1.json"))!.AsObject();

        var create = doc["paths"]!["/v1/partnerships/{partnership}/widgets"]!["post"]!;
        Assert.NotEmpty(Examples(doc, create["requestBody"]!["content"]!["application/json"]!));
        Assert.NotEmpty(Examples(doc, create["responses"]!["201"]!["content"]!["application/json"]!));
        var failures = Validate(doc);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal("""[{"ApiKey":[]}]""", create["security"]!.ToJsonString());
        Assert.DoesNotContain(OpenApiSetup.PublicReadSentence, create["description"]?.GetValue<string>() ?? "");

        var read = doc["paths"]!["/v1/partnerships/{partnership}/widgets/{widgetId}"]!["get"]!;
        Assert.Equal("""[{"ApiKey":[]},{}]""", read["security"]!.ToJsonString());
        Assert.Contains(OpenApiSetup.PublicReadSentence, read["description"]!.GetValue<string>());
        Assert.NotNull(read["responses"]!["401"]);
    }

    [JsonConverter(typeof(JsonStringEnumConverter<WidgetKind>))]
    public enum WidgetKind { [JsonStringEnumMemberName("round")] Round, [JsonStringEnumMemberName("square")] Square }

    public sealed record WidgetRequest(string Name, WidgetKind Kind, DateOnly? Due, IReadOnlyList<string>? Tags);

    public sealed record WidgetPart(string Code, decimal Weight);

    public sealed record Widget(Guid Id, string Name, WidgetKind Kind, DateOnly? Due, DateTimeOffset CreatedAt, IReadOnlyList<string> Tags,
        WidgetPart Main, WidgetPart? Spare, IReadOnlyDictionary<string, int> Counts);

    // ------------------------------------------------------------------ helpers

    private static JsonObject Committed() => JsonNode.Parse(File.ReadAllText(Repo.PathOf("openapi", "v1.json")))!.AsObject();

    private static IEnumerable<(string Name, JsonObject Operation)> Operations(JsonObject doc) =>
        from path in doc["paths"]!.AsObject()
        from method in path.Value!.AsObject()
        where Methods.Contains(method.Key) && method.Value is JsonObject
        select ($"{method.Value!["operationId"]?.GetValue<string>() ?? "?"} ({method.Key.ToUpperInvariant()} {path.Key})", method.Value!.AsObject());

    /// <summary>
    /// Each example (request bodies and responses) checked by <see cref="OpenApiContract.Check"/>: every
    /// one becomes the 200 of a synthetic operation whose schema is the example's own, in a copy of
    /// the document (so $refs resolve against its components).
    /// </summary>
    private static List<string> Validate(JsonObject doc)
    {
        var copy = doc.DeepClone().AsObject();
        var paths = new JsonObject();
        var cases = new List<(string Label, string Path, string MediaType, JsonNode? Value)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, operation) in Operations(doc))
        {
            var places = new List<(string Where, JsonNode Content)>();
            if (Resolve(doc, operation["requestBody"])?["content"] is JsonObject request) places.Add(("request", request));
            foreach (var (status, response) in operation["responses"]?.AsObject() ?? [])
                if (Resolve(doc, response)?["content"] is JsonObject content) places.Add((status, content));
            foreach (var (where, content) in places)
            foreach (var (mediaType, media) in content.AsObject())
            {
                var examples = Examples(doc, media!).ToList();
                for (var i = 0; i < examples.Count; i++)
                {
                    // A shared example (components/examples) is checked once per schema it is used with.
                    var shared = media!["examples"]?.AsObject().ElementAtOrDefault(i).Value?["$ref"]?.GetValue<string>();
                    if (shared is not null && !seen.Add($"{shared} {media["schema"]?.ToJsonString()}")) continue;
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
                    cases.Add(($"{name} {where} {mediaType} example {i + 1}", path, mediaType, examples[i]));
                }
            }
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

    /// <summary>The values of a media type's <c>example</c> and <c>examples</c> (following $refs to components/examples).</summary>
    private static IEnumerable<JsonNode> Examples(JsonObject doc, JsonNode media)
    {
        if (media.AsObject().TryGetPropertyValue("example", out var single)) yield return single!;
        foreach (var (_, example) in media["examples"]?.AsObject() ?? [])
            if (Resolve(doc, example) is JsonObject e && e.TryGetPropertyValue("value", out var value))
                yield return value!;
    }

    private static JsonNode? Resolve(JsonObject doc, JsonNode? node)
    {
        for (var hops = 0; hops < 8 && node?["$ref"]?.GetValue<string>() is { } reference && reference.StartsWith("#/", StringComparison.Ordinal); hops++)
        {
            JsonNode? target = doc;
            foreach (var part in reference[2..].Split('/'))
                target = target?[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
            node = target ?? throw new InvalidOperationException($"unresolvable $ref {reference}");
        }
        return node;
    }

    private static bool IsJson(string mediaType) => mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase);
}
