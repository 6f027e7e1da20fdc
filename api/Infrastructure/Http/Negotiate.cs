using Microsoft.Net.Http.Headers;

namespace Csp.Api.Infrastructure;

/// <summary>Content negotiation by <c>Accept</c> for the endpoints that answer in another media type besides JSON.</summary>
public static class Negotiate
{
    private const string Json = "application/json";

    /// <summary>
    /// Whether the client names <paramref name="mediaType"/> in <c>Accept</c> with a q-value at least that of JSON. JSON stays
    /// the default: a wildcard (<c>*/*</c>, <c>text/*</c>) counts for JSON, never for the other type.
    /// </summary>
    public static bool Prefers(HttpRequest request, string mediaType)
    {
        if (request.Headers.Accept.Count == 0 || !MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)) return false;
        var wanted = Quality(accepted, a => a.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase));
        return wanted > 0 && wanted >= Quality(accepted, a => a.MatchesMediaType(Json));
    }

    private static double Quality(IList<MediaTypeHeaderValue> accepted, Func<MediaTypeHeaderValue, bool> matches) =>
        accepted.Where(matches).Select(a => a.Quality ?? 1).DefaultIfEmpty(0).Max();
}
