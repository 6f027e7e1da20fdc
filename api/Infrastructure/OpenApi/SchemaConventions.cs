using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure.OpenApi;

/// <summary>Makes the schemas say what the serializer really writes and what the API really refuses.</summary>
internal static partial class SchemaConventions
{
    public static Task Apply(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonTypeInfo.Type;
        DescribeTimestamps(schema, type);
        DescribeDecimals(schema, type);
        DescribeProblems(schema, type);
        DescribeBookkeeping(schema, context);
        OptionalWhenOmitted(schema, context);
        WithheldFromPublic(schema, context);
        if (context.ParameterDescription?.Source == BindingSource.Body) RequiredAsValidated(schema, context);
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

    /// <summary>
    /// The exporter calls a <c>decimal</c> a <c>double</c>, so generated clients would round values (0.1 + 0.2); values are
    /// exact decimals (at most 6 places), written as JSON numbers. <c>format: decimal</c> is what NSwag (and Kiota) map to
    /// <c>decimal</c>.
    /// </summary>
    private static void DescribeDecimals(OpenApiSchema schema, Type type)
    {
        if ((Nullable.GetUnderlyingType(type) ?? type) != typeof(decimal)) return;
        schema.Type = type == typeof(decimal) ? JsonSchemaType.Number : JsonSchemaType.Number | JsonSchemaType.Null;
        schema.Format = "decimal";
        schema.Pattern = null;
    }

    /// <summary>
    /// RFC 9457 fields (the framework's types carry no XML documentation here), and the request's traceId every problem
    /// carries (AddProblemDetails customisation in ApiSetup).
    /// </summary>
    private static void DescribeProblems(OpenApiSchema schema, Type type)
    {
        if (!typeof(ProblemDetails).IsAssignableFrom(type) && !typeof(HttpValidationProblemDetails).IsAssignableFrom(type)) return;
        schema.Description ??= typeof(HttpValidationProblemDetails).IsAssignableFrom(type)
            ? "An RFC 9457 problem that names the fields at fault in `errors`."
            : "An RFC 9457 problem: what went wrong, for programs (`status`, `title`) and for people (`detail`).";
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties.TryAdd("traceId", new OpenApiSchema { Type = JsonSchemaType.String });
        foreach (var (name, property) in schema.Properties)
            if (property is OpenApiSchema p && string.IsNullOrEmpty(p.Description) && ProblemFields.TryGetValue(name, out var text))
                p.Description = text;
    }

    private static readonly Dictionary<string, string> ProblemFields = new(StringComparer.Ordinal)
    {
        ["type"] = "A URI naming the kind of problem; here the RFC 9110 section of the status (e.g. `https://tools.ietf.org/html/rfc9110#section-15.5.5`).",
        ["title"] = "A short summary of the kind of problem, the same for every occurrence (e.g. `Not found`, `Insufficient scope`).",
        ["status"] = "The HTTP status code, repeated in the body.",
        ["detail"] = "What went wrong with this request, for people.",
        ["instance"] = "A URI for this occurrence of the problem; not sent by this API.",
        ["errors"] = "The fields at fault (JSON names, e.g. `periodEnd`, `baseline.value`), each with what is wrong with it.",
        ["traceId"] = "Identifies the request in the service's logs; quote it when reporting a problem.",
    };

    /// <summary>
    /// The XML comments as a reader of the contract should see them. A nullable property of a component type comes out as
    /// <c>oneOf: [{type: null}, {$ref, description}]</c>, its comment on the <c>$ref</c> branch where readers (and the spectral rule)
    /// do not look for it: moved up to the property itself. A comment's line breaks are where the source wrapped it: joined.
    /// </summary>
    public static Task TidyDescriptions(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        foreach (var component in document.Components?.Schemas?.Values.OfType<OpenApiSchema>() ?? [])
        {
            component.Description = Unwrap(component.Description);
            foreach (var property in component.Properties?.Values ?? [])
            {
                switch (property)
                {
                    case OpenApiSchemaReference reference:
                        reference.Reference.Description = Unwrap(reference.Reference.Description);
                        break;
                    case OpenApiSchema { OneOf: { Count: > 0 } branches } nullable when string.IsNullOrEmpty(nullable.Description)
                        && branches.OfType<OpenApiSchemaReference>().FirstOrDefault(b => !string.IsNullOrEmpty(b.Reference.Description)) is { } described:
                        nullable.Description = Unwrap(described.Reference.Description);
                        described.Reference.Description = null;
                        break;
                    case OpenApiSchema inline:
                        inline.Description = Unwrap(inline.Description);
                        break;
                }
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Members marked <see cref="DeprecatedInContractAttribute"/> are <c>deprecated: true</c> in their component schema.</summary>
    public static Task MarkDeprecated(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        var schemas = document.Components?.Schemas;
        if (schemas is null) return Task.CompletedTask;
        foreach (var type in typeof(SchemaConventions).Assembly.GetExportedTypes())
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (!property.IsDefined(typeof(DeprecatedInContractAttribute), inherit: true)) continue;
                var name = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(property.Name);
                if (schemas.TryGetValue(type.Name, out var schema) && schema is OpenApiSchema { Properties: { } properties }
                    && properties.TryGetValue(name, out var schemaOfMember) && schemaOfMember is OpenApiSchema member)
                    member.Deprecated = true;
            }
        return Task.CompletedTask;
    }

    private static string? Unwrap(string? text) => text is null ? null : WrappedLine().Replace(text, " ");

    /// <summary>A line break inside a paragraph, with the indentation around it (a blank line between paragraphs stays).</summary>
    [GeneratedRegex(@"(?<!\n[ \t]*)[ \t]*\n(?![ \t]*\n)[ \t]*")]
    private static partial Regex WrappedLine();

    /// <summary>The fields every resource carries mean the same everywhere; a record's own XML comment says more where it needs to.</summary>
    private static void DescribeBookkeeping(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        if (string.IsNullOrEmpty(schema.Description) && context.JsonPropertyInfo?.Name is { } name && BookkeepingFields.TryGetValue(name, out var text))
            schema.Description = text;
    }

    private static readonly Dictionary<string, string> BookkeepingFields = new(StringComparer.Ordinal)
    {
        ["id"] = "Its id (a UUID), assigned by the service when it was created.",
        ["version"] = "Increases with every change; backs the ETag (send it in If-Match to update only the version you read).",
        ["createdAt"] = "When it was created (UTC).",
        ["updatedAt"] = "When it last changed (UTC).",
    };

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

    /// <summary>A member the public projection leaves out (<see cref="WithheldFromPublicAttribute"/>) is not required, and says when it is absent.</summary>
    private static void WithheldFromPublic(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        // An enum's schema is its shared component: the owning type's list of required members says it instead.
        if (context.JsonPropertyInfo is { } member && !(Nullable.GetUnderlyingType(member.PropertyType) ?? member.PropertyType).IsEnum
            && member.AttributeProvider?.IsDefined(typeof(WithheldFromPublicAttribute), inherit: true) == true
            && !(schema.Description ?? "").Contains(PublicProjection.ContractNote, StringComparison.Ordinal))
            schema.Description = string.IsNullOrEmpty(schema.Description) ? PublicProjection.ContractNote : $"{schema.Description} {PublicProjection.ContractNote}";
        if (schema.Required is not { Count: > 0 } required || context.JsonTypeInfo.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in context.JsonTypeInfo.Properties)
            if (property.AttributeProvider?.IsDefined(typeof(WithheldFromPublicAttribute), inherit: true) == true)
                required.Remove(property.Name);
    }

    /// <summary>
    /// The exporter marks every constructor parameter required, but in a request body a member is required only when the API
    /// refuses a body without it: the type's validator has an unconditional <c>NotNull()</c> or <c>NotEmpty()</c> rule for it, or
    /// (for a rule the validator expresses in code, such as a nested object's fields) the member is marked
    /// <see cref="RequiredInRequestAttribute"/>. A type without a validator (a batch's rows, whose faults are reported per row)
    /// requires nothing. tests/…/Contract/RequiredFieldTests holds each request type to this.
    /// </summary>
    private static void RequiredAsValidated(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        if (context.JsonTypeInfo.Kind != JsonTypeInfoKind.Object) return;
        var type = context.JsonTypeInfo.Type;
        var validator = context.ApplicationServices.GetService(typeof(IValidator<>).MakeGenericType(type)) as IValidator;
        var refused = validator is null ? [] : RefusedWhenMissing(validator.CreateDescriptor());
        var required = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in context.JsonTypeInfo.Properties)
        {
            var member = (property.AttributeProvider as MemberInfo)?.Name ?? property.Name;
            var marked = property.AttributeProvider?.IsDefined(typeof(RequiredInRequestAttribute), inherit: true) == true;
            if (marked || refused.Contains(member)) required.Add(property.Name);
        }
        schema.Required = required;
    }

    private static HashSet<string> RefusedWhenMissing(IValidatorDescriptor descriptor) =>
        descriptor.GetMembersWithValidators()
            .Where(member => descriptor.GetRulesForMember(member.Key).Any(rule => !rule.HasCondition && !rule.HasAsyncCondition
                && rule.Components.Any(c => !c.HasCondition && !c.HasAsyncCondition && c.Validator is INotNullValidator or INotEmptyValidator)))
            .Select(member => member.Key)
            // Keys are the names the validator reports (ApiSetup makes them camelCase): match them to members by name.
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// A member kept for partners who already use it, marked <c>deprecated</c> in the contract (its description says what replaces it).
/// Not <see cref="ObsoleteAttribute"/>: the service itself still reads and writes it.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DeprecatedInContractAttribute : Attribute;

/// <summary>
/// A request member the API refuses a body without, where the validator says so in code rather than with a plain
/// <c>NotNull()</c>/<c>NotEmpty()</c> rule (e.g. the fields of a nested object). It only documents: the validator enforces.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class RequiredInRequestAttribute : Attribute;
