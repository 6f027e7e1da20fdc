using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure.OpenApi;

/// <summary>
/// Request and response examples for every operation, so a partner sees a realistic body in the
/// contract and in Swagger UI's "Try it out" (which pre-fills the first example).
/// <para>
/// Examples are realised from the operation's own schema, never copied blindly: a hint (by
/// operationId, else by the component schema's name) supplies Southwark values, and the walk keeps
/// only what the schema allows, fills in what it requires and derives the rest from types and
/// formats. So an operation added tomorrow gets an example, and a field added to a record does not
/// make a hand-written example invalid. tests/…/Contract/ExampleTests validates every example.
/// </para>
/// Problem responses share one example per status under <c>components/examples</c>.
/// </summary>
internal static partial class ExampleConventions
{
    private const string ExampleName = "southwark";

    /// <summary>
    /// Registers the operation transformer, and a document pass after every operation transformer
    /// (endpoint-level ones, like the observations list's CSV, run after the global ones) that
    /// fills what is still missing. Both skip a media type that already has an example.
    /// </summary>
    public static OpenApiOptions AddExamples(this OpenApiOptions options) =>
        options.AddOperationTransformer(Apply).AddDocumentTransformer(ApplyToDocument);

    public static Task Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        Fill(operation, context.Document);
        return Task.CompletedTask;
    }

    private static Task ApplyToDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        if (document.Paths is null) return Task.CompletedTask;
        foreach (var item in document.Paths.Values)
            if (item.Operations is not null)
                foreach (var operation in item.Operations.Values)
                    Fill(operation, document);
        return Task.CompletedTask;
    }

    private static void Fill(OpenApiOperation operation, OpenApiDocument? document)
    {
        var id = operation.OperationId ?? "";
        OperationHints.TryGetValue(id, out var hint);

        if (operation.RequestBody?.Content is { } requestContent)
            foreach (var (mediaType, media) in requestContent)
                if (IsJson(mediaType) && !HasExample(media))
                    SetExample(media, new Walker(document).Realise(media.Schema, hint?.Request),
                        hint?.RequestSummary ?? "A Southwark CSP request");

        var success = operation.Responses?.Keys.Where(s => s.StartsWith('2')).Order(StringComparer.Ordinal).FirstOrDefault();
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response.Content is not { Count: > 0 } content) continue;
            foreach (var (mediaType, media) in content)
            {
                if (HasExample(media)) continue;
                if (mediaType == "application/problem+json" && document is not null && ProblemExample(document, status, media.Schema) is { } shared)
                    media.Examples = new Dictionary<string, IOpenApiExample> { [shared.Key] = shared.Value };
                else if (IsJson(mediaType))
                    SetExample(media, new Walker(document).Realise(media.Schema, status == success ? hint?.Response : null),
                        status == success && hint?.ResponseSummary is { } s ? s : $"A {status} response");
                else if (mediaType == "text/csv" && status == success && media.Schema?.Type == JsonSchemaType.String)
                    media.Example = JsonValue.Create(ObservationsCsv);
            }
        }
    }

    private static bool IsJson(string mediaType) =>
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static bool HasExample(OpenApiMediaType media) => media.Example is not null || media.Examples is { Count: > 0 };

    private static void SetExample(OpenApiMediaType media, JsonNode? value, string summary) =>
        media.Examples = new Dictionary<string, IOpenApiExample>
        {
            [ExampleName] = new OpenApiExample { Summary = summary, Value = value },
        };

    // ---------------------------------------------------------------- problems

    private const string TraceId = "0HNB2M9V3K7QF:00000004";
    private static readonly Lock ComponentsLock = new();

    /// <summary>The shared example for this status, registered under components/examples; null when the schema is not ours.</summary>
    private static KeyValuePair<string, IOpenApiExample>? ProblemExample(OpenApiDocument document, string status, IOpenApiSchema? schema)
    {
        var schemaId = (schema as OpenApiSchemaReference)?.Reference.Id;
        if (schemaId is not (OpenApiSetup.ProblemSchema or OpenApiSetup.ValidationProblemSchema) || !int.TryParse(status, out var code))
            return null;
        var validation = schemaId == OpenApiSetup.ValidationProblemSchema;
        var componentId = validation ? $"ValidationProblem{code}" : $"Problem{code}";
        lock (ComponentsLock)
        {
            document.Components ??= new OpenApiComponents();
            document.Components.Examples ??= new Dictionary<string, IOpenApiExample>();
            if (!document.Components.Examples.ContainsKey(componentId))
            {
                var (title, detail) = ProblemTexts.TryGetValue(code, out var text)
                    ? text
                    : (ReasonPhrases.GetReasonPhrase(code), $"The request could not be completed ({code} {ReasonPhrases.GetReasonPhrase(code)}).");
                var problem = new JsonObject
                {
                    ["type"] = ProblemTypes.TryGetValue(code, out var type) ? type : "about:blank",
                    ["title"] = title,
                    ["status"] = code,
                    ["detail"] = detail,
                };
                if (validation)
                    problem["errors"] = new JsonObject
                    {
                        ["observations[3].period"] = new JsonArray("'2024-13' is not a period: use a month 2024-06, quarter 2024-Q2, year 2024 or financial year 2024-25."),
                        ["title"] = new JsonArray("'title' must not be empty."),
                    };
                problem["traceId"] = TraceId;
                document.Components.Examples[componentId] = new OpenApiExample
                {
                    Summary = $"{code} {title}",
                    Value = problem,
                };
            }
        }
        return KeyValuePair.Create<string, IOpenApiExample>(componentId, new OpenApiExampleReference(componentId, document));
    }


    // ---------------------------------------------------------------- the schema walk

    private const string FixedUuid = "0196b3c8-7f2e-7a41-8d5c-2e9f1b4a6c30";
    private const int MaxDepth = 16;

    /// <summary>
    /// Builds a value the schema accepts: a hint's values where they fit, otherwise one derived from the
    /// schema (formats, first enum value, 1, one array item), following $refs through the document.
    /// </summary>
    private sealed class Walker(OpenApiDocument? document)
    {
        public JsonNode? Realise(IOpenApiSchema? schema, JsonNode? hint) => Walk(schema, hint is not null, hint, null, 0);

        private JsonNode? Walk(IOpenApiSchema? schema, bool hinted, JsonNode? hint, string? name, int depth)
        {
            if (schema is OpenApiSchemaReference reference)
            {
                if (!hinted && reference.Reference.Id is { } refId && SchemaHints.TryGetValue(refId, out var byName))
                    (hinted, hint) = (true, byName.DeepClone());
                schema = Resolve(reference);
            }
            if (schema is null) return hinted ? hint?.DeepClone() : new JsonObject();
            if (depth > MaxDepth) return AllowsNull(schema) ? null : Empty(schema);

            if (schema.OneOf is { Count: > 0 } || schema.AnyOf is { Count: > 0 })
            {
                var branches = (schema.OneOf is { Count: > 0 } ? schema.OneOf : schema.AnyOf)!;
                if (hinted && hint is null && branches.Any(AllowsNull)) return null;
                var branch = (hinted ? branches.FirstOrDefault(b => Fits(b, hint)) : null)
                             ?? branches.FirstOrDefault(b => !IsNullOnly(b)) ?? branches[0];
                return Walk(branch, hinted && Fits(branch, hint), hint, name, depth + 1);
            }
            if (schema.AllOf is { Count: > 0 } parts)
            {
                var merged = new JsonObject();
                foreach (var part in parts)
                    if (Walk(part, hinted, hint, name, depth + 1) is JsonObject o)
                        foreach (var (k, v) in o.ToList()) { o.Remove(k); merged[k] = v; }
                return merged;
            }

            if (hinted && Fits(schema, hint))
            {
                switch (hint)
                {
                    case null: return null;
                    case JsonObject o when IsObject(schema): return WalkObject(schema, o, depth);
                    case JsonArray a when Has(schema, JsonSchemaType.Array):
                        return new JsonArray(a.Select(item => Walk(schema.Items, true, item, null, depth + 1)).ToArray());
                    case JsonValue: return hint.DeepClone();
                }
            }
            return Generate(schema, name, depth);
        }

        private JsonObject WalkObject(IOpenApiSchema schema, JsonObject? hint, int depth)
        {
            var result = new JsonObject();
            var required = schema.Required ?? new HashSet<string>();
            foreach (var (property, propertySchema) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
            {
                if (hint is not null && hint.TryGetPropertyValue(property, out var value))
                    result[property] = Walk(propertySchema, true, value, property, depth + 1);
                else if (hint is null || required.Contains(property))
                    result[property] = Walk(propertySchema, false, null, property, depth + 1);
            }
            // Other members: only where the schema is a map (additionalProperties) or a free-form object.
            var freeForm = schema.Properties is not { Count: > 0 } && schema.AdditionalPropertiesAllowed;
            if (hint is not null)
            {
                foreach (var (property, value) in hint)
                {
                    if (schema.Properties?.ContainsKey(property) == true) continue;
                    if (schema.AdditionalProperties is { } extra) result[property] = Walk(extra, true, value, property, depth + 1);
                    else if (freeForm) result[property] = value?.DeepClone();
                }
            }
            else if (schema.AdditionalProperties is { } map && schema.Properties is not { Count: > 0 })
                result["key"] = Walk(map, false, null, null, depth + 1);
            return result;
        }

        private JsonNode? Generate(IOpenApiSchema schema, string? name, int depth)
        {
            if (schema.Const is { } constant) return JsonValue.Create(constant);
            if (schema.Enum is { Count: > 0 } values)
                return (values.FirstOrDefault(v => v is not null && v.GetValueKind() != JsonValueKind.Null) ?? values[0])?.DeepClone();
            if (schema.Default is { } fallback && Fits(schema, fallback)) return fallback.DeepClone();
            if (IsObject(schema)) return WalkObject(schema, null, depth);
            if (Has(schema, JsonSchemaType.Array))
                return schema.Items is null ? new JsonArray() : new JsonArray(Walk(schema.Items, false, null, null, depth + 1));
            // Numbers before strings: a decimal is typed ["number", "string"].
            if (Has(schema, JsonSchemaType.Integer) || Has(schema, JsonSchemaType.Number))
                return JsonValue.Create(schema.Minimum is { } min && decimal.TryParse(min, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && m > 1 ? m : 1);
            if (Has(schema, JsonSchemaType.String)) return JsonValue.Create(GenerateString(schema, name));
            if (Has(schema, JsonSchemaType.Boolean)) return JsonValue.Create(true);
            return schema.Type == JsonSchemaType.Null ? null : new JsonObject();
        }

        private static string GenerateString(IOpenApiSchema schema, string? name)
        {
            var byFormat = schema.Format switch
            {
                "uuid" => FixedUuid,
                "date" => "2026-04-01",
                "date-time" => "2026-11-26T09:30:00Z",
                "uri" => "https://www.southwark.gov.uk/",
                "email" => "community.safety@southwark.gov.uk",
                _ => null,
            };
            if (byFormat is not null) return byFormat;
            var lower = (name ?? "").ToLowerInvariant();
            string[] candidates = lower switch
            {
                "period" => ["2024-06"],
                "area" or "areacode" => ["E09000028"],
                "slug" or "partnership" => ["southwark"],
                "indicator" => ["ROB-PERSONAL"],
                "code" => ["EXAMPLE-1"],
                _ when lower.EndsWith("url", StringComparison.Ordinal) || lower.EndsWith("uri", StringComparison.Ordinal) =>
                    ["https://www.southwark.gov.uk/community-safety"],
                "" => ["example"],
                _ => [$"Example {CamelBoundary().Replace(name!, " $1").ToLowerInvariant()}"],
            };
            candidates = [.. candidates, "southwark", "P1", "2024-06", "E09000028", "ROB-PERSONAL", "1", "example"];
            if (schema.Pattern is not { } pattern) return candidates[0];
            return candidates.FirstOrDefault(c => SafeMatch(pattern, c)) ?? candidates[0];
        }

        /// <summary>Whether a hint value has a shape the schema accepts (deep checks are left to the walk).</summary>
        private bool Fits(IOpenApiSchema? schema, JsonNode? value)
        {
            if (schema is OpenApiSchemaReference r) schema = Resolve(r);
            if (schema is null) return true;
            if (schema.OneOf is { Count: > 0 } one) return one.Any(b => Fits(b, value));
            if (schema.AnyOf is { Count: > 0 } any) return any.Any(b => Fits(b, value));
            if (schema.AllOf is { Count: > 0 } all) return all.All(b => Fits(b, value));
            var kind = value?.GetValueKind() ?? JsonValueKind.Null;
            if (schema.Enum is { Count: > 0 } values)
                return values.Any(v => JsonNode.DeepEquals(v, value));
            if (schema.Type is null) return true;
            return kind switch
            {
                JsonValueKind.Null => Has(schema, JsonSchemaType.Null),
                JsonValueKind.True or JsonValueKind.False => Has(schema, JsonSchemaType.Boolean),
                JsonValueKind.Object => IsObject(schema),
                JsonValueKind.Array => Has(schema, JsonSchemaType.Array),
                JsonValueKind.Number => Has(schema, JsonSchemaType.Number)
                                        || Has(schema, JsonSchemaType.Integer) && decimal.TryParse(value!.ToJsonString(), NumberStyles.Float,
                                            CultureInfo.InvariantCulture, out var n) && n % 1 == 0,
                JsonValueKind.String => Has(schema, JsonSchemaType.String) && StringFits(schema, value!.GetValue<string>()),
                _ => false,
            };
        }

        private static bool StringFits(IOpenApiSchema schema, string s) =>
            (schema.Pattern is not { } pattern || SafeMatch(pattern, s)) && schema.Format switch
            {
                "uuid" => Guid.TryParseExact(s, "D", out _),
                "date" => DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
                "date-time" => DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out _) && s.Contains('T'),
                _ => true,
            };

        private bool AllowsNull(IOpenApiSchema schema)
        {
            if (schema is OpenApiSchemaReference r) schema = Resolve(r) ?? schema;
            return Has(schema, JsonSchemaType.Null) || (schema.OneOf ?? schema.AnyOf ?? []).Any(AllowsNull)
                   || schema.Enum?.Any(v => v is null) == true;
        }

        private bool IsNullOnly(IOpenApiSchema schema)
        {
            if (schema is OpenApiSchemaReference r) schema = Resolve(r) ?? schema;
            return schema.Type == JsonSchemaType.Null;
        }

        private static JsonNode Empty(IOpenApiSchema schema) =>
            Has(schema, JsonSchemaType.Array) ? new JsonArray() : Has(schema, JsonSchemaType.String) ? JsonValue.Create("") : new JsonObject();

        private static bool IsObject(IOpenApiSchema schema) =>
            Has(schema, JsonSchemaType.Object) || schema.Type is null && (schema.Properties is { Count: > 0 } || schema.AdditionalProperties is not null);

        private static bool Has(IOpenApiSchema schema, JsonSchemaType type) => schema.Type is { } t && (t & type) == type;

        private IOpenApiSchema? Resolve(OpenApiSchemaReference reference)
        {
            if (reference.Reference.Id is { } id && document?.Components?.Schemas?.TryGetValue(id, out var target) == true)
                return target is OpenApiSchemaReference again && again != reference ? Resolve(again) : target;
            try { return reference.Target; }
            catch (InvalidOperationException) { return null; }
        }
    }

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex CamelBoundary();

    private static bool SafeMatch(string pattern, string value)
    {
        try { return Regex.IsMatch(value, pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100)); }
        catch (ArgumentException) { return false; }
        catch (RegexMatchTimeoutException) { return false; }
    }
}
