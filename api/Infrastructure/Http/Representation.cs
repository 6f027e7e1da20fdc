using System.Security.Cryptography;

namespace Csp.Api.Infrastructure;

/// <summary>
/// 200 with a body rendered in a media type other than JSON (an SVG chart, a report), its strong ETag a hash of the bytes (so it
/// changes exactly when they do), or 304 (<see cref="Respond.NotModified"/>). The endpoint documents the media type itself.
/// </summary>
public sealed class Representation(byte[] body, string contentType, string? fileName = null) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public byte[] Body => body;

    public string ContentType => contentType;

    public string ETag { get; } = "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 16)) + "\"";

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.Headers.ETag = ETag;
        if (fileName is not null) response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }
}
