using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure.OpenApi;

/// <summary>Makes the schemas say what the serializer really writes.</summary>
internal static class SchemaConventions
{
    public static Task Apply(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        DescribeTimestamps(schema, context.JsonTypeInfo.Type);
        DescribeProblemExtensions(schema, context.JsonTypeInfo.Type);
        OptionalWhenOmitted(schema, context);
        TypeStringEnums(schema);
        return Task.CompletedTask;
    }

    /// <summary>Our timestamp converter hides the type from the schema exporter; restore it.</summary>
    private static void DescribeTimestamps(OpenApiSchema schema, Type type)
    {
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
    }

    /// <summary>Every problem carries the request's traceId (AddProblemDetails customisation in ApiSetup).</summary>
    private static void DescribeProblemExtensions(OpenApiSchema schema, Type type)
    {
        if (!typeof(ProblemDetails).IsAssignableFrom(type) && !typeof(HttpValidationProblemDetails).IsAssignableFrom(type)) return;
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties.TryAdd("traceId", new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "Identifies the request in the service's logs; quote it when reporting a problem.",
        });
    }

    /// <summary>
    /// Enums are written as strings (JsonStringEnumConverter), but the exporter emits a bare
    /// <c>enum</c>; without <c>type: string</c> client generators (NSwag) read them as integers.
    /// </summary>
    private static void TypeStringEnums(OpenApiSchema schema)
    {
        if (schema.Enum is not { Count: > 0 } values || schema.Type is not null) return;
        if (!values.All(v => v is null || v.GetValueKind() is System.Text.Json.JsonValueKind.String or System.Text.Json.JsonValueKind.Null)) return;
        schema.Type = values.Any(v => v is null || v.GetValueKind() == System.Text.Json.JsonValueKind.Null)
            ? JsonSchemaType.String | JsonSchemaType.Null
            : JsonSchemaType.String;
    }

    /// <summary>A property the serializer leaves out when null (e.g. <c>nextCursor</c> on the last page) is not required.</summary>
    private static void OptionalWhenOmitted(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        if (schema.Required is not { Count: > 0 } required) return;
        foreach (var property in context.JsonTypeInfo.Properties)
        {
            var ignore = property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: true)
                .OfType<JsonIgnoreAttribute>().FirstOrDefault();
            if (ignore?.Condition is JsonIgnoreCondition.WhenWritingNull or JsonIgnoreCondition.WhenWritingDefault)
                required.Remove(property.Name);
        }
    }
}
