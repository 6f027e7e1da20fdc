using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure;

/// <summary>
/// The <c>Deprecation</c> response header (RFC 9745) on an answer to a request that used something deprecated (a field the contract
/// marks <c>deprecated</c>, a form of a request kept for old clients), so a client's logs show it before the next version drops it.
/// </summary>
public static class Deprecation
{
    public const string HeaderName = "Deprecation";

    /// <summary>When this version deprecated what it marks: RFC 9745's structured date, seconds since 1970.</summary>
    public static readonly string Since = "@" + new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    public static void Mark(HttpResponse response) => response.Headers[HeaderName] = Since;

    /// <summary>Documents the header on the operation's success responses; <paramref name="when"/> says what sends it.</summary>
    public static RouteHandlerBuilder DocumentsDeprecation(this RouteHandlerBuilder builder, string when) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            foreach (var (status, response) in operation.Responses ?? [])
            {
                if (status[0] != '2' || response is not OpenApiResponse r) continue;
                r.Headers ??= new Dictionary<string, IOpenApiHeader>();
                r.Headers.TryAdd(HeaderName, new OpenApiHeader
                {
                    Description = $"`{Since}` (RFC 9745: deprecated since 1 December 2026) when {when}. Absent otherwise.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }
            return Task.CompletedTask;
        });
}
