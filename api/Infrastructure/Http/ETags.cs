using Microsoft.Net.Http.Headers;

namespace Csp.Api.Infrastructure;

/// <summary>Strong ETags backed by each row's version column.</summary>
public static class ETags
{
    public static string For(long version) => $"\"{version}\"";

    /// <summary>The version an If-Match header asks for: null when absent or <c>*</c>; -1 when it cannot match.</summary>
    public static long? IfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch;
        if (header.Count == 0) return null;
        var tags = EntityTagHeaderValue.ParseList(header);
        if (tags.Any(t => t.Tag == "*")) return null;
        foreach (var t in tags)
            if (!t.IsWeak && long.TryParse(t.Tag.AsSpan(1, t.Tag.Length - 2), out var v)) return v;
        return -1;
    }

    public static bool IfNoneMatch(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0) return false;
        // The usual case (a client sending back the ETag it was given) without parsing the header into a list.
        if (header.Count == 1 && string.Equals(header[0], etag, StringComparison.Ordinal)) return true;
        return EntityTagHeaderValue.TryParseList(header, out var tags)
            && tags.Any(t => t.Tag == "*" || t.Tag == etag || (t.IsWeak && t.Tag == etag));
    }

    public static void Set(HttpResponse response, long version) => response.Headers.ETag = For(version);
}
