using System.IO.Compression;
using Microsoft.Extensions.Primitives;

namespace Csp.Api.Infrastructure;

/// <summary>The content codings a body made once (<see cref="PrecompressedBody"/>) is offered in.</summary>
public enum ContentCoding { Identity, Brotli, Gzip }

/// <summary>Accept-Encoding (RFC 9110 §12.5.3), read by scanning the header where it lies: this runs on every hot read.</summary>
public static class AcceptEncoding
{
    private const int Refused = 0;
    private const int Unnamed = -1;

    /// <summary>
    /// The coding to answer in: the one of br and gzip with the highest q-value (<c>q=0</c> refuses it, <c>*</c> stands for
    /// codings not named), br on a tie as it is the smaller; identity when the header is absent, accepts neither, or names
    /// <c>identity</c> with a higher q. A q-value that does not parse counts as a refusal, so a malformed header gets identity.
    /// </summary>
    public static ContentCoding Negotiate(StringValues header)
    {
        // Absent: RFC 9110 allows any coding, but clients that decode always say so; one that sends nothing gets plain JSON.
        if (header.Count == 0) return ContentCoding.Identity;
        int br = Unnamed, gzip = Unnamed, identity = Unnamed, any = Unnamed;
        foreach (var value in header)
        {
            var rest = value.AsSpan();
            while (!rest.IsEmpty)
            {
                var comma = rest.IndexOf(',');
                var element = comma < 0 ? rest : rest[..comma];
                rest = comma < 0 ? default : rest[(comma + 1)..];
                var semicolon = element.IndexOf(';');
                var coding = (semicolon < 0 ? element : element[..semicolon]).Trim(" \t");
                if (coding.IsEmpty) continue;
                var q = semicolon < 0 ? 1000 : Quality(element[(semicolon + 1)..]);
                if (coding.Equals("br", StringComparison.OrdinalIgnoreCase)) br = Named(br, q);
                // RFC 9110 §8.4.1.3: x-gzip is gzip.
                else if (coding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase)) gzip = Named(gzip, q);
                else if (coding.Equals("identity", StringComparison.OrdinalIgnoreCase)) identity = Named(identity, q);
                else if (coding is "*") any = Named(any, q);
            }
        }
        if (br == Unnamed) br = any == Unnamed ? Refused : any;
        if (gzip == Unnamed) gzip = any == Unnamed ? Refused : any;
        var best = br >= gzip ? ContentCoding.Brotli : ContentCoding.Gzip;
        var bestQ = Math.Max(br, gzip);
        // Identity is always acceptable as the fallback; it competes only when named (as ASP.NET's own response compression does).
        return bestQ > Refused && bestQ >= identity ? best : ContentCoding.Identity;
    }

    /// <summary>A coding named twice keeps the lower q-value: a refusal anywhere stays a refusal.</summary>
    private static int Named(int current, int q) => current == Unnamed ? q : Math.Min(current, q);

    /// <summary>The q parameter of an element, in thousandths (1000 when there is none).</summary>
    private static int Quality(ReadOnlySpan<char> parameters)
    {
        while (true)
        {
            var semicolon = parameters.IndexOf(';');
            var parameter = (semicolon < 0 ? parameters : parameters[..semicolon]).Trim(" \t");
            var equals = parameter.IndexOf('=');
            if (equals > 0 && parameter[..equals].TrimEnd(" \t") is ['q' or 'Q'])
                return QValue(parameter[(equals + 1)..].TrimStart(" \t"));
            if (semicolon < 0) return 1000;
            parameters = parameters[(semicolon + 1)..];
        }
    }

    /// <summary><c>qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )</c>, in thousandths; anything else is 0.</summary>
    private static int QValue(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text[0] is not ('0' or '1')) return Refused;
        var q = (text[0] - '0') * 1000;
        if (text.Length == 1) return q;
        if (text[1] != '.' || text.Length > 5) return Refused;
        var scale = 100;
        for (var i = 2; i < text.Length; i++, scale /= 10)
        {
            if (!char.IsAsciiDigit(text[i])) return Refused;
            q += (text[i] - '0') * scale;
        }
        return q > 1000 ? Refused : q;
    }
}

/// <summary>
/// A response body made once (a cached document) and the representations it is sent as: the identity bytes, and their br
/// and gzip forms, each compressed on the first request that accepts it and kept here, so a version is compressed at most
/// once per coding and a new version (a new instance) can never be served with an older one's compressed bytes.
/// </summary>
/// <remarks>
/// Each representation has its own strong ETag (RFC 9110 §8.8.3: a strong validator identifies the bytes sent), derived
/// from the identity's hash (<c>"h"</c>, <c>"h-br"</c>, <c>"h-gzip"</c>) so that all three are known without compressing:
/// a 304 never has to. Requests that want a form while it is being made wait for it rather than compress it again.
/// </remarks>
public sealed class PrecompressedBody
{
    private readonly ReadOnlyMemory<byte> identity;
    private readonly string[] etags;
    private readonly Lazy<byte[]> brotli;
    private readonly Lazy<byte[]> gzip;

    /// <param name="identity">The body as is.</param>
    /// <param name="hash">A hash of <paramref name="identity"/> (hex): the identity's ETag, quoted.</param>
    public PrecompressedBody(ReadOnlyMemory<byte> identity, string hash)
    {
        this.identity = identity;
        etags = [$"\"{hash}\"", $"\"{hash}-br\"", $"\"{hash}-gzip\""];
        brotli = new Lazy<byte[]>(() => Compress(identity.Span, ContentCoding.Brotli));
        gzip = new Lazy<byte[]>(() => Compress(identity.Span, ContentCoding.Gzip));
    }

    /// <summary>The identity bytes.</summary>
    public ReadOnlyMemory<byte> Identity => identity;

    /// <summary>The strong ETag of the body in <paramref name="coding"/>.</summary>
    public string ETag(ContentCoding coding) => etags[(int)coding];

    /// <summary>The ETags of every representation of this version: If-None-Match naming any of them is a match.</summary>
    public ReadOnlySpan<string> ETags => etags;

    /// <summary>The bytes to send in <paramref name="coding"/>, compressing them if this is the first request that wants them.</summary>
    public ReadOnlyMemory<byte> Bytes(ContentCoding coding) => coding switch
    {
        ContentCoding.Brotli => brotli.Value,
        ContentCoding.Gzip => gzip.Value,
        _ => identity,
    };

    /// <summary>The Content-Encoding header of <paramref name="coding"/>; null for identity.</summary>
    public static string? ContentEncoding(ContentCoding coding) => coding switch
    {
        ContentCoding.Brotli => "br",
        ContentCoding.Gzip => "gzip",
        _ => null,
    };

    /// <summary>Brotli quality 5: the 30 KB demo plan compresses to 5.0 KB in under 1 ms. Quality 11 (SmallestSize) gives
    /// 4.3 KB but took 80–200 ms here, and it would be paid, with readers waiting, after every write in the partnership;
    /// under wrk, 4.3 KB (br quality 11) and 5.4 KB (gzip) answers ran alike within the noise.</summary>
    private const int BrotliQuality = 5;

    private const int BrotliWindow = 22;

    private static byte[] Compress(ReadOnlySpan<byte> source, ContentCoding coding)
    {
        if (coding == ContentCoding.Brotli)
        {
            var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(source.Length)];
            if (!BrotliEncoder.TryCompress(source, buffer, out var written, BrotliQuality, BrotliWindow))
                throw new InvalidOperationException("Brotli could not compress into a buffer of its own maximum size.");
            return buffer.AsSpan(0, written).ToArray();
        }
        // Optimal (zlib level 6) is both faster and smaller than SmallestSize (level 9) on these documents: 5.4 KB, under 1 ms.
        using var output = new MemoryStream(source.Length / 4);
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(source);
        return output.ToArray();
    }
}
