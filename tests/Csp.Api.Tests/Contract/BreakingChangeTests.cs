using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Contract;

/// <summary>
/// The contract partners have (openapi/baseline/v1.json) against the one the code now generates
/// (openapi/v1.json). A breaking change needs info.version bumped (OpenApiSetup); after the release,
/// copy openapi/v1.json over the baseline.
/// </summary>
public sealed class BreakingChangeTests
{
    [Fact]
    public void The_generated_contract_keeps_what_the_baseline_promised_unless_the_version_is_bumped()
    {
        var baselinePath = Repo.PathOf("openapi", "baseline", "v1.json");
        Assert.True(File.Exists(baselinePath), "openapi/baseline/v1.json is missing: copy openapi/v1.json there and commit it.");
        var baseline = Load(baselinePath);
        var current = Load(Repo.PathOf("openapi", "v1.json"));

        var problems = BreakingChanges.Find(baseline, current);
        if (BreakingChanges.Version(current) != BreakingChanges.Version(baseline)) return;
        Assert.True(problems.Count == 0,
            $"openapi/v1.json breaks clients built from openapi/baseline/v1.json (info.version {BreakingChanges.Version(current)}):\n  " +
            string.Join("\n  ", problems) +
            "\nKeep the old shape, or bump info.version in api/Infrastructure/OpenApi/OpenApiSetup.cs and, once released, " +
            "copy openapi/v1.json to openapi/baseline/v1.json.");
    }

    [Fact]
    public void An_unchanged_or_only_extended_contract_breaks_nothing()
    {
        Assert.Empty(BreakingChanges.Find(Doc(), Doc()));
        var extended = Doc();
        extended["paths"]!["/v1/things"]!["post"] = JsonNode.Parse("""{ "operationId": "createThing", "responses": {} }""");
        extended["components"]!["schemas"]!["Thing"]!["properties"]!["extra"] = new JsonObject { ["type"] = "string" };
        extended["components"]!["schemas"]!["Status"]!["enum"]!.AsArray().Add("archived");
        extended["components"]!["schemas"]!["ThingRequest"]!["properties"]!["optional"] = new JsonObject { ["type"] = "string" };
        Assert.Empty(BreakingChanges.Find(Doc(), extended));
    }

    [Fact]
    public void A_removed_operation_is_breaking()
    {
        var current = Doc();
        current["paths"]!.AsObject().Remove("/v1/things/{thingId}");
        Assert.Contains(BreakingChanges.Find(Doc(), current), p => p.Contains("removed operation GET /v1/things/{}"));
    }

    [Fact]
    public void A_renamed_path_parameter_is_not_a_removed_operation()
    {
        var current = Doc();
        var item = current["paths"]!["/v1/things/{thingId}"]!;
        current["paths"]!.AsObject().Remove("/v1/things/{thingId}");
        current["paths"]!["/v1/things/{id}"] = item;
        Assert.Empty(BreakingChanges.Find(Doc(), current));
    }

    [Fact]
    public void A_removed_response_field_is_breaking_even_deep_in_a_referenced_schema()
    {
        var current = Doc();
        current["components"]!["schemas"]!["Part"]!["properties"]!.AsObject().Remove("size");
        var problems = BreakingChanges.Find(Doc(), current);
        Assert.Contains(problems, p => p.Contains("removed response field 'parts[].size'"));
    }

    [Fact]
    public void A_new_required_request_field_is_breaking()
    {
        var current = Doc();
        var request = current["components"]!["schemas"]!["ThingRequest"]!;
        request["properties"]!["colour"] = new JsonObject { ["type"] = "string" };
        request["required"]!.AsArray().Add("colour");
        Assert.Contains(BreakingChanges.Find(Doc(), current), p => p.Contains("new required request field 'colour'"));
    }

    [Fact]
    public void A_new_optional_body_asks_nothing_of_old_clients_but_a_new_required_body_is_breaking()
    {
        var optional = Doc();
        optional["paths"]!["/v1/things"]!["post"] = JsonNode.Parse("""
            { "operationId": "approveThings", "responses": { "200": { "description": "OK" } } }
            """);
        var withBody = optional.DeepClone().AsObject();
        withBody["paths"]!["/v1/things"]!["post"]!["requestBody"] = JsonNode.Parse("""
            { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ThingRequest" } } } }
            """);
        Assert.Empty(BreakingChanges.Find(optional, withBody));

        var required = withBody.DeepClone().AsObject();
        required["paths"]!["/v1/things"]!["post"]!["requestBody"]!["required"] = true;
        Assert.Contains(BreakingChanges.Find(optional, required), p => p.Contains("POST /v1/things: new required request body"));

        // Once it takes the body, a field newly required in it is breaking like any other.
        var stricter = withBody.DeepClone().AsObject();
        var request = stricter["components"]!["schemas"]!["ThingRequest"]!;
        request["properties"]!["colour"] = new JsonObject { ["type"] = "string" };
        request["required"]!.AsArray().Add("colour");
        Assert.Contains(BreakingChanges.Find(withBody, stricter), p => p.Contains("POST /v1/things: new required request field 'colour'"));
    }

    [Fact]
    public void A_request_field_no_longer_required_breaks_nothing()
    {
        var current = Doc();
        current["components"]!["schemas"]!["ThingRequest"]!.AsObject().Remove("required");
        Assert.Empty(BreakingChanges.Find(Doc(), current));
    }

    [Fact]
    public void A_response_moved_under_components_responses_breaks_nothing_and_is_still_checked()
    {
        var shared = Doc();
        var get = shared["paths"]!["/v1/things/{thingId}"]!["get"]!["responses"]!.AsObject();
        shared["components"]!["responses"] = new JsonObject { ["Thing"] = get["200"]!.DeepClone() };
        get["200"] = new JsonObject { ["$ref"] = "#/components/responses/Thing" };
        Assert.Empty(BreakingChanges.Find(Doc(), shared));

        var removed = shared.DeepClone().AsObject();
        removed["components"]!["schemas"]!["Thing"]!["properties"]!.AsObject().Remove("id");
        Assert.Contains(BreakingChanges.Find(Doc(), removed), p => p.Contains("GET /v1/things/{} 200: removed response field 'id'"));
    }

    [Fact]
    public void A_narrowed_enum_is_breaking()
    {
        var current = Doc();
        current["components"]!["schemas"]!["Status"]!["enum"] = new JsonArray("draft");
        Assert.Contains(BreakingChanges.Find(Doc(), current), p => p.Contains("narrowed enum Status") && p.Contains("\"approved\""));
    }

    [Fact]
    public void A_breaking_change_is_reported_with_the_version_so_a_bump_can_allow_it()
    {
        var current = Doc();
        current["info"]!["version"] = "2";
        current["paths"]!.AsObject().Remove("/v1/things/{thingId}");
        Assert.NotEmpty(BreakingChanges.Find(Doc(), current));
        Assert.NotEqual(BreakingChanges.Version(Doc()), BreakingChanges.Version(current));
    }

    private static JsonObject Load(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    private static JsonObject Doc() => JsonNode.Parse("""
        {
          "openapi": "3.1.1",
          "info": { "title": "t", "version": "1" },
          "paths": {
            "/v1/things/{thingId}": {
              "get": {
                "operationId": "getThing",
                "responses": { "200": { "description": "OK", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } } }
              },
              "put": {
                "operationId": "updateThing",
                "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ThingRequest" } } } },
                "responses": { "200": { "description": "OK", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } } }
              }
            },
            "/v1/things": {
              "get": { "operationId": "listThings", "responses": { "200": { "description": "OK" } } }
            }
          },
          "components": {
            "schemas": {
              "Thing": {
                "type": "object",
                "properties": {
                  "id": { "type": "string" },
                  "status": { "$ref": "#/components/schemas/Status" },
                  "parts": { "type": "array", "items": { "$ref": "#/components/schemas/Part" } },
                  "parent": { "$ref": "#/components/schemas/Thing" }
                }
              },
              "Part": { "type": "object", "properties": { "size": { "type": "integer" } } },
              "Status": { "enum": ["draft", "approved"] },
              "ThingRequest": { "type": "object", "required": ["name"], "properties": { "name": { "type": "string" } } }
            }
          }
        }
        """)!.AsObject();
}
