using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure.OpenApi;

/// <summary>
/// The contract partners integrate against without talking to us. The XML comments on the records
/// describe the schemas; the transformers make what the endpoints declare complete (path parameters
/// bound by middleware, the problem statuses every operation can answer, shared once under
/// <c>components/responses</c>, conditional requests, the endpoints' hand-written examples) so that
/// `spectral lint` passes on the generated file and the test suite can validate every response against it.
/// </summary>
public static class OpenApiSetup
{
    public const string SecuritySchemeId = "ApiKey";
    public const string ProblemSchema = "ProblemDetails";
    public const string ValidationProblemSchema = "HttpValidationProblemDetails";

    /// <summary>What a public read's description says (its security is then <c>[{ApiKey: []}, {}]</c>).</summary>
    public const string PublicReadSentence =
        "Public read: anonymous access (no `X-Api-Key`) is allowed when the partnership enables public read; otherwise a key is needed.";

    public static IServiceCollection AddCspOpenApi(this IServiceCollection services) =>
        services.AddSingleton<ServedContract>().AddOpenApi(ContractEndpoints.DocumentName, options =>
        {
            options.AddDocumentTransformer(DescribeDocument);
            options.AddOperationTransformer(DescribeAuth);
            options.AddOperationTransformer(OperationConventions.Apply);
            options.AddOperationTransformer(ExampleConventions.Apply);
            options.AddSchemaTransformer(SchemaConventions.Apply);
            options.AddDocumentTransformer(SchemaConventions.TidyDescriptions);
            options.AddDocumentTransformer(SchemaConventions.MarkDeprecated);
            options.AddDocumentTransformer(SortSharedResponses);
        });

    /// <summary>What a partner developer reads first; known tags get a line each.</summary>
    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Service"] = "Where to start: the service root links to this contract and to Swagger UI. No key needed.",
        ["Health"] = "Liveness and readiness probes for load balancers and orchestrators. No key needed.",
        ["Partnerships"] = "Partnerships are the tenants. The operator's platform key creates them; each partnership's admin manages its own.",
        ["Agencies"] = "The partner agencies of a partnership (council, police, fire, probation, health, voluntary sector).",
        ["Areas"] = "The areas a partnership reports on (its own, wards, LSOAs) by ONS GSS code, with their validity dates.",
        ["Clients"] = "API clients (partner systems) and their keys. A key is shown once, when the client is created.",
        ["Plans"] = "Partnership plans: draft → approved → archived. `GET /plans/{planId}` returns the whole plan in one document.",
        ["Priorities"] = "The priorities of a plan, in order.",
        ["Commitments"] = "Commitments (actions) under a priority, with their append-only progress updates.",
        ["Indicators"] = "Indicators (KPIs) of the partnership, their observations and computed performance.",
        ["Observations"] = "The batch push of indicator values by partner agencies' systems (modelled on DHIS2 dataValueSets).",
        ["Frameworks"] = "External strategies the plan aligns to, their outcomes, alignments and coverage.",
        ["Changes"] = "The change feed portals use to sync nightly.",
    };

    private static async Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Csp.Api",
            Version = "v1",
            Description = "Community Safety Partnership action plans: plans, priorities, commitments and their progress, " +
                          "for partner agencies' systems and council portals. Authenticate with an `X-Api-Key` header. " +
                          "Errors are RFC 9457 `application/problem+json`.",
            Contact = new OpenApiContact { Name = "Csp.Api maintainers" },
        };
        // One relative server: each deployment serves its own contract, so clients and Swagger UI
        // resolve it against wherever they fetched the document. The committed file stays host-neutral.
        document.Servers = [new OpenApiServer { Url = "/", Description = "The host that serves this document." }];

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SecuritySchemeId] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeys.HeaderName,
            Description = "A client key (`csp_…`) in the `X-Api-Key` header. A partnership's admin issues one to each partner system with " +
                          "`POST /v1/partnerships/{partnership}/clients`, choosing its scopes; the key is in that answer's `key`, shown " +
                          "once. The operator's platform key creates partnerships and acts as admin of any. To try the API on a local " +
                          "copy running the Southwark demo, use one of the demo keys listed in the README.",
        };

        // The operation transformers refer to these; make sure they exist even if no endpoint named them.
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(ProblemSchema))
            document.Components.Schemas[ProblemSchema] = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, ct);
        if (!document.Components.Schemas.ContainsKey(ValidationProblemSchema))
            document.Components.Schemas[ValidationProblemSchema] = await context.GetOrCreateSchemaAsync(typeof(HttpValidationProblemDetails), null, ct);

        if (document.Tags is not null)
            foreach (var tag in document.Tags)
                if (string.IsNullOrEmpty(tag.Description) && tag.Name is { } name && TagDescriptions.TryGetValue(name, out var text))
                    tag.Description = text;
    }

    /// <summary>The shared problem responses by name (they are published in the order operations first use them).</summary>
    private static Task SortSharedResponses(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        if (document.Components?.Responses is { Count: > 0 } responses)
            document.Components.Responses = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToDictionary();
        return Task.CompletedTask;
    }

    /// <summary>Every keyed operation declares the scheme and the 401/403/404 the tenant middleware can answer.</summary>
    private static Task DescribeAuth(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var scope = metadata.OfType<RequiredScope>().FirstOrDefault();
        if (scope is null) return Task.CompletedTask;

        // Public reads (TenantMiddleware lets them through without a key when the partnership has
        // publicRead on): the key OR nothing — an empty requirement is OpenAPI's "anonymous allowed".
        var publicRead = metadata.OfType<PublicReadAllowed>().Any();
        operation.Security ??= [];
        if (!operation.Security.Any(r => r.Count > 0 && r.Keys.Any(k => k.Reference?.Id == SecuritySchemeId)))
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeId, context.Document)] = [] });
        if (publicRead && !operation.Security.Any(r => r.Count == 0))
            operation.Security.Add(new OpenApiSecurityRequirement());

        AddProblem(operation, context, publicRead ? ProblemResponses.UnauthorizedPublicRead : ProblemResponses.Unauthorized);
        AddProblem(operation, context, ProblemResponses.Forbidden(scope.Scope));
        if (context.Description.RelativePath?.Contains("{partnership}", StringComparison.Ordinal) == true)
            AddProblem(operation, context, ProblemResponses.NotFound);
        operation.Description = $"{operation.Description} Scope: `{scope.Scope}`.".Trim();
        if (publicRead && !operation.Description.Contains(PublicReadSentence, StringComparison.Ordinal))
            operation.Description = $"{operation.Description} {PublicReadSentence}";
        return Task.CompletedTask;
    }

    /// <summary>
    /// Documents <paramref name="problem"/>, or the endpoint's own response for its status
    /// (<see cref="ContractEndpointExtensions.WithProblemResponse"/>), unless the operation already declares the status.
    /// </summary>
    internal static void AddProblem(OpenApiOperation operation, OpenApiOperationTransformerContext context, ProblemResponse problem)
    {
        operation.Responses ??= new OpenApiResponses();
        if (operation.Responses.ContainsKey(problem.Status.ToString(System.Globalization.CultureInfo.InvariantCulture))) return;
        var own = context.Description.ActionDescriptor.EndpointMetadata.OfType<ProblemResponse>().FirstOrDefault(p => p.Status == problem.Status);
        ProblemResponses.Use(operation, context.Document!, own ?? problem);
    }
}
