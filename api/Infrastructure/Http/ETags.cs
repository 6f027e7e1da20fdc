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

    /// <summary>Whether If-None-Match names <paramref name="etag"/>, one of <paramref name="alsoCurrent"/> (the ETags of other
    /// representations of the same version, e.g. its other content codings), or <c>*</c>. Compared weakly (RFC 9110 §13.1.2).</summary>
    public static bool IfNoneMatch(HttpRequest request, string etag, params ReadOnlySpan<string> alsoCurrent)
    {
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0) return false;
        // The usual case (a client sending back the ETag it was given) without parsing the header into a list.
        if (header.Count == 1)
        {
            var value = header[0];
            if (string.Equals(value, etag, StringComparison.Ordinal)) return true;
            foreach (var other in alsoCurrent)
                if (string.Equals(value, other, StringComparison.Ordinal)) return true;
        }
        if (!EntityTagHeaderValue.TryParseList(header, out var tags)) return false;
        foreach (var t in tags)
        {
            // Tag keeps the quotes and drops W/, so comparing it is the weak comparison.
            if (t.Tag == "*" || t.Tag == etag) return true;
            foreach (var other in alsoCurrent)
                if (t.Tag == other) return true;
        }
        return false;
    }

    public static void Set(HttpResponse response, long version) => response.Headers.ETag = For(version);
}
