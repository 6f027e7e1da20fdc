using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure;

/// <summary>The media types an endpoint answers in (the first is its default), as <see cref="Negotiate.Negotiates"/> declares them.</summary>
public sealed record NegotiatedMediaTypes(IReadOnlyList<string> MediaTypes);

/// <summary>
/// Content negotiation by <c>Accept</c> (or the <c>format</c> query parameter, for links that cannot set a header) for the
/// endpoints that answer in more than one media type, or in one that is not JSON. One choice for all of them: an endpoint
/// declares what it can produce with <see cref="Negotiates"/>; an Accept it cannot satisfy is 406 naming what it can.
/// </summary>
public static class Negotiate
{
    public const string Json = "application/json";
    public const string Csv = "text/csv";
    public const string Markdown = "text/markdown";
    public const string Html = "text/html";
    public const string Svg = "image/svg+xml";
    public const string Word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    /// <summary>The query parameter that chooses the media type instead of <c>Accept</c>.</summary>
    public const string FormatParameter = "format";

    /// <summary>The <c>format</c> query parameter's names for the media types.</summary>
    public static readonly IReadOnlyDictionary<string, string> Formats = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["json"] = Json, ["csv"] = Csv, ["markdown"] = Markdown, ["html"] = Html, ["svg"] = Svg, ["docx"] = Word,
    };

    private static readonly object ChosenKey = new();

    /// <summary>
    /// Declares the media types this endpoint answers in (<paramref name="mediaTypes"/>, the first its default): the request's
    /// choice is made before the handler runs (<see cref="Chosen"/>), a request for none of them is answered 406, and the
    /// contract documents the 406 and the <c>format</c> parameter.
    /// </summary>
    public static RouteHandlerBuilder Negotiates(this RouteHandlerBuilder builder, params string[] mediaTypes)
    {
        var offer = new NegotiatedMediaTypes(mediaTypes);
        return builder.WithMetadata(offer)
            .AddEndpointFilter(async (context, next) =>
            {
                var http = context.HttpContext;
                var chosen = Choose(http.Request, offer.MediaTypes);
                if (chosen is null) return NotAcceptable(offer.MediaTypes);
                http.Items[ChosenKey] = chosen;
                return await next(context);
            })
            .ProducesProblem(StatusCodes.Status406NotAcceptable)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Parameters ??= [];
                var names = Formats.Where(f => mediaTypes.Contains(f.Value)).Select(f => f.Key).ToList();
                if (names.Count > 0 && !operation.Parameters.Any(p => p.Name == FormatParameter))
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = FormatParameter,
                        In = ParameterLocation.Query,
                        Required = false,
                        Description = "The answer's media type, instead of Accept (for a link, which cannot set a header): " +
                                      string.Join(", ", names.Select(n => $"`{n}` ({Formats[n]})")) + ". Any other value is 406.",
                        Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.String,
                            Enum = names.Select(n => (JsonNode)JsonValue.Create(n)!).ToList(),
                        },
                    });
                return Task.CompletedTask;
            });
    }

    /// <summary>The media type the request was negotiated to (by <see cref="Negotiates"/>' filter, or now from the endpoint's declared
    /// types when that filter has not run); JSON for an endpoint that declares none.</summary>
    public static string Chosen(HttpContext http) =>
        http.Items[ChosenKey] as string
        ?? (http.GetEndpoint()?.Metadata.GetMetadata<NegotiatedMediaTypes>() is { } offer
            ? Choose(http.Request, offer.MediaTypes) ?? offer.MediaTypes[0]
            : Json);

    /// <summary>Whether the request was negotiated to <paramref name="mediaType"/>.</summary>
    public static bool Is(HttpContext http, string mediaType) => string.Equals(Chosen(http), mediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The media type of <paramref name="offered"/> to answer in, or null when the client accepts none of them. <c>format</c>
    /// (one of <see cref="Formats"/>) decides when present. Otherwise each type gets the q-value of the most specific
    /// <c>Accept</c> range that matches it (wildcards included); the highest q wins; on a tie a type the client names beats
    /// one it reaches through a wildcard, then an alternative beats the default (a client that names both wants the
    /// alternative), then the endpoint's order. No Accept means the default.
    /// </summary>
    public static string? Choose(HttpRequest request, IReadOnlyList<string> offered)
    {
        if (request.Query.TryGetValue(FormatParameter, out var format) && format.Count > 0)
            return format.Count == 1 && Formats.TryGetValue(format[0] ?? "", out var named) && offered.Contains(named, StringComparer.OrdinalIgnoreCase)
                ? named : null;
        if (request.Headers.Accept.Count == 0) return offered[0];
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted) || accepted.Count == 0) return offered[0];
        string? best = null;
        (double Q, int Named, int Alternative) bestScore = (0, 0, 0);
        for (var i = 0; i < offered.Count; i++)
        {
            var (q, named) = Quality(accepted, offered[i]);
            if (q <= 0) continue;
            var score = (q, named, Alternative: named == 1 && i > 0 ? 1 : 0);
            if (best is null || score.CompareTo(bestScore) > 0)
            {
                best = offered[i];
                bestScore = score;
            }
        }
        return best;
    }

    /// <summary>
    /// Whether the client names <paramref name="mediaType"/> in <c>Accept</c> with a q-value at least that of JSON (JSON is the
    /// default: a bare <c>*/*</c> means JSON).
    /// </summary>
    public static bool Prefers(HttpRequest request, string mediaType) =>
        string.Equals(Choose(request, [Json, mediaType]), mediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The q-value the most specific matching range gives <paramref name="type"/>, and 1 when that range names it exactly.</summary>
    private static (double Q, int Named) Quality(IList<MediaTypeHeaderValue> accepted, string type)
    {
        var slash = type.IndexOf('/');
        var (main, sub) = (type[..slash], type[(slash + 1)..]);
        MediaTypeHeaderValue? match = null;
        var specificity = -1;
        foreach (var range in accepted)
        {
            var s = range.MatchesAllTypes ? 0
                : !range.Type.Equals(main, StringComparison.OrdinalIgnoreCase) ? -1
                : range.MatchesAllSubTypes ? 1
                : range.SubType.Equals(sub, StringComparison.OrdinalIgnoreCase) ? 2 : -1;
            if (s < 0) continue;
            if (s > specificity || (s == specificity && (range.Quality ?? 1) > (match!.Quality ?? 1)))
            {
                match = range;
                specificity = s;
            }
        }
        return match is null ? (0, 0) : (match.Quality ?? 1, specificity == 2 ? 1 : 0);
    }

    /// <summary>406: what the endpoint can answer in, so the client can ask again.</summary>
    public static ProblemHttpResult NotAcceptable(IReadOnlyList<string> offered) =>
        TypedResults.Problem(title: "Not acceptable", statusCode: StatusCodes.Status406NotAcceptable,
            detail: $"This endpoint answers in {string.Join(", ", offered)} (or format={string.Join("|", offered.Select(FormatOf))}); " +
                    "the Accept header (or format) asks for none of them.");

    private static string FormatOf(string mediaType) => Formats.First(f => f.Value == mediaType).Key;

    /// <summary>Whether the endpoint answering negotiates its media type (caches must then vary on Accept).</summary>
    public static bool IsNegotiated(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<NegotiatedMediaTypes>() is not null;
}
