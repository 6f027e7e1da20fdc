using System.Net;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.Contract;

/// <summary>The service with one more document transformer, which counts how often the contract is generated.</summary>
public sealed class CountingContractFactory : CspApiFactory
{
    private int generated;

    public int Generated => Volatile.Read(ref generated);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.Configure<OpenApiOptions>("v1", o => o.AddDocumentTransformer((_, _, _) =>
        {
            Interlocked.Increment(ref generated);
            return Task.CompletedTask;
        })));
    }
}

/// <summary>The contract is generated once per process and revalidated by ETag; the service root points tools at it.</summary>
public sealed class ServedContractTests(CountingContractFactory factory) : IClassFixture<CountingContractFactory>
{
    [Fact]
    public async Task The_contract_is_generated_once_and_served_with_an_ETag_that_answers_304()
    {
        var client = factory.CreateClient();

        var first = await client.GetAsync("/openapi/v1.json");
        var second = await client.GetAsync("/openapi/v1.json");
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag?.ToString());
        var notModified = await client.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/json", first.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(first.Headers.ETag);
        Assert.False(first.Headers.ETag.IsWeak);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Headers.ETag, notModified.Headers.ETag);
        Assert.Equal(1, factory.Generated);
        // What is served is the committed contract.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(await File.ReadAllTextAsync(Repo.PathOf("openapi", "v1.json"))),
            JsonNode.Parse(await first.Content.ReadAsStringAsync())));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/openapi/v2.json")).StatusCode);
    }

    [Fact]
    public async Task The_service_root_links_to_the_contract_and_its_documentation()
    {
        var response = await factory.CreateClient().GetAsync("/");

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        var link = string.Join(", ", response.Headers.GetValues("Link"));
        Assert.Contains("</openapi/v1.json>; rel=\"service-desc\"", link);
        Assert.Contains("</swagger/index.html>; rel=\"service-doc\"", link);
        Assert.Equal("/openapi/v1.json", body.Str("openApi"));
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync(body.Str("documentation"))).StatusCode);
    }
}
