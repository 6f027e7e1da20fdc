using System.Net;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Contract;

[Collection(ApiCollection.Name)]
public sealed class OpenApiContractTests(CspApiFactory factory)
{
    [Fact]
    public async Task The_committed_contract_is_the_one_the_code_generates()
    {
        var committedPath = Repo.PathOf("openapi", "v1.json");
        Assert.True(File.Exists(committedPath), "openapi/v1.json is missing: run `dotnet build` and commit it.");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(committedPath));

        var response = await factory.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var served = JsonNode.Parse(await response.Content.ReadAsStringAsync());

        Assert.True(JsonNode.DeepEquals(committed, served),
            "openapi/v1.json differs from the document the code generates: run `dotnet build` and commit openapi/v1.json.");
    }

    [Fact]
    public async Task Every_operation_has_an_id_summary_tag_and_keyed_ones_declare_the_api_key()
    {
        var doc = JsonNode.Parse(await File.ReadAllTextAsync(Repo.PathOf("openapi", "v1.json")))!;
        Assert.Equal("apiKey", doc["components"]!["securitySchemes"]!["ApiKey"]!["type"]!.GetValue<string>());
        var ids = new HashSet<string>();
        foreach (var (path, item) in doc["paths"]!.AsObject())
            foreach (var (method, op) in item!.AsObject())
            {
                var id = op!["operationId"]?.GetValue<string>();
                Assert.False(string.IsNullOrEmpty(id), $"{method} {path} has no operationId");
                Assert.True(ids.Add(id!), $"operationId {id} is used twice");
                Assert.False(string.IsNullOrEmpty(op["summary"]?.GetValue<string>()), $"{id} has no summary");
                Assert.NotNull(op["tags"]);
                if (path.StartsWith("/v1/", StringComparison.Ordinal))
                {
                    Assert.NotNull(op["security"]);
                    Assert.NotNull(op["responses"]!["401"]);
                    Assert.NotNull(op["responses"]!["403"]);
                }
            }
        Assert.Contains("createPartnership", ids);
        Assert.Contains("getPlan", ids);
    }

    [Fact]
    public async Task Every_429_and_503_says_when_to_retry_and_every_v1_answer_documents_its_rate_limit_and_caching()
    {
        var doc = JsonNode.Parse(await File.ReadAllTextAsync(Repo.PathOf("openapi", "v1.json")))!;
        JsonNode Resolve(JsonNode node) =>
            node["$ref"]?.GetValue<string>() is { } reference ? doc["components"]![reference.Split('/')[2]]![reference.Split('/')[3]]! : node;
        var missing = new List<string>();
        foreach (var (path, item) in doc["paths"]!.AsObject())
            foreach (var (method, op) in item!.AsObject())
                foreach (var (status, response) in op!["responses"]!.AsObject())
                {
                    var headers = Resolve(response!)["headers"]?.AsObject() ?? [];
                    var expected = new List<string>();
                    if (status is "429" or "503") expected.Add("Retry-After");
                    if (status == "429" || (path.StartsWith("/v1/", StringComparison.Ordinal) && status[0] is '2' or '3'))
                        expected.AddRange(["RateLimit-Policy", "RateLimit"]);
                    if (path.StartsWith("/v1/", StringComparison.Ordinal) && status[0] is '2' or '3') expected.Add("Cache-Control");
                    missing.AddRange(expected.Where(h => !headers.ContainsKey(h)).Select(h => $"{method.ToUpperInvariant()} {path} {status}: {h}"));
                }

        Assert.True(missing.Count == 0, "Responses that do not document the header:\n  " + string.Join("\n  ", missing));
    }

    [Fact]
    public async Task Swagger_ui_is_served_and_points_at_the_contract()
    {
        var client = factory.CreateClient();
        var page = await client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var init = await client.GetStringAsync("/swagger/index.js");
        Assert.Contains("/openapi/v1.json", init);
    }
}
