using Csp.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Infrastructure;

/// <summary>Turns reads and writes into the standard responses (ETag, 304, and the one mapping of a refused write to HTTP).</summary>
public static class Respond
{
    /// <summary>200 with the ETag, or 304 when If-None-Match already has it.</summary>
    public static Results<Ok<T>, StatusCodeHttpResult, ProblemHttpResult> WithETag<T>(HttpContext http, T value, long version)
    {
        var etag = ETags.For(version);
        http.Response.Headers.ETag = etag;
        if (ETags.IfNoneMatch(http.Request, etag)) return Errors.NotModified();
        return TypedResults.Ok(value);
    }

    /// <summary>Sets the rendered body's ETag; true when If-None-Match already has it (answer 304 rather than the body).</summary>
    public static bool NotModified(HttpContext http, Representation body)
    {
        http.Response.Headers.ETag = body.ETag;
        return ETags.IfNoneMatch(http.Request, body.ETag);
    }

    /// <summary>200 with the row as it now is and its ETag, or the refusal.</summary>
    /// <param name="what">What a not-found refers to, e.g. "priority {id}" (a refusal may name its own).</param>
    public static Results<Ok<T>, ValidationProblem, ProblemHttpResult> Written<T>(HttpContext http, WriteResult<T> result, string what,
        Func<T, long> version)
    {
        if (result.Refusal is { } refused) return refused.Status == WriteStatus.Invalid ? Invalid(refused) : Problem(refused, what);
        ETags.Set(http.Response, version(result.Value!));
        return TypedResults.Ok(result.Value!);
    }

    /// <summary>201 with Location and ETag, or the refusal.</summary>
    public static Results<Created<T>, ValidationProblem, ProblemHttpResult> Created<T>(HttpContext http, WriteResult<T> result,
        string what, Func<T, string> location, Func<T, long> version)
    {
        if (result.Refusal is { } refused) return refused.Status == WriteStatus.Invalid ? Invalid(refused) : Problem(refused, what);
        ETags.Set(http.Response, version(result.Value!));
        return TypedResults.Created(location(result.Value!), result.Value!);
    }

    /// <summary>204, or the refusal (a delete names no fields, so it is never refused as invalid).</summary>
    public static Results<NoContent, ProblemHttpResult> Deleted<T>(WriteResult<T> result, string what) =>
        result.Refusal is { } refused ? Problem(refused, what) : TypedResults.NoContent();

    /// <summary>The one mapping of a refused write to HTTP: 400 with the fields at fault (<see cref="Invalid"/>), otherwise 404, 412
    /// or 409 (<see cref="Problem"/>).</summary>
    public static ValidationProblem Invalid(WriteRefusal refusal) => Errors.Invalid(refusal.Errors!.ToDictionary());

    /// <inheritdoc cref="Invalid"/>
    /// <param name="refusal">Not found, stale or a conflict.</param>
    /// <param name="what">What a not-found refers to when the refusal does not say.</param>
    public static ProblemHttpResult Problem(WriteRefusal refusal, string what) => refusal.Status switch
    {
        WriteStatus.PreconditionFailed => Errors.PreconditionFailed(),
        WriteStatus.Conflict => Errors.Conflict(refusal.Message!),
        WriteStatus.NotFound => Errors.NotFound(refusal.Message ?? what),
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal.Status, "Not a refusal that maps to a problem."),
    };
}
