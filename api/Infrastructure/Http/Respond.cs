using Csp.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Infrastructure;

/// <summary>Turns query outcomes into the standard responses (ETag, 304, 404, 412).</summary>
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

    public static Results<Ok<T>, ValidationProblem, ProblemHttpResult> Written<T>(HttpContext http, WriteOutcome<T> outcome, string what, Func<T, long> version)
    {
        switch (outcome.Status)
        {
            case WriteStatus.Done:
                ETags.Set(http.Response, version(outcome.Value!));
                return TypedResults.Ok(outcome.Value!);
            case WriteStatus.Stale:
                return Errors.PreconditionFailed();
            case WriteStatus.Conflict:
                return Errors.Conflict(outcome.Message!);
            default:
                return Errors.NotFound(what);
        }
    }

    /// <summary>201 with Location and ETag, or the problem the write met.</summary>
    public static Results<Created<T>, ValidationProblem, ProblemHttpResult> Created<T>(HttpContext http, WriteOutcome<T> outcome,
        string what, Func<T, string> location, Func<T, long> version)
    {
        if (outcome.Status != WriteStatus.Done)
            return outcome.Status == WriteStatus.Conflict ? Errors.Conflict(outcome.Message!) : Errors.NotFound(what);
        ETags.Set(http.Response, version(outcome.Value!));
        return TypedResults.Created(location(outcome.Value!), outcome.Value!);
    }

    public static Results<NoContent, ProblemHttpResult> Deleted(WriteOutcome<bool> outcome, string what) => outcome.Status switch
    {
        WriteStatus.Done => TypedResults.NoContent(),
        WriteStatus.Stale => Errors.PreconditionFailed(),
        WriteStatus.Conflict => Errors.Conflict(outcome.Message!),
        _ => Errors.NotFound(what),
    };
}
