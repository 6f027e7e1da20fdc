using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure.OpenApi;

/// <summary>Where a partner's tools start: the service root, which links to the contract, and the contract itself.</summary>
public static class ContractEndpoints
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/" + DocumentName + ".json";
    public const string UiPath = "/swagger/index.html";

    /// <summary>What the service root answers: where its contract and documentation are.</summary>
    /// <param name="Name">The service's name.</param>
    /// <param name="Description">What it is for.</param>
    /// <param name="OpenApi">The URL of the OpenAPI contract (also in the <c>Link</c> header, <c>rel="service-desc"</c>).</param>
    /// <param name="Documentation">The URL of Swagger UI, to read and try the contract (<c>rel="service-doc"</c>).</param>
    /// <param name="Health">The URL of the readiness probe.</param>
    public sealed record ServiceRoot(string Name, string Description, string OpenApi, string Documentation, string Health);

    public static IEndpointRouteBuilder MapContract(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", GetServiceRoot).WithName("getServiceRoot").WithSummary("Where to start").WithTags("Service")
            .WithDescription("Links to the OpenAPI contract and to Swagger UI, in the body and as RFC 8631 `Link` relations " +
                             "(`service-desc`, `service-doc`), so tools can find the contract from the service's address. Needs no key.")
            .AllowAnonymous()
            .AddOpenApiOperationTransformer(DocumentLinks);
        app.MapGet("/openapi/{documentName}.json", GetDocument).ExcludeFromDescription().AllowAnonymous();
        return app;
    }

    private static Ok<ServiceRoot> GetServiceRoot(HttpContext http)
    {
        var root = http.Request.PathBase;
        http.Response.Headers.Link = $"<{root}{DocumentPath}>; rel=\"service-desc\", <{root}{UiPath}>; rel=\"service-doc\"";
        return TypedResults.Ok(new ServiceRoot("Csp.Api", "Community Safety Partnership action plans, for partner agencies' systems and council portals.",
            $"{root}{DocumentPath}", $"{root}{UiPath}", $"{root}/health/ready"));
    }

    private static Task DocumentLinks(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers.TryAdd("Link", new OpenApiHeader
            {
                Description = $"`<{DocumentPath}>; rel=\"service-desc\", <{UiPath}>; rel=\"service-doc\"` (RFC 8631): the contract, and " +
                              "the page that shows it.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }
        return Task.CompletedTask;
    }

    /// <summary>The contract, as generated once in this process (<see cref="ServedContract"/>), with its ETag: 304 while it is the
    /// one the client holds.</summary>
    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> GetDocument(string documentName,
        ServedContract contract, HttpContext http, CancellationToken ct)
    {
        if (documentName != DocumentName) return Errors.NotFound($"OpenAPI document '{documentName}'");
        var (json, etag) = await contract.GetAsync(ct);
        http.Response.Headers.ETag = etag;
        // Anyone may keep it, but must ask whether it is still current: a deployment changes it.
        http.Response.Headers.CacheControl = "public, no-cache";
        if (ETags.IfNoneMatch(http.Request, etag)) return Errors.NotModified();
        return TypedResults.Bytes(json, "application/json; charset=utf-8");
    }
}

/// <summary>
/// The contract this process serves, generated on the first request for it and then kept as UTF-8 JSON with a strong ETag (a hash
/// of the bytes): it depends on the code alone, so it never changes while the process runs.
/// </summary>
public sealed class ServedContract([FromKeyedServices(ContractEndpoints.DocumentName)] IOpenApiDocumentProvider provider)
{
    private readonly Lazy<Task<(byte[] Json, string ETag)>> served = new(async () =>
    {
        var document = await provider.GetOpenApiDocumentAsync(CancellationToken.None);
        using var stream = new MemoryStream();
        await document.SerializeAsJsonAsync(stream, OpenApiSpecVersion.OpenApi3_1, CancellationToken.None);
        var json = stream.ToArray();
        return (json, $"\"{Convert.ToHexStringLower(SHA256.HashData(json))[..32]}\"");
    });

    public Task<(byte[] Json, string ETag)> GetAsync(CancellationToken ct) => served.Value.WaitAsync(ct);
}
