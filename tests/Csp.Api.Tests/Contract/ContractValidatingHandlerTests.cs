using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Contract;

/// <summary>The validating handler must be able to fail: canned responses against a small contract.</summary>
public sealed class ContractValidatingHandlerTests
{
    private static readonly OpenApiContract Contract = new(JsonNode.Parse("""
        {
          "openapi": "3.1.1",
          "paths": {
            "/v1/things/{thingId}": {
              "get": {
                "operationId": "getThing",
                "responses": {
                  "200": { "description": "OK", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
                  "304": { "description": "Not Modified" },
                  "404": { "$ref": "#/components/responses/NotFound" }
                }
              }
            },
            "/v1/things/special": {
              "get": {
                "operationId": "getSpecialThing",
                "responses": { "200": { "description": "OK", "content": { "application/json": { "schema": { "type": "string" } } } } }
              }
            }
          },
          "components": {
            "responses": {
              "NotFound": { "description": "Not found", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/ProblemDetails" } } } }
            },
            "schemas": {
              "Thing": {
                "type": "object", "additionalProperties": false, "required": ["id", "name", "due"],
                "properties": {
                  "id": { "type": "string", "format": "uuid" },
                  "name": { "type": ["null", "string"] },
                  "legacy": { "type": "string", "nullable": true },
                  "due": { "type": "string", "format": "date" },
                  "status": { "$ref": "#/components/schemas/Status" }
                }
              },
              "Status": { "enum": ["draft", "approved"] },
              "ProblemDetails": { "type": "object", "properties": { "title": { "type": "string" }, "status": { "type": "integer" } } }
            }
          }
        }
        """)!.AsObject());

    private const string Id = "0195f1c2-1111-7abc-8def-0123456789ab";

    [Fact]
    public async Task A_documented_response_passes_and_the_body_stays_readable()
    {
        var response = await Send(HttpStatusCode.OK, $$"""{"id":"{{Id}}","name":null,"legacy":null,"due":"2025-04-01","status":"draft"}""");
        Assert.Contains("draft", await response.Content.ReadAsStringAsync());
        await Send(HttpStatusCode.NotModified, null);
        await Send(HttpStatusCode.NotFound, """{"title":"Not found","status":404}""", "application/problem+json");
        await Send(HttpStatusCode.OK, "\"special\"", path: "/v1/things/special");
    }

    [Fact]
    public async Task An_undocumented_status_fails_naming_the_operation_and_status()
    {
        var e = await Assert.ThrowsAsync<ContractViolationException>(() => Send(HttpStatusCode.Conflict, """{"title":"Conflict","status":409}""", "application/problem+json"));
        Assert.Contains("getThing", e.Message);
        Assert.Contains("409", e.Message);
    }

    [Fact]
    public async Task An_undocumented_field_fails_naming_the_field()
    {
        var e = await Assert.ThrowsAsync<ContractViolationException>(() =>
            Send(HttpStatusCode.OK, $$"""{"id":"{{Id}}","name":"x","due":"2025-04-01","secret":"leaked"}"""));
        Assert.Contains("/secret", e.Message);
        Assert.Contains("does not document", e.Message);
    }

    [Theory]
    [InlineData("""{"id":"not-a-uuid","name":"x","due":"2025-04-01"}""", "/id")]
    [InlineData("""{"id":"0195f1c2-1111-7abc-8def-0123456789ab","name":"x","due":"01/04/2025"}""", "/due")]
    [InlineData("""{"id":"0195f1c2-1111-7abc-8def-0123456789ab","name":7,"due":"2025-04-01"}""", "/name")]
    [InlineData("""{"id":"0195f1c2-1111-7abc-8def-0123456789ab","name":"x","due":"2025-04-01","status":"lost"}""", "/status")]
    [InlineData("""{"id":"0195f1c2-1111-7abc-8def-0123456789ab","name":"x","due":"2025-04-01","legacy":5}""", "/legacy")]
    [InlineData("""{"name":"x","due":"2025-04-01"}""", "required")]
    public async Task A_body_that_breaks_the_schema_fails(string body, string expected)
    {
        var e = await Assert.ThrowsAsync<ContractViolationException>(() => Send(HttpStatusCode.OK, body));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task A_problem_sent_as_plain_json_fails()
    {
        var e = await Assert.ThrowsAsync<ContractViolationException>(() => Send(HttpStatusCode.NotFound, """{"title":"Not found"}"""));
        Assert.Contains("application/problem+json", e.Message);
    }

    [Fact]
    public async Task A_body_where_none_is_documented_fails()
    {
        var e = await Assert.ThrowsAsync<ContractViolationException>(() => Send(HttpStatusCode.NotModified, "{}"));
        Assert.Contains("documents none", e.Message);
    }

    [Fact]
    public async Task A_path_or_method_the_contract_lacks_fails_unless_answered_by_the_404_or_405_problem()
    {
        var e = await Assert.ThrowsAsync<ContractViolationException>(() => Send(HttpStatusCode.OK, "{}", path: "/v1/unknown"));
        Assert.Contains("does not document", e.Message);
        e = await Assert.ThrowsAsync<ContractViolationException>(() => Send(HttpStatusCode.NoContent, null, method: HttpMethod.Delete));
        Assert.Contains("no DELETE", e.Message);
        await Assert.ThrowsAsync<ContractViolationException>(() => Send(HttpStatusCode.NotFound, "{}", path: "/v1/unknown"));

        await Send(HttpStatusCode.NotFound, """{"title":"Not found","status":404}""", "application/problem+json", path: "/v1/unknown");
        await Send(HttpStatusCode.MethodNotAllowed, """{"title":"Method not allowed","status":405}""", "application/problem+json", method: HttpMethod.Delete);
    }

    [Fact]
    public async Task The_ui_and_the_document_are_exempt()
    {
        await Send(HttpStatusCode.OK, "<html/>", "text/html", path: "/swagger/index.html");
        await Send(HttpStatusCode.OK, "{}", path: "/openapi/v1.json");
    }

    [Fact]
    public async Task The_committed_contract_rejects_an_undocumented_field_of_a_real_operation()
    {
        // Any operation of the real document will do; take the first GET that documents a JSON 200 object.
        var (path, schemaProperties) = FirstGetWithObjectBody();
        var handler = new ContractValidatingHandler { InnerHandler = new Canned(HttpStatusCode.OK, """{"certainlyNotInTheContract":true}""", "application/json") };
        using var client = new HttpClient(handler) { BaseAddress = new Uri("http://localhost") };
        var e = await Assert.ThrowsAsync<ContractViolationException>(() => client.GetAsync(path));
        Assert.Contains("certainlyNotInTheContract", e.Message + schemaProperties);
    }

    private static (string Path, string Properties) FirstGetWithObjectBody()
    {
        var doc = JsonNode.Parse(File.ReadAllText(Repo.PathOf("openapi", "v1.json")))!;
        foreach (var (template, item) in doc["paths"]!.AsObject())
            if (item!["get"]?["responses"]?["200"]?["content"]?["application/json"]?["schema"] is JsonNode schema)
            {
                var name = schema["$ref"]?.GetValue<string>().Split('/')[^1];
                var target = name is null ? schema : doc["components"]!["schemas"]![name]!;
                if (target["additionalProperties"]?.GetValue<bool>() == false)
                    return (string.Join('/', template.Split('/').Select(s => s.StartsWith('{') ? "x" : s)), target.ToJsonString());
            }
        throw new InvalidOperationException("openapi/v1.json has no GET answering a closed JSON object");
    }

    private static async Task<HttpResponseMessage> Send(HttpStatusCode status, string? body, string mediaType = "application/json",
        string path = $"/v1/things/{Id}", HttpMethod? method = null)
    {
        var handler = new ContractValidatingHandler(Contract) { InnerHandler = new Canned(status, body, mediaType) };
        using var client = new HttpClient(handler) { BaseAddress = new Uri("http://localhost") };
        return await client.SendAsync(new HttpRequestMessage(method ?? HttpMethod.Get, path));
    }

    private sealed class Canned(HttpStatusCode status, string? body, string mediaType) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(status) { RequestMessage = request };
            if (body is not null) response.Content = new StringContent(body, Encoding.UTF8, mediaType);
            return Task.FromResult(response);
        }
    }
}
