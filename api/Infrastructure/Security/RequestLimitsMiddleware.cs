using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Csp.Api.Infrastructure.Security;

/// <summary>
/// Applies the body limit of the matched endpoint (its <see cref="IRequestSizeLimitMetadata"/>, e.g. the
/// batch push) or the 1 MB default: a declared Content-Length over it is refused at once with 413; a
/// chunked body is cut off by the server when it passes the limit (also 413).
/// </summary>
public sealed class RequestLimitsMiddleware(RequestDelegate next, IOptionsMonitor<RequestLimitOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize
                    ?? options.CurrentValue.MaxBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await Problems.Write(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                $"This operation accepts bodies of at most {limit:N0} bytes.");
            return;
        }
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false }) feature.MaxRequestBodySize = limit;
        await next(context);
    }
}

/// <summary>Endpoint metadata: a body limit other than the default.</summary>
public sealed record RequestBodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;

/// <summary>Headers every response carries: no response may be framed by another page (clickjacking Swagger UI's Authorize and
/// Execute buttons, above all).</summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        // A static callback with the context as its state: no closure allocated per request.
        context.Response.OnStarting(SetHeaders, context);
        return next(context);
    }

    private static readonly Func<object, Task> SetHeaders = static state =>
    {
        var context = (HttpContext)state;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.Remove("Server");
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = "frame-ancestors 'none'";
        if (!context.Request.Path.StartsWithSegments("/swagger")) headers["Referrer-Policy"] = "no-referrer";
        return Task.CompletedTask;
    };
}
