using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Csp.Api.Infrastructure;

/// <summary>
/// 200 with a JSON body that was serialised once and cached as UTF-8 bytes, possibly compressed
/// (<paramref name="contentEncoding"/>, e.g. <c>br</c>); documented in OpenAPI as <typeparamref name="T"/> (what the bytes
/// hold), like <c>Ok&lt;T&gt;</c>.
/// </summary>
public sealed class CachedJson<T>(ReadOnlyMemory<byte> body, string? contentEncoding = null) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        if (contentEncoding is not null) response.Headers.ContentEncoding = contentEncoding;
        response.ContentLength = body.Length;
        return response.BodyWriter.WriteAsync(body).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}
