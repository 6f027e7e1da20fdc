using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Csp.Api.Infrastructure;

/// <summary>
/// 200 with a JSON body that was serialised once and cached as UTF-8 bytes; documented in OpenAPI as <typeparamref name="T"/>
/// (what the bytes hold), like <c>Ok&lt;T&gt;</c>.
/// </summary>
public sealed class CachedJson<T>(ReadOnlyMemory<byte> utf8) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = utf8.Length;
        return response.BodyWriter.WriteAsync(utf8).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}
