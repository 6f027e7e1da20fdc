using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure.OpenApi;

public static class OpenApiSetup
{
    public const string SecuritySchemeId = "ApiKey";

    public static IServiceCollection AddCspOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer(DescribeDocument);
            options.AddOperationTransformer(DescribeAuth);
            options.AddSchemaTransformer(DescribeTimestamps);
        });

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Csp.Api",
            Version = "v1",
            Description = "Community Safety Partnership action plans: plans, priorities, commitments and their progress, " +
                          "for partner agencies' systems and council portals. Authenticate with an `X-Api-Key` header. " +
                          "Errors are RFC 9457 `application/problem+json`.",
        };
        // The generator adds the requesting host at run time; the committed contract is host-neutral.
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SecuritySchemeId] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeys.HeaderName,
            Description = "A client key (`csp_…`), shown once when an admin creates the client, or the operator's platform key.",
        };
        return Task.CompletedTask;
    }

    /// <summary>Our timestamp converter hides the type from the schema exporter; restore it.</summary>
    private static Task DescribeTimestamps(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonTypeInfo.Type;
        if (Nullable.GetUnderlyingType(type) is { } inner && inner == typeof(DateTimeOffset))
        {
            schema.Type = JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = "date-time";
        }
        else if (type == typeof(DateTimeOffset))
        {
            schema.Type = JsonSchemaType.String;
            schema.Format = "date-time";
        }
        return Task.CompletedTask;
    }

    /// <summary>Every keyed operation declares the scheme and the 401/403/404 the tenant middleware can answer.</summary>
    private static Task DescribeAuth(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var scope = metadata.OfType<RequiredScope>().FirstOrDefault();
        if (scope is null) return Task.CompletedTask;

        var publicRead = metadata.OfType<PublicReadAllowed>().Any();
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeId, context.Document)] = [] });
        if (publicRead) operation.Security.Add(new OpenApiSecurityRequirement());

        operation.Responses ??= new OpenApiResponses();
        AddProblem(operation, context, "401", "The API key is missing, unknown or revoked.");
        AddProblem(operation, context, "403", $"The key lacks the '{scope.Scope}' scope.");
        if (context.Description.RelativePath?.Contains("{partnership}", StringComparison.Ordinal) == true)
            AddProblem(operation, context, "404", "No such partnership or resource, or it belongs to another partnership.");
        operation.Description = $"{operation.Description} Scope: `{scope.Scope}`.".Trim();
        return Task.CompletedTask;
    }

    internal static void AddProblem(OpenApiOperation operation, OpenApiOperationTransformerContext context, string status, string description)
    {
        if (operation.Responses!.TryGetValue(status, out var existing))
        {
            if (existing is OpenApiResponse r && string.IsNullOrEmpty(r.Description)) r.Description = description;
            return;
        }
        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) },
            },
        };
    }
}
