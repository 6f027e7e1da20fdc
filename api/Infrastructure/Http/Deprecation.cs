using System.Globalization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

// Beside .RequireScope() and .Validate<T>(), so a feature's endpoint list needs no extra using.
namespace Csp.Api.Infrastructure;

/// <summary>Endpoint metadata: the endpoint is deprecated since <paramref name="Since"/> and may stop answering after
/// <paramref name="Sunset"/>; <paramref name="Link"/> is a page that says what to use instead.</summary>
public sealed record DeprecatedEndpoint(DateTimeOffset Since, DateTimeOffset? Sunset, Uri? Link)
{
    /// <summary>RFC 9745: a Structured Field Date, <c>@</c> and the Unix seconds.</summary>
    public string DeprecationValue => "@" + Since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>RFC 8594: an HTTP-date.</summary>
    public string? SunsetValue => Sunset?.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);

    /// <summary>The <c>Link</c> relations RFC 9745 and RFC 8594 define for the page that explains the change.</summary>
    public string? LinkValue => Link is null ? null
        : $"<{Link.AbsoluteUri}>; rel=\"deprecation\"; type=\"text/html\"" + (Sunset is null ? "" : $", <{Link.AbsoluteUri}>; rel=\"sunset\"; type=\"text/html\"");
}

/// <summary>
/// Deprecation in answers. Of an endpoint, declared where it is mapped (<see cref="Deprecated{TBuilder}"/>): every answer it gives
/// carries <c>Deprecation</c> (RFC 9745) and, when it has one, <c>Sunset</c> (RFC 8594), and the contract marks the operation
/// <c>deprecated</c> and documents both headers. Of a part of a request that still works (a field the contract marks
/// <c>deprecated</c>, a form of a request kept for old clients): the answer to a request that used it carries <c>Deprecation</c>
/// (<see cref="Mark"/>, documented by <see cref="DocumentsDeprecation"/>), so a client's logs show it before the next version
/// drops it.
/// </summary>
public static class Deprecation
{
    public const string DeprecationHeader = "Deprecation";
    public const string SunsetHeader = "Sunset";

    /// <summary>When this version deprecated the parts of requests it marks: RFC 9745's structured date, seconds since 1970.</summary>
    public static readonly string Since = "@" + new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    /// <summary>The request used a deprecated part: its answer says so.</summary>
    public static void Mark(HttpResponse response) => response.Headers[DeprecationHeader] = Since;

    /// <summary>Documents the header on the operation's success responses; <paramref name="when"/> says what sends it.</summary>
    public static RouteHandlerBuilder DocumentsDeprecation(this RouteHandlerBuilder builder, string when) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            foreach (var (status, response) in operation.Responses ?? [])
            {
                if (status[0] != '2' || response is not OpenApiResponse r) continue;
                r.Headers ??= new Dictionary<string, IOpenApiHeader>();
                r.Headers.TryAdd(DeprecationHeader, new OpenApiHeader
                {
                    Description = $"`{Since}` (RFC 9745: deprecated since 1 December 2026) when {when}. Absent otherwise.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }
            return Task.CompletedTask;
        });

    /// <summary>Marks the endpoint deprecated since <paramref name="since"/>, to stop answering after <paramref name="sunset"/>.</summary>
    /// <param name="link">An absolute URL of a page that says what to use instead.</param>
    public static TBuilder Deprecated<TBuilder>(this TBuilder builder, DateTimeOffset since, DateTimeOffset? sunset = null, string? link = null)
        where TBuilder : IEndpointConventionBuilder
    {
        if (sunset < since) throw new ArgumentException($"The sunset ({sunset:O}) is before the deprecation ({since:O}).", nameof(sunset));
        var page = link is null ? null : new Uri(link, UriKind.Absolute);
        var deprecated = new DeprecatedEndpoint(since, sunset, page);
        return builder.WithMetadata(deprecated).AddOpenApiOperationTransformer((operation, _, _) =>
        {
            Describe(operation, deprecated);
            return Task.CompletedTask;
        });
    }

    private static void Describe(OpenApiOperation operation, DeprecatedEndpoint deprecated)
    {
        operation.Deprecated = true;
        var until = deprecated.Sunset is { } sunset ? $" It may stop answering after {sunset.UtcDateTime:yyyy-MM-dd HH:mm} UTC." : "";
        var see = deprecated.Link is { } link ? $" See {link.AbsoluteUri}." : "";
        operation.Description = $"**Deprecated** since {deprecated.Since.UtcDateTime:yyyy-MM-dd}.{until}{see} {operation.Description}".Trim();
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (status[0] is not ('2' or '3') || response is not OpenApiResponse r) continue;
            r.Headers ??= new Dictionary<string, IOpenApiHeader>();
            r.Headers.TryAdd(DeprecationHeader, new OpenApiHeader
            {
                Description = $"`{deprecated.DeprecationValue}` (RFC 9745): this operation is deprecated since {deprecated.Since.UtcDateTime:O}.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
            if (deprecated.SunsetValue is { } sunsetValue)
                r.Headers.TryAdd(SunsetHeader, new OpenApiHeader
                {
                    Description = $"`{sunsetValue}` (RFC 8594): after this it may stop answering.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
        }
    }
}

/// <summary>Sets the <see cref="Deprecation"/> headers on every answer of a deprecated endpoint, errors included.</summary>
public sealed class DeprecationHeaders(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<DeprecatedEndpoint>() is not null) context.Response.OnStarting(SetHeaders, context);
        return next(context);
    }

    // A static callback with the context as its state: no closure allocated per request.
    private static readonly Func<object, Task> SetHeaders = static state =>
    {
        var context = (HttpContext)state;
        if (context.GetEndpoint()?.Metadata.GetMetadata<DeprecatedEndpoint>() is not { } deprecated) return Task.CompletedTask;
        var headers = context.Response.Headers;
        headers[Deprecation.DeprecationHeader] = deprecated.DeprecationValue;
        if (deprecated.SunsetValue is { } sunset) headers[Deprecation.SunsetHeader] = sunset;
        if (deprecated.LinkValue is { } link) headers.Link = headers.Link.Count == 0 ? link : $"{headers.Link}, {link}";
        return Task.CompletedTask;
    };
}
