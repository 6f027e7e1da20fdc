using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Csp.Api.Infrastructure.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on every POST: the first request with a key runs and its response (status, body, Location and ETag)
/// is kept 24 h per client; a retry with the same key and the same request replays it (<c>Idempotent-Replayed: true</c>); the
/// same key with a different request is 422; a retry while the first still runs is 409 with Retry-After. Requests are
/// compared by method, path, query and the JSON of the bound body (so formatting does not matter). A request that fails
/// (5xx or an exception) releases its key, so a retry runs again. An answer over <see cref="MaxStoredBodyBytes"/> is kept as
/// its summary (<see cref="BoundedAnswer"/>); an answer that carries a secret (a new client's key) is kept as a problem
/// that says it was issued (<see cref="SecretAnswer"/>).
/// </summary>
public sealed partial class IdempotencyFilter(IdempotencyQueries keys, IdempotencyPurge purge, IOptions<JsonOptions> json,
    ILogger<IdempotencyFilter> logger) : IEndpointFilter
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const string SummaryHeader = "Idempotent-Summary";
    public const int MaxKeyLength = 255;

    /// <summary>Retry-After of the 409 a retry gets while the first request still runs.</summary>
    public const int InFlightRetryAfterSeconds = 1;

    /// <summary>The largest answer kept whole for replay; a larger one is kept as its summary.</summary>
    public const int MaxStoredBodyBytes = 64 * 1024;

    /// <summary>The response headers a replay repeats.</summary>
    private static readonly string[] ReplayedHeaders = ["Location", "ETag"];

    /// <summary>Applies the filter to every POST of a group (the contract's conventions document it).</summary>
    public static TBuilder IdempotentPosts<TBuilder>(TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<Microsoft.AspNetCore.Routing.HttpMethodMetadata>().Any(m => m.HttpMethods.Contains("POST")))
                endpoint.FilterFactories.Add((context, next) =>
                {
                    var filter = ActivatorUtilities.GetServiceOrCreateInstance<IdempotencyFilter>(context.ApplicationServices);
                    return invocation => filter.InvokeAsync(invocation, next);
                });
        });
        return builder;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!http.Request.Headers.TryGetValue(HeaderName, out var values)) return await next(context);
        var key = values.Count == 1 ? values[0] : null;
        if (string.IsNullOrWhiteSpace(key) || key.Length > MaxKeyLength || key.Any(char.IsControl))
            return Errors.Invalid(HeaderName, $"Send one {HeaderName} of 1–{MaxKeyLength} printable characters (a UUID is ideal).");

        var ct = http.RequestAborted;
        var scope = ScopeOf(http);
        var outcome = await keys.BeginAsync(scope, key, Hash(context), ct);
        switch (outcome.Status)
        {
            case BeginStatus.Mismatch:
                return TypedResults.Problem(title: "Idempotency-Key reused", statusCode: StatusCodes.Status422UnprocessableEntity,
                    detail: $"This {HeaderName} was already used with a different request. Use a new key for a new request.");
            case BeginStatus.InFlight:
                http.Response.Headers.RetryAfter = InFlightRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(title: "Request in progress", statusCode: StatusCodes.Status409Conflict,
                    detail: $"The first request with this {HeaderName} is still running. Retry after it has finished to get its response.");
            case BeginStatus.Replay:
                http.Response.Headers[ReplayedHeader] = "true";
                return new ReplayResult(outcome.Response!);
            case BeginStatus.Committed:
                // The first run committed and died before answering: this run answers with its result (the writer writes nothing).
                http.Response.Headers[ReplayedHeader] = "true";
                break;
        }

        await purge.MaybePurgeAsync();
        StoredResponse response;
        try
        {
            object? result;
            using (IdempotencyContext.Enter(scope, key, outcome.ResultJson))
                result = await next(context);
            response = await ExecuteAndCaptureAsync(http, result);
        }
        catch
        {
            await keys.AbandonAsync(scope, key, CancellationToken.None);
            throw;
        }

        // Failures are not remembered: a retry deserves another attempt.
        if (response.Status >= 500) await keys.AbandonAsync(scope, key, CancellationToken.None);
        else await keys.CompleteAsync(scope, key, Kept(http, response), CancellationToken.None);
        return Results.Empty;
    }

    private static IdempotencyScope ScopeOf(HttpContext http)
    {
        var caller = Caller.From(http.User);
        var tenant = http.Items[Tenant.ItemKey] as Tenant;
        return new IdempotencyScope(tenant?.PartnershipId ?? caller.PartnershipId ?? Guid.Empty, caller.ClientId ?? Guid.Empty);
    }

    private byte[] Hash(EndpointFilterInvocationContext context)
    {
        var request = context.HttpContext.Request;
        var bodyType = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        var body = bodyType is null ? null : context.Arguments.FirstOrDefault(a => a is not null && bodyType.IsInstanceOfType(a));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        if (context.Arguments.OfType<IRequestFingerprint>().FirstOrDefault() is { } read) hash.AppendData(read.Fingerprint);
        else if (body is not null) hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(body, bodyType!, json.Value.SerializerOptions));
        return hash.GetHashAndReset();
    }

    /// <summary>Runs the handler's result into a buffer, so the response can be both sent and kept.</summary>
    private async Task<StoredResponse> ExecuteAndCaptureAsync(HttpContext http, object? result)
    {
        var response = http.Response;
        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            var executable = result as IResult ?? (result is null ? Results.Empty : TypedResults.Json(result, json.Value.SerializerOptions));
            await executable.ExecuteAsync(http);
            await response.BodyWriter.FlushAsync();
        }
        finally
        {
            response.Body = original;
        }
        var headers = ReplayedHeaders.Where(h => response.Headers.ContainsKey(h)).ToDictionary(h => h, h => response.Headers[h].ToString());
        var captured = new StoredResponse(response.StatusCode, response.ContentType, buffer.ToArray(), headers);
        if (captured.Body.Length > 0) await original.WriteAsync(captured.Body);
        Log.Answered(logger, captured.Status, captured.Body.Length);
        return captured;
    }

    /// <summary>What is kept of an answer for replay: itself, its summary when it is large, or the notice of a secret.</summary>
    private static StoredResponse Kept(HttpContext http, StoredResponse response)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<SecretAnswer>() is { } secret && response.Status is >= 200 and < 300)
            return secret.Notice(response);
        return response.Body.Length > MaxStoredBodyBytes ? BoundedAnswer.Of(response) : response;
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Debug, "Idempotent request answered {Status} with {Bytes} bytes")]
        public static partial void Answered(ILogger logger, int status, int bytes);
    }

    private sealed class ReplayResult(StoredResponse stored) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            foreach (var (name, value) in stored.Headers) httpContext.Response.Headers[name] = value;
            httpContext.Response.StatusCode = stored.Status;
            if (stored.ContentType is not null) httpContext.Response.ContentType = stored.ContentType;
            if (stored.Body.Length > 0) await httpContext.Response.Body.WriteAsync(stored.Body);
        }
    }
}

/// <summary>Purges expired keys at most every 10 minutes, on the back of a request that uses one.</summary>
public sealed partial class IdempotencyPurge(IdempotencyQueries keys, TimeProvider clock, ILogger<IdempotencyPurge> logger)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);
    private long nextPurgeTicks;

    public async Task MaybePurgeAsync()
    {
        var now = clock.GetUtcNow().UtcTicks;
        var due = Interlocked.Read(ref nextPurgeTicks);
        if (now < due || Interlocked.CompareExchange(ref nextPurgeTicks, now + Interval.Ticks, due) != due) return;
        var purged = await keys.PurgeAsync(CancellationToken.None);
        if (purged > 0) Log.Purged(logger, purged);
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Information, "Purged {Count} expired idempotency key(s).")]
        public static partial void Purged(ILogger logger, int count);
    }
}

/// <summary>A body an endpoint reads itself (streamed, in several media types) and identifies for <see cref="IdempotencyFilter"/>:
/// a hash of what it parsed, so formatting and media type do not matter.</summary>
public interface IRequestFingerprint
{
    byte[] Fingerprint { get; }
}
