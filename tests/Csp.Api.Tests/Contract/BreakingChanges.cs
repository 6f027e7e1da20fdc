using System.Text.Json.Nodes;

namespace Csp.Api.Tests.Contract;

/// <summary>
/// What would break a partner's generated client between two versions of the contract: a removed
/// operation, a removed response field, a new required request field (or parameter, or body), an enum
/// that lost a value. Additions are fine, an optional body where there was none included. Generic over the documents: nothing here names an operation.
/// </summary>
public static class BreakingChanges
{
    private const int MaxDepth = 16;

    public static IReadOnlyList<string> Find(JsonObject baseline, JsonObject current)
    {
        var problems = new List<string>();
        var before = Operations(baseline);
        var after = Operations(current);

        foreach (var (key, old) in before)
        {
            if (!after.TryGetValue(key, out var now))
            {
                problems.Add($"removed operation {key} ({old["operationId"]})");
                continue;
            }
            foreach (var (status, response) in old["responses"]?.AsObject() ?? [])
            {
                if (!status.StartsWith('2')) continue;
                var removed = Fields(baseline, JsonSchemaOf(baseline, response)).Except(Fields(current, JsonSchemaOf(current, now["responses"]?[status])));
                problems.AddRange(removed.Select(f => $"{key} {status}: removed response field '{f}'"));
            }
            // A body the operation did not take before asks nothing of an old client, which sends none, as long as it may still
            // send none; a body it must now send is breaking whatever it holds.
            var bodyBefore = Resolve(baseline, old["requestBody"]);
            var bodyNow = Resolve(current, now["requestBody"]);
            if (bodyBefore is null && bodyNow?["required"]?.GetValue<bool>() == true)
                problems.Add($"{key}: new required request body");
            else if (bodyBefore is not null)
            {
                var newlyRequired = RequiredFields(current, JsonSchemaOf(current, now["requestBody"]))
                    .Except(RequiredFields(baseline, JsonSchemaOf(baseline, old["requestBody"])));
                problems.AddRange(newlyRequired.Select(f => $"{key}: new required request field '{f}'"));
            }
            var newParameters = RequiredParameters(current, now).Except(RequiredParameters(baseline, old));
            problems.AddRange(newParameters.Select(p => $"{key}: new required parameter {p}"));
        }

        var enumsAfter = Enums(current);
        foreach (var (location, values) in Enums(baseline))
            if (enumsAfter.TryGetValue(location, out var now) && values.Except(now).ToList() is { Count: > 0 } lost)
                problems.Add($"narrowed enum {location}: removed {string.Join(", ", lost)}");
        return problems;
    }

    public static string? Version(JsonObject document) => document["info"]?["version"]?.GetValue<string>();

    /// <summary>"GET /v1/plans/{}": parameter names do not change the operation a client calls.</summary>
    private static Dictionary<string, JsonObject> Operations(JsonObject document)
    {
        var operations = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (path, item) in document["paths"]?.AsObject() ?? [])
            foreach (var (method, operation) in item?.AsObject() ?? [])
                if (operation is JsonObject o && method is "get" or "put" or "post" or "delete" or "patch" or "head" or "options" or "trace")
                    operations[$"{method.ToUpperInvariant()} {string.Join('/', path.Split('/').Select(s => s.StartsWith('{') ? "{}" : s))}"] = o;
        return operations;
    }

    private static JsonNode? JsonSchemaOf(JsonObject document, JsonNode? responseOrBody)
    {
        var resolved = Resolve(document, responseOrBody);
        var content = resolved?["content"]?.AsObject();
        return content?.FirstOrDefault(c => c.Key.EndsWith("json", StringComparison.OrdinalIgnoreCase)).Value?["schema"];
    }

    /// <summary>Every property path a schema can hold: "priorities[].commitments[].title".</summary>
    private static HashSet<string> Fields(JsonObject document, JsonNode? schema)
    {
        var fields = new HashSet<string>(StringComparer.Ordinal);
        Walk(document, schema, "", 0, [], (path, _, _) => fields.Add(path), requiredOnly: false);
        fields.Remove("");
        return fields;
    }

    /// <summary>The property paths a client must send: required all the way from the root.</summary>
    private static HashSet<string> RequiredFields(JsonObject document, JsonNode? schema)
    {
        var fields = new HashSet<string>(StringComparer.Ordinal);
        Walk(document, schema, "", 0, [], (path, _, _) => fields.Add(path), requiredOnly: true);
        fields.Remove("");
        return fields;
    }

    private static IEnumerable<string> RequiredParameters(JsonObject document, JsonObject operation) =>
        (operation["parameters"]?.AsArray() ?? [])
            .Select(p => Resolve(document, p))
            .Where(p => p?["required"]?.GetValue<bool>() == true && p["in"]?.GetValue<string>() != "path")
            .Select(p => $"{p!["in"]}:{p["name"]}");

    private static void Walk(JsonObject document, JsonNode? schema, string path, int depth, HashSet<string> refs,
        Action<string, JsonObject, string?> visit, bool requiredOnly)
    {
        if (schema is not JsonObject s || depth > MaxDepth) return;
        if (s["$ref"]?.GetValue<string>() is { } reference)
        {
            if (!refs.Add(reference)) return; // recursive schema: the fields below are already listed
            Walk(document, Resolve(document, s), path, depth + 1, refs, visit, requiredOnly);
            refs.Remove(reference);
            return;
        }
        visit(path, s, null);
        var required = (s["required"]?.AsArray() ?? []).Select(r => r!.GetValue<string>()).ToHashSet();
        foreach (var (name, property) in s["properties"]?.AsObject() ?? [])
            if (!requiredOnly || required.Contains(name))
                Walk(document, property, path.Length == 0 ? name : $"{path}.{name}", depth + 1, refs, visit, requiredOnly);
        if (s["items"] is JsonNode items)
            Walk(document, items, path + "[]", depth + 1, refs, visit, requiredOnly);
        foreach (var combinator in new[] { "allOf", "anyOf", "oneOf" })
            foreach (var part in s[combinator]?.AsArray() ?? [])
                Walk(document, part, path, depth + 1, refs, visit, requiredOnly);
    }

    /// <summary>Enum values by where they are declared: a component schema's property, or an operation's inline schema.</summary>
    private static Dictionary<string, HashSet<string>> Enums(JsonObject document)
    {
        var enums = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        void Collect(string prefix, JsonNode? schema) => WalkInline(schema, prefix, 0, (path, s) =>
        {
            if (s["enum"] is JsonArray values)
                enums[path] = values.Select(v => v?.ToJsonString() ?? "null").ToHashSet(StringComparer.Ordinal);
        });

        foreach (var (name, schema) in document["components"]?["schemas"]?.AsObject() ?? [])
            Collect(name, schema);
        foreach (var (key, operation) in Operations(document))
        {
            foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
                Collect($"{key} parameter {parameter?["name"]}", parameter?["schema"]);
            Collect($"{key} request", JsonSchemaOf(document, operation["requestBody"]));
            foreach (var (status, response) in operation["responses"]?.AsObject() ?? [])
                Collect($"{key} {status}", JsonSchemaOf(document, response));
        }
        return enums;
    }

    /// <summary>Walks a schema without following $ref (each component is collected under its own name).</summary>
    private static void WalkInline(JsonNode? schema, string path, int depth, Action<string, JsonObject> visit)
    {
        if (schema is not JsonObject s || depth > MaxDepth || s["$ref"] is not null) return;
        visit(path, s);
        foreach (var (name, property) in s["properties"]?.AsObject() ?? [])
            WalkInline(property, $"{path}.{name}", depth + 1, visit);
        if (s["items"] is JsonNode items) WalkInline(items, path + "[]", depth + 1, visit);
        foreach (var combinator in new[] { "allOf", "anyOf", "oneOf" })
            foreach (var part in s[combinator]?.AsArray() ?? [])
                WalkInline(part, path, depth + 1, visit);
    }

    private static JsonNode? Resolve(JsonObject document, JsonNode? node)
    {
        for (var hops = 0; hops < 8 && node?["$ref"]?.GetValue<string>() is { } reference && reference.StartsWith("#/", StringComparison.Ordinal); hops++)
        {
            JsonNode? target = document;
            foreach (var part in reference[2..].Split('/'))
                target = target?[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
            node = target;
        }
        return node;
    }
}
