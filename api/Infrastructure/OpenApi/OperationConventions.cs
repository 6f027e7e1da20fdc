using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Csp.Api.Infrastructure.Security;
using Csp.Api.Partnerships;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure.OpenApi;

/// <summary>
/// Generic rules applied to every operation, so a new feature's endpoints are documented the same
/// way without repeating <c>.ProducesProblem</c> for what the pipeline itself can answer.
/// </summary>
internal static partial class OperationConventions
{
    public static Task Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var method = context.Description.HttpMethod?.ToUpperInvariant() ?? "GET";
        operation.Parameters ??= [];
        operation.Responses ??= new OpenApiResponses();
        DeclareRouteParameters(operation, context.Description.RelativePath);
        PlainOptionalBody(operation);
        BodyMediaTypes.Apply(operation, context);
        DeclareIdempotency(operation, context, method);
        DescribeParameters(operation);
        DeclarePipelineProblems(operation, context);
        DeclareConditionalRequests(operation, context, method);
        DeclareKeyedResponseHeaders(operation, context);
        ShareProblems(operation, context);
        DescribeResponses(operation);
        InStatusOrder(operation.Responses);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Route values consumed by middleware (the tenant slug) are not handler parameters, so the
    /// generator leaves them out; a path template must declare every parameter it names.
    /// </summary>
    private static void DeclareRouteParameters(OpenApiOperation operation, string? relativePath)
    {
        if (relativePath is null) return;
        var position = 0;
        foreach (Match m in RouteParameter().Matches(relativePath))
        {
            var name = m.Groups["name"].Value;
            if (operation.Parameters!.Any(p => p.In == ParameterLocation.Path && string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
                continue;
            operation.Parameters!.Insert(position++, name == "partnership"
                ? new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Path,
                    Required = true,
                    Description = "The partnership's slug (its tenant id in every path), e.g. `southwark`.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = PartnershipRequestValidator.SlugPattern },
                    Example = JsonValue.Create("southwark"),
                }
                : new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Path,
                    Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
        }
    }

    /// <summary>
    /// A body the operation may go without (a nullable handler parameter) is generated as <c>oneOf: [null, X]</c>; its absence is
    /// already what <c>requestBody.required: false</c> says, and a JSON <c>null</c> body is not something to invite, so the schema
    /// is X itself.
    /// </summary>
    private static void PlainOptionalBody(OpenApiOperation operation)
    {
        if (operation.RequestBody is not OpenApiRequestBody { Required: false, Content: { } content }) return;
        foreach (var media in content.Values)
            if (media.Schema is OpenApiSchema { OneOf: { Count: 2 } oneOf } && oneOf.Count(s => s.Type == JsonSchemaType.Null) == 1)
                media.Schema = oneOf.Single(s => s.Type != JsonSchemaType.Null);
    }

    /// <summary>Every POST under /v1 takes an Idempotency-Key (IdempotencyFilter.ForPosts): the header, the 409 and 422 it can
    /// answer, and the headers a replay carries.</summary>
    private static void DeclareIdempotency(OpenApiOperation operation, OpenApiOperationTransformerContext context, string method)
    {
        if (method != "POST" || context.Description.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) != true) return;
        if (!operation.Parameters!.Any(p => p.In == ParameterLocation.Header && p.Name == Idempotency.IdempotencyFilter.HeaderName))
            operation.Parameters!.Add(new OpenApiParameter
            {
                Name = Idempotency.IdempotencyFilter.HeaderName,
                In = ParameterLocation.Header,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = Idempotency.IdempotencyFilter.MaxKeyLength },
            });
        OpenApiSetup.AddProblem(operation, context, ProblemResponses.Conflict);
        OpenApiSetup.AddProblem(operation, context, ProblemResponses.UnprocessableEntity);
        foreach (var (status, response) in operation.Responses!)
        {
            if (!status.StartsWith('2') || response is not OpenApiResponse r) continue;
            r.Headers ??= new Dictionary<string, IOpenApiHeader>();
            r.Headers.TryAdd(Idempotency.IdempotencyFilter.ReplayedHeader, new OpenApiHeader
            {
                Description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key (status, body, " +
                              "Location and ETag as first sent).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
            r.Headers.TryAdd(Idempotency.IdempotencyFilter.SummaryHeader, new OpenApiHeader
            {
                Description = "On a replay of an answer that was over 64 KB: `sha256=<digest>, bytes=<size>` of that answer. Only its summary " +
                              "is kept and replayed: its own values (status, counts) with every list empty.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }
    }

    /// <summary>Query names in camelCase (binding is case-insensitive) and a description for the conventional ones.</summary>
    private static void DescribeParameters(OpenApiOperation operation)
    {
        foreach (var parameter in operation.Parameters!.OfType<OpenApiParameter>())
        {
            if (parameter.In == ParameterLocation.Query && parameter.Name is { Length: > 0 } name && char.IsUpper(name[0]))
                parameter.Name = char.ToLowerInvariant(name[0]) + name[1..];
            if (!string.IsNullOrEmpty(parameter.Description) || parameter.Name is not { } n) continue;
            parameter.Description = (parameter.In, n) switch
            {
                (ParameterLocation.Path, _) when n.Length > 2 && n.EndsWith("Id", StringComparison.Ordinal) =>
                    $"The {Words(n[..^2])}'s id (a UUID), as returned when it was created.",
                (ParameterLocation.Path, "period") =>
                    "A period: month `2024-06`, quarter `2024-Q2`, year `2024` or UK financial year `2024-25` (DHIS2 forms `202406`, `2024Q2`, `2024April` accepted).",
                (ParameterLocation.Path, "areaCode") => "The area's ONS GSS code, e.g. `E05011095`.",
                (ParameterLocation.Query, "status") => "Only the items in this status.",
                (ParameterLocation.Query, "area") => "An ONS GSS area code (e.g. `E09000028`); defaults to the partnership's area.",
                (ParameterLocation.Query, "limit") => "Page size, 1–200 (default 50).",
                (ParameterLocation.Query, "cursor") => "The nextCursor of the previous page.",
                (ParameterLocation.Header, "Idempotency-Key") =>
                    "A key of your choosing, kept 24 h per client: a retry with the same key and body replays the first response; " +
                    "the same key with another body is 422; while the first request still runs, 409.",
                // Anything else must be described where it is declared ([Description]); spectral reports it.
                _ => parameter.Description,
            };
        }
    }

    /// <summary>What the pipeline answers whatever the handler declares.</summary>
    private static void DeclarePipelineProblems(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        // Every /v1 operation refuses a query parameter it does not take (QueryParameterCheck), so each can answer 400.
        var bindsInput = operation.RequestBody is not null
                         || operation.Parameters!.Any(p => p.In is ParameterLocation.Query or ParameterLocation.Header)
                         || context.Description.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true;
        if (bindsInput) OpenApiSetup.AddProblem(operation, context, ProblemResponses.BadRequest);
        if (operation.RequestBody is not null)
        {
            OpenApiSetup.AddProblem(operation, context, PayloadTooLarge(context));
            OpenApiSetup.AddProblem(operation, context, ProblemResponses.UnsupportedMediaType);
        }
        // The rate limiter (Security/RateLimitingSetup) guards everything under /v1.
        if (context.Description.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true)
            OpenApiSetup.AddProblem(operation, context, ProblemResponses.TooManyRequests);
        // A write waits for its turn (SQLite: one writer at a time; SQL Server: per partnership) and answers 503 when it
        // waited too long; any call answers 503 when its storage fails (read-only, deleted or replaced), and a write 507 when
        // the disk is full (ProblemExceptionHandler).
        if (context.Description.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true)
        {
            var write = context.Description.HttpMethod is not ("GET" or "HEAD");
            OpenApiSetup.AddProblem(operation, context, write ? ProblemResponses.WriteUnavailable : ProblemResponses.ReadUnavailable);
            if (write) OpenApiSetup.AddProblem(operation, context, ProblemResponses.InsufficientStorage);
        }
        OpenApiSetup.AddProblem(operation, context, ProblemResponses.InternalServerError);
    }

    /// <summary>
    /// Every problem response becomes a reference to a shared one: the endpoint's own for that status
    /// (<see cref="ContractEndpointExtensions.WithProblemResponse"/>) or the shared one for the status (what a
    /// <c>.ProducesProblem</c> or a <c>Results</c> union declared).
    /// </summary>
    private static void ShareProblems(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var own = context.Description.ActionDescriptor.EndpointMetadata.OfType<ProblemResponse>().ToDictionary(p => p.Status);
        foreach (var (status, response) in operation.Responses!.ToList())
        {
            if (!int.TryParse(status, out var code) || code < 400) continue;
            var problem = own.GetValueOrDefault(code)
                          ?? (response is OpenApiResponseReference ? null : code == 413 ? PayloadTooLarge(context) : ProblemResponses.ForStatus(code));
            if (problem is not null) ProblemResponses.Use(operation, context.Document!, problem);
        }
    }

    /// <summary>The operation's body limit, as RequestLimitsMiddleware applies it: the endpoint's own, else the configured default.</summary>
    private static ProblemResponse PayloadTooLarge(OpenApiOperationTransformerContext context)
    {
        var fallback = context.ApplicationServices.GetRequiredService<IOptions<RequestLimitOptions>>().Value.MaxBodyBytes;
        var own = context.Description.ActionDescriptor.EndpointMetadata.OfType<IRequestSizeLimitMetadata>().LastOrDefault()?.MaxRequestBodySize;
        return ProblemResponses.PayloadTooLarge(own ?? fallback, isDefault: own is null || own == fallback);
    }

    /// <summary>
    /// GETs whose handler can answer a bare status (<see cref="Respond.WithETag{T}"/> → 304) take
    /// If-None-Match; writes that can answer 412 take If-Match. Both return the ETag.
    /// </summary>
    private static void DeclareConditionalRequests(OpenApiOperation operation, OpenApiOperationTransformerContext context, string method)
    {
        var handler = context.Description.ActionDescriptor.EndpointMetadata.OfType<MethodInfo>().FirstOrDefault();
        if (method == "GET" && handler is not null && ResultTypes(handler.ReturnType).Contains(typeof(StatusCodeHttpResult)))
        {
            operation.Responses!.TryAdd("304", new OpenApiResponse
            {
                Description = "Not Modified: the If-None-Match ETag is still current. No body.",
            });
            AddHeaderParameter(operation, "If-None-Match", "The ETag you hold; the answer is 304 Not Modified while it is still current.");
            AddETagHeader(operation, "200");
        }
        if (operation.Responses!.ContainsKey("412"))
        {
            AddHeaderParameter(operation, "If-Match",
                "The ETag you read. The write is refused with 412 when the resource has changed since; without it the write is unconditional.");
            AddETagHeader(operation, "200");
        }
    }

    /// <summary>What every answer under /v1 says besides its body (CacheControlDefaults, RateLimitHeaders); a problem response
    /// (shared) documents what it adds itself.</summary>
    private static void DeclareKeyedResponseHeaders(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        if (context.Description.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) != true) return;
        foreach (var (status, response) in operation.Responses!)
        {
            if (status[0] is not ('2' or '3') || response is not OpenApiResponse r) continue;
            r.Headers ??= new Dictionary<string, IOpenApiHeader>();
            SharedHeaders.Add(r.Headers, context.Document!, SharedHeaders.CacheControl);
            SharedHeaders.Add(r.Headers, context.Document!, RateLimitHeaders.PolicyHeader);
            SharedHeaders.Add(r.Headers, context.Document!, RateLimitHeaders.StateHeader);
        }
    }

    /// <summary>Responses listed by status, as a reader looks them up.</summary>
    private static void InStatusOrder(OpenApiResponses responses)
    {
        var ordered = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        responses.Clear();
        foreach (var (status, response) in ordered) responses[status] = response;
    }

    /// <summary>A response without a description gets the reason phrase (problems are described where they are shared).</summary>
    private static void DescribeResponses(OpenApiOperation operation)
    {
        foreach (var (status, response) in operation.Responses!)
            if (response is OpenApiResponse r && string.IsNullOrEmpty(r.Description) && int.TryParse(status, out var code))
                r.Description = ReasonPhrases.GetReasonPhrase(code);
    }

    private static void AddHeaderParameter(OpenApiOperation operation, string name, string description)
    {
        if (operation.Parameters!.Any(p => p.In == ParameterLocation.Header && string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
            return;
        operation.Parameters!.Add(new OpenApiParameter
        {
            Name = name,
            In = ParameterLocation.Header,
            Required = false,
            Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
    }

    private static void AddETagHeader(OpenApiOperation operation, string status)
    {
        if (!operation.Responses!.TryGetValue(status, out var response) || response is not OpenApiResponse r) return;
        r.Headers ??= new Dictionary<string, IOpenApiHeader>();
        r.Headers.TryAdd("ETag", new OpenApiHeader
        {
            Description = "The resource's current version: send it back in If-None-Match or If-Match.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
    }

    /// <summary>The result types a handler can return: <c>Task&lt;Results&lt;A, B&gt;&gt;</c> → A, B.</summary>
    private static Type[] ResultTypes(Type type)
    {
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
            type = type.GetGenericArguments()[0];
        return type.IsGenericType && type.Namespace == typeof(StatusCodeHttpResult).Namespace ? type.GetGenericArguments() : [type];
    }

    private static string Words(string camel) => CamelBoundary().Replace(camel, " $1").ToLowerInvariant();

    [GeneratedRegex(@"\{(?<name>[^}:?=*]+)")]
    private static partial Regex RouteParameter();

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex CamelBoundary();
}
