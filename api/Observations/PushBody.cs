using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Idempotency;
using Csp.Api.Infrastructure.OpenApi;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Csp.Api.Observations;

/// <summary>
/// The batch push's body, read as it arrives: JSON (<c>{"observations": […]}</c>), CSV with a header row, or NDJSON (one row
/// object per line), one row at a time (<see cref="PushFormats"/>). Up to <see cref="BatchPush.MaxRows"/> rows are kept in
/// memory; a larger body, or one the client wants run as a job, is spooled row by row to a temporary file, so a body of
/// hundreds of thousands of rows is never one object. Identified for Idempotency-Key by a hash of the rows as parsed.
/// </summary>
public sealed class PushBody : IRequestFingerprint, IAsyncDisposable
{
    public const string Json = "application/json";
    public const string Csv = "text/csv";
    public const string NdJson = "application/x-ndjson";
    public static readonly string[] MediaTypes = [Json, Csv, NdJson];

    private readonly JsonSerializerOptions options;
    private readonly IncrementalHash? hash;
    private readonly long maxRows;
    private List<ObservationInput>? rows = [];
    private FileStream? spool;
    private byte[]? fingerprint;

    private PushBody(JsonSerializerOptions options, bool fingerprinted, bool spoolFromStart, long maxRows)
    {
        this.options = options;
        this.maxRows = maxRows;
        hash = fingerprinted ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        if (spoolFromStart) StartSpool();
    }

    /// <summary>How many rows the body holds.</summary>
    public int Count { get; private set; }

    /// <summary>The media type the body came in (for the job's record).</summary>
    public string MediaType { get; private set; } = Json;

    /// <summary>The rows, when the body was small enough to keep in memory; null when it was spooled (read it with
    /// <see cref="ChunksAsync"/>).</summary>
    public IReadOnlyList<ObservationInput>? Rows => rows;

    public byte[] Fingerprint => fingerprint ??= hash?.GetHashAndReset() ?? [];

    /// <summary>Minimal APIs' binding hook: reads the whole body before the endpoint's filters run.</summary>
    public static async ValueTask<PushBody?> BindAsync(HttpContext http)
    {
        var media = MediaTypeOf(http.Request.ContentType);
        if (media is null)
            throw new BodyProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"Send the body as one of {string.Join(", ", MediaTypes)} (Content-Type was '{http.Request.ContentType}').");
        var options = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var fingerprinted = http.Request.Headers.ContainsKey(IdempotencyFilter.HeaderName);
        var body = new PushBody(options, fingerprinted, spoolFromStart: Prefer.RespondAsync(http.Request), BatchPush.MaxJobRows)
        {
            MediaType = media,
        };
        http.Response.RegisterForDisposeAsync(body);
        var ct = http.RequestAborted;
        switch (media)
        {
            case Csv: await PushFormats.ReadCsvAsync(http.Request.Body, body.Add, ct); break;
            case NdJson: await PushFormats.ReadNdJsonAsync(http.Request.BodyReader, body.Add, options, ct); break;
            default: await PushFormats.ReadJsonAsync(http.Request.BodyReader, body.Add, options, ct); break;
        }
        body.spool?.Flush();
        return body;
    }

    private static string? MediaTypeOf(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed)) return null;
        return MediaTypes.FirstOrDefault(m => parsed.MediaType.Equals(m, StringComparison.OrdinalIgnoreCase));
    }

    private void Add(ObservationInput row)
    {
        if (++Count > maxRows)
            throw new BodyProblemException(StatusCodes.Status413PayloadTooLarge, "Batch too large",
                $"A push holds at most {maxRows:N0} rows (up to {BatchPush.MaxRows:N0} answered at once, more as a job). Split it.");
        byte[]? json = null;
        if (hash is not null)
        {
            json = JsonSerializer.SerializeToUtf8Bytes(row, options);
            hash.AppendData(json);
            hash.AppendData("\n"u8);
        }
        if (spool is null && rows!.Count < BatchPush.MaxRows)
        {
            rows.Add(row);
            return;
        }
        if (spool is null) StartSpool();
        Write(json ?? JsonSerializer.SerializeToUtf8Bytes(row, options));
    }

    private void StartSpool()
    {
        var path = Path.Combine(Path.GetTempPath(), $"csp-push-{Guid.NewGuid():N}.ndjson");
        spool = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        foreach (var kept in rows ?? []) Write(JsonSerializer.SerializeToUtf8Bytes(kept, options));
        rows = null;
    }

    private void Write(byte[] json)
    {
        spool!.Write(json);
        spool.WriteByte((byte)'\n');
    }

    /// <summary>The rows in order, <paramref name="size"/> at a time, from memory or from the spool.</summary>
    public async IAsyncEnumerable<List<ObservationInput>> ChunksAsync(int size, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (rows is not null)
        {
            for (var i = 0; i < rows.Count; i += size) yield return rows.GetRange(i, Math.Min(size, rows.Count - i));
            yield break;
        }
        spool!.Seek(0, SeekOrigin.Begin);
        using var reader = new StreamReader(spool, Encoding.UTF8, false, 1 << 16, leaveOpen: true);
        var chunk = new List<ObservationInput>(size);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            chunk.Add(JsonSerializer.Deserialize<ObservationInput>(line, options)!);
            if (chunk.Count < size) continue;
            yield return chunk;
            chunk = new List<ObservationInput>(size);
        }
        if (chunk.Count > 0) yield return chunk;
    }

    public async ValueTask DisposeAsync()
    {
        hash?.Dispose();
        if (spool is not null) await spool.DisposeAsync();
    }
}

/// <summary>The <c>Prefer</c> request header (RFC 7240), as far as the push reads it.</summary>
public static class Prefer
{
    public const string Header = "Prefer";
    public const string Applied = "Preference-Applied";
    public const string RespondAsyncToken = "respond-async";

    /// <summary>Whether the client asked for <c>respond-async</c>.</summary>
    public static bool RespondAsync(HttpRequest request) =>
        request.Headers[Header].Any(v => v is not null && v.Split(',').Any(p =>
            p.Split(';')[0].Trim().Equals(RespondAsyncToken, StringComparison.OrdinalIgnoreCase)));
}

/// <summary>The push's request body in the contract: the JSON batch, and the same rows as CSV or NDJSON.</summary>
internal static class PushBodyContract
{
    public static RouteHandlerBuilder AcceptsPushBodies(this RouteHandlerBuilder builder) =>
        builder.ReadsBody<ObservationBatch>(PushBody.Json, new Dictionary<string, string>
        {
            [PushBody.Csv] = "RFC 4180 CSV, UTF-8 (a byte order mark is allowed), with a header row naming its columns: " +
                             string.Join(", ", PushFormats.Columns) + " (indicator and period required; the others optional, an empty " +
                             "cell meaning absent). The download's own columns (" + string.Join(", ", PushFormats.Ignored) + ") are allowed " +
                             "and ignored, so a downloaded file can be sent back. Row i of the conflicts is the i-th record after the header, " +
                             "from 0; a cell that cannot be read (value not a number, unknown status, delete not true/false) is a 400 naming " +
                             "the line.",
            [PushBody.NdJson] = "Newline-delimited JSON: one row object per line (the properties of an `observations` row), blank lines " +
                                "skipped. Row i of the conflicts is the i-th row, from 0; a line that cannot be read is a 400 naming the line.",
        });
}
