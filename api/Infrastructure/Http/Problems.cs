using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Csp.Api.Infrastructure;

/// <summary>RFC 9457 problem responses written outside endpoint results (middleware, exceptions).</summary>
public static class Problems
{
    public static async Task Write(HttpContext context, int status, string title, string detail, IDictionary<string, string[]>? errors = null)
    {
        var problem = errors is null
            ? new ProblemDetails { Status = status, Title = title, Detail = detail }
            : new HttpValidationProblemDetails(errors) { Status = status, Title = title, Detail = detail };
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    public static Task NotFound(HttpContext context, string detail) =>
        Write(context, StatusCodes.Status404NotFound, "Not found", detail);
}

/// <summary>
/// Turns exceptions into problems: bad request bodies (malformed JSON, wrong content type, an
/// unknown enum value) keep their 4xx status with a readable message; a write that waited too long
/// for its turn is a 503 with Retry-After; anything else is a 500 without internals (the detail is
/// logged, never sent).
/// </summary>
public sealed partial class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>Retry-After of a 503 for a write that did not get its turn.</summary>
    public const int BusyRetryAfterSeconds = 1;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BodyProblemException body)
        {
            await Problems.Write(httpContext, body.StatusCode, body.Title, body.Message, body.Errors);
            return true;
        }
        if (exception is BadHttpRequestException bad)
        {
            if (FindJsonError(bad) is { } json)
            {
                var field = JsonPathToField(json.Path);
                await Problems.Write(httpContext, StatusCodes.Status400BadRequest, "Malformed request body",
                    "The request body is not valid JSON for this operation.",
                    new Dictionary<string, string[]> { [field] = [Describe(json)] });
                return true;
            }
            var detail = bad.StatusCode == StatusCodes.Status415UnsupportedMediaType
                ? "Send the body as application/json."
                : bad.Message;
            var title = bad.StatusCode switch
            {
                StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
                StatusCodes.Status413PayloadTooLarge => "Request body too large",
                _ => "Bad request",
            };
            await Problems.Write(httpContext, bad.StatusCode, title, detail);
            return true;
        }

        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            httpContext.Response.StatusCode = 499;
            return true;
        }

        if (StorageProblem(httpContext, exception) is { } storage)
        {
            Log.StorageFault(logger, exception, httpContext.Request.Method, httpContext.Request.Path, storage.Cause);
            httpContext.Response.Headers.RetryAfter = StorageRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Problems.Write(httpContext, storage.Status, storage.Title,
                $"The request could not be completed because {storage.Cause}; nothing was written. The operator has been alerted " +
                "(it is logged); send the same request again after Retry-After seconds.");
            return true;
        }

        if (exception is System.Data.Common.DbException db && httpContext.RequestServices.GetService<Data.Db>()?.Dialect.IsBusy(db) == true)
        {
            Log.NoWriteTurn(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            httpContext.Response.Headers.RetryAfter = BusyRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Problems.Write(httpContext, StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                "Other writes held the database for longer than this request could wait, so nothing was written. Send the same request " +
                "again after Retry-After seconds.");
            return true;
        }

        Log.Unhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        await Problems.Write(httpContext, StatusCodes.Status500InternalServerError, "Internal server error",
            "The server failed to handle the request. It has been logged; quote the traceId when reporting it.");
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Error, "Storage fault on {Method} {Path}: {Cause}")]
        public static partial void StorageFault(ILogger logger, Exception exception, string method, PathString path, string cause);

        [LoggerMessage(LogLevel.Warning, "No write turn for {Method} {Path}")]
        public static partial void NoWriteTurn(ILogger logger, Exception exception, string method, PathString path);

        [LoggerMessage(LogLevel.Error, "Unhandled error on {Method} {Path}")]
        public static partial void Unhandled(ILogger logger, Exception exception, string method, PathString path);
    }

    /// <summary>Retry-After of a 507 or 503 for a storage fault: an operator has to act, so not at once.</summary>
    public const int StorageRetryAfterSeconds = 60;

    /// <summary>A full disk (507), a read-only, missing or replaced database (503), with the cause in words; null for
    /// errors that are not about the storage.</summary>
    private static (int Status, string Title, string Cause)? StorageProblem(HttpContext context, Exception exception)
    {
        if (context.RequestServices.GetService<Data.Db>() is not { } db) return null;
        if (exception is Data.DatabaseUnavailableException) return (StatusCodes.Status503ServiceUnavailable, "Database unavailable", db.Describe(Data.StorageFault.Unavailable));
        if (exception is not System.Data.Common.DbException e) return null;
        // A database deleted under the service answers whatever SQLite makes of it (an empty file, no such table): the
        // file's fate is the cause.
        var fault = db.Dialect.FaultOf(e) ?? (db.FileProblem() is not null ? Data.StorageFault.Unavailable : null);
        return fault switch
        {
            Data.StorageFault.Full => (StatusCodes.Status507InsufficientStorage, "Insufficient storage", db.Describe(Data.StorageFault.Full)),
            Data.StorageFault.ReadOnly => (StatusCodes.Status503ServiceUnavailable, "Database read-only", db.Describe(Data.StorageFault.ReadOnly)),
            Data.StorageFault.Unavailable => (StatusCodes.Status503ServiceUnavailable, "Database unavailable", db.Describe(Data.StorageFault.Unavailable)),
            _ => null,
        };
    }

    private static JsonException? FindJsonError(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is JsonException j) return j;
        return null;
    }

    private static string Describe(JsonException e) =>
        e.Path is null or "$" ? "The body is not a valid JSON document." : $"The value at {e.Path} has the wrong type or format.";

    private static string JsonPathToField(string? path) =>
        path is null or "$" || path.Length < 2 ? "body" : path.TrimStart('$', '.');
}

/// <summary>A body an endpoint reads itself that cannot be read: a 400 naming the field (and, for CSV or NDJSON, the line), a
/// 413 or a 415, answered as a problem by <see cref="ProblemExceptionHandler"/>.</summary>
public sealed class BodyProblemException(int statusCode, string title, string detail, IDictionary<string, string[]>? errors = null)
    : BadHttpRequestException(detail, statusCode)
{
    public string Title { get; } = title;
    public IDictionary<string, string[]>? Errors { get; } = errors;

    public static BodyProblemException Invalid(string field, string message) =>
        new(StatusCodes.Status400BadRequest, "Malformed request body", "The request body cannot be read: " + message,
            new Dictionary<string, string[]> { [field] = [message] });
}
