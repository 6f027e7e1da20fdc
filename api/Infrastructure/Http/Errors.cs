using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Infrastructure;

/// <summary>The expected, non-exceptional error outcomes of handlers, as problem+json results.</summary>
public static class Errors
{
    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(title: "Not found", detail: $"There is no {what}.", statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(title: "Conflict", detail: detail, statusCode: StatusCodes.Status409Conflict);

    public static ProblemHttpResult PreconditionFailed() =>
        TypedResults.Problem(title: "Precondition failed",
            detail: "The resource has changed since you read it (If-Match does not match its ETag). Fetch it again and retry.",
            statusCode: StatusCodes.Status412PreconditionFailed);

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is not valid");

    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is not valid");

    public static StatusCodeHttpResult NotModified() => TypedResults.StatusCode(StatusCodes.Status304NotModified);
}
