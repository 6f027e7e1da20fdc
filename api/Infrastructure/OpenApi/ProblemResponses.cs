using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure.OpenApi;

/// <summary>
/// A problem response (RFC 9457, <c>application/problem+json</c>) kept once under <c>components/responses</c> and referenced by every
/// operation that can answer it. Its examples are bodies the service really sends (tests/…/Contract/ProblemExampleTests provokes
/// each one), so a response carries examples only when they are true of every operation that refers to it.
/// </summary>
/// <param name="Id">Its name under <c>components/responses</c>.</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Description">When the service answers it.</param>
/// <param name="Validation">True when the body names the fields at fault (<c>HttpValidationProblemDetails</c>).</param>
/// <param name="RetryAfter">What the Retry-After header says, when the response has one.</param>
public sealed record ProblemResponse(string Id, int Status, string Description, bool Validation = false, string? RetryAfter = null)
{
    public IReadOnlyList<ProblemExample> Examples { get; init; } = [];
}

/// <summary>A problem body as the service sends it (its <c>type</c> and <c>traceId</c> are added when it is published).</summary>
/// <param name="Detail">Absent from the pipeline's own problems (routing's 415), which say no more than their title.</param>
public sealed record ProblemExample(string Name, string Title, string? Detail);

/// <summary>The problem responses operations share, and how an operation refers to one.</summary>
public static class ProblemResponses
{
    private const string TraceId = "0HNB2M9V3K7QF:00000004";

    public static readonly ProblemResponse BadRequest = new("BadRequest", 400,
        "The request is not valid: a body, query or header value that does not parse, or fails validation. `errors` names each field " +
        "and what is wrong with it.", Validation: true);

    public static readonly ProblemResponse Unauthorized = new("Unauthorized", 401, "The API key is missing, unknown or revoked.")
    {
        Examples = [MissingKey],
    };

    public static readonly ProblemResponse UnauthorizedPublicRead = new("UnauthorizedPublicRead", 401,
        "The API key is unknown or revoked, or there is none and the partnership has not enabled public read.")
    {
        Examples = [MissingKey],
    };

    private static ProblemExample MissingKey => new("missing-key", "Missing or invalid API key", "Send a valid, unrevoked key in the X-Api-Key header.");

    /// <summary>The 403 of an operation that needs <paramref name="scope"/>: one shared response per scope, naming it.</summary>
    public static ProblemResponse Forbidden(string scope) =>
        new("Forbidden" + string.Concat(scope.Split(':', '_', '-').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..])), 403,
            $"The key lacks the `{scope}` scope this operation needs.")
        {
            Examples = [InsufficientScope(scope)],
        };

    /// <summary>The body of a 403 for a key without <paramref name="scope"/>.</summary>
    public static ProblemExample InsufficientScope(string scope) =>
        new("insufficient-scope", "Insufficient scope", $"This operation needs a key with the '{scope}' scope.");

    public static readonly ProblemResponse NotFound = new("NotFound", 404,
        "No such partnership or resource, or it belongs to another partnership (the same answer, by design).")
    {
        Examples = [new("no-partnership", "Not found", "There is no partnership 'southwark'.")],
    };

    public static readonly ProblemResponse NotAcceptable = new("NotAcceptable", 406,
        "The endpoint cannot answer in any media type the Accept header (or the `format` parameter) asks for; `detail` lists the ones " +
        "it can.");

    public static readonly ProblemResponse Conflict = new("Conflict", 409,
        "The request conflicts with the resource's current state (the operation's description says when), or a request with the " +
        "same Idempotency-Key is still running (with Retry-After), or (creating a client) already issued its key, which is never " +
        "shown again; `detail` says which.");

    public static readonly ProblemResponse PreconditionFailed = new("PreconditionFailed", 412,
        "If-Match does not match the resource's current ETag: it has changed since you read it. Read it again, then retry.")
    {
        Examples = [new("stale-etag", "Precondition failed",
            "The resource has changed since you read it (If-Match does not match its ETag). Fetch it again and retry.")],
    };

    /// <summary>The 413 of an operation whose body limit is <paramref name="maxBodyBytes"/> (one shared response per limit).</summary>
    public static ProblemResponse PayloadTooLarge(long maxBodyBytes, bool isDefault = true) => new(
        isDefault ? "PayloadTooLarge" : $"PayloadTooLarge{maxBodyBytes}", 413,
        $"The request body is over {maxBodyBytes:N0} bytes; nothing was read or stored.")
    {
        Examples = [BodyTooLarge(maxBodyBytes)],
    };

    /// <summary>The body of a 413 for a body over <paramref name="maxBodyBytes"/>.</summary>
    public static ProblemExample BodyTooLarge(long maxBodyBytes) =>
        new("body-too-large", "Request body too large", $"This operation accepts bodies of at most {maxBodyBytes:N0} bytes.");

    public static readonly ProblemResponse UnsupportedMediaType = new("UnsupportedMediaType", 415,
        "The body is not `application/json`.")
    {
        // Routing refuses the request before the endpoint reads it: the status code page's problem, with no detail.
        Examples = [new("not-json", "Unsupported Media Type", Detail: null)],
    };

    public static readonly ProblemResponse UnprocessableEntity = new("UnprocessableEntity", 422,
        "The Idempotency-Key was used before with a different request: use a new key for a new request.");

    public static readonly ProblemResponse TooManyRequests = new("TooManyRequests", 429,
        "This client (or, without a valid key, this address) has used its request allowance.", RetryAfter: "Seconds to wait before retrying.");

    public static readonly ProblemResponse InternalServerError = new("InternalServerError", 500,
        "An unexpected error. No internals are sent; quote the problem's `traceId` when reporting it.");

    public static readonly ProblemResponse WriteUnavailable = new("WriteUnavailable", 503,
        "Other writes held the database for longer than this request could wait, or the database cannot be used now (read-only, its " +
        "file deleted or replaced under the service): `detail` says which. Nothing was written; send the same request again after " +
        "Retry-After seconds.", RetryAfter: "Seconds to wait before sending the request again.");

    public static readonly ProblemResponse ReadUnavailable = new("ReadUnavailable", 503,
        "The database cannot be used now (its file deleted or replaced under the service, or unreadable): `detail` says which. " +
        "Send the same request again after Retry-After seconds.", RetryAfter: "Seconds to wait before sending the request again.");

    public static readonly ProblemResponse InsufficientStorage = new("InsufficientStorage", 507,
        "The disk holding the database is full; nothing was written. Send the same request again after Retry-After seconds.",
        RetryAfter: "Seconds to wait before sending the request again.");

    public static readonly ProblemResponse ServiceUnavailable = new("ServiceUnavailable", 503,
        "The service cannot answer now (its database does not answer or is not migrated); retry later.",
        RetryAfter: "Seconds to wait before asking again.");

    /// <summary>
    /// The shared response for a problem status an endpoint declares (its <c>Results</c> union, <c>.ProducesProblem</c>) without saying
    /// more (a 413 depends on the endpoint's body limit: <see cref="PayloadTooLarge"/>); a status with no shared response fails the
    /// build here, so that one is written rather than a bare reason phrase.
    /// </summary>
    public static ProblemResponse ForStatus(int status) => status switch
    {
        400 => BadRequest,
        401 => Unauthorized,
        404 => NotFound,
        406 => NotAcceptable,
        409 => Conflict,
        412 => PreconditionFailed,
        415 => UnsupportedMediaType,
        422 => UnprocessableEntity,
        429 => TooManyRequests,
        500 => InternalServerError,
        503 => ServiceUnavailable,
        _ => throw new InvalidOperationException(
            $"No shared problem response for status {status} ({ReasonPhrases.GetReasonPhrase(status)}): add one to ProblemResponses, " +
            "or declare the endpoint's own with WithProblemResponse."),
    };

    private static readonly Lock ComponentsLock = new();

    /// <summary>Sets the operation's response for <paramref name="problem"/>'s status to a reference to it, publishing it once.</summary>
    public static void Use(OpenApiOperation operation, OpenApiDocument document, ProblemResponse problem)
    {
        lock (ComponentsLock)
        {
            document.Components ??= new OpenApiComponents();
            document.Components.Responses ??= new Dictionary<string, IOpenApiResponse>();
            if (!document.Components.Responses.ContainsKey(problem.Id))
                document.Components.Responses[problem.Id] = Build(problem, document);
        }
        operation.Responses ??= new OpenApiResponses();
        operation.Responses[problem.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)] =
            new OpenApiResponseReference(problem.Id, document);
    }

    private static OpenApiResponse Build(ProblemResponse problem, OpenApiDocument document)
    {
        var media = new OpenApiMediaType
        {
            Schema = new OpenApiSchemaReference(problem.Validation ? OpenApiSetup.ValidationProblemSchema : OpenApiSetup.ProblemSchema, document),
        };
        if (problem.Examples.Count > 0)
            media.Examples = problem.Examples.ToDictionary(e => e.Name, e => (IOpenApiExample)new OpenApiExample
            {
                Summary = e.Title,
                Value = Body(problem.Status, e),
            });
        var response = new OpenApiResponse
        {
            Description = problem.Description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = media },
        };
        if (problem.RetryAfter is { } retryAfter)
            response.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader { Description = retryAfter, Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
            };
        if (problem.Status == StatusCodes.Status429TooManyRequests)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            SharedHeaders.Add(response.Headers, document, Security.RateLimitHeaders.PolicyHeader);
            SharedHeaders.Add(response.Headers, document, Security.RateLimitHeaders.StateHeader);
        }
        return response;
    }

    private static JsonObject Body(int status, ProblemExample example)
    {
        var body = new JsonObject { ["type"] = TypeOf(status), ["title"] = example.Title, ["status"] = status };
        if (example.Detail is not null) body["detail"] = example.Detail;
        body["traceId"] = TraceId;
        return body;
    }

    /// <summary>The <c>type</c> AddProblemDetails gives a problem of this status: the RFC section that defines it.</summary>
    public static string TypeOf(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        406 => "https://tools.ietf.org/html/rfc9110#section-15.5.7",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        412 => "https://tools.ietf.org/html/rfc9110#section-15.5.13",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        422 => "https://tools.ietf.org/html/rfc9110#section-15.5.21",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        507 => "https://tools.ietf.org/html/rfc4918#section-11.5",
        _ => "about:blank",
    };
}
