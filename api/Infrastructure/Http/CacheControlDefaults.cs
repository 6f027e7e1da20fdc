using Csp.Api.Infrastructure.Auth;

namespace Csp.Api.Infrastructure;

/// <summary>
/// Cache-Control for every answer under /v1 (and any answer to a request with a key) whose endpoint did not set its own: a
/// keyed answer is one client's data, so no cache may keep it (<c>no-store</c>), except a read with an ETag, which the client's
/// own cache may keep if it revalidates (<c>private, no-cache</c>: a 304 costs little), varying on the key. Public reads
/// (<see cref="PublicRead"/>) and the whole plan set their own.
/// </summary>
public sealed class CacheControlDefaults(RequestDelegate next)
{
    public const string NoStore = "no-store";

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/v1") || context.Request.Headers.ContainsKey(ApiKeys.HeaderName))
            context.Response.OnStarting(SetDefaults, context);
        return next(context);
    }

    // A static callback with the context as its state: no closure allocated per request.
    private static readonly Func<object, Task> SetDefaults = static state =>
    {
        var context = (HttpContext)state;
        var response = context.Response;
        if (response.Headers.CacheControl.Count > 0) return Task.CompletedTask;
        var revalidatable = (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                            && response.StatusCode is StatusCodes.Status200OK or StatusCodes.Status304NotModified
                            && response.Headers.ETag.Count > 0;
        if (!revalidatable)
        {
            response.Headers.CacheControl = NoStore;
            return Task.CompletedTask;
        }
        response.Headers.CacheControl = PublicRead.PrivateCacheControl;
        PublicRead.AddVaryOnCaller(response);
        return Task.CompletedTask;
    };
}
