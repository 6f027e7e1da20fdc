using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Contract;

/// <summary>openapi/v1.json as the contract tests read it: its operations, its $refs followed, its examples.</summary>
public static class ContractDocument
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    public static JsonObject Committed() => JsonNode.Parse(File.ReadAllText(Repo.PathOf("openapi", "v1.json")))!.AsObject();

    public sealed record Operation(string Id, string Method, string Template, JsonObject Node)
    {
        public string Name => $"{Id} ({Method.ToUpperInvariant()} {Template})";
    }

    public static IEnumerable<Operation> Operations(JsonObject doc) =>
        from path in doc["paths"]!.AsObject()
        from method in path.Value!.AsObject()
        where Methods.Contains(method.Key) && method.Value is JsonObject
        select new Operation(method.Value!["operationId"]?.GetValue<string>() ?? "?", method.Key, path.Key, method.Value!.AsObject());

    public static Operation Find(JsonObject doc, string operationId) =>
        Operations(doc).SingleOrDefault(o => o.Id == operationId)
        ?? throw new Xunit.Sdk.XunitException($"openapi/v1.json has no operation {operationId}");

    /// <summary>The values of a media type's <c>example</c> and <c>examples</c>, by name (following $refs).</summary>
    public static IEnumerable<(string Name, JsonNode? Value)> Examples(JsonObject doc, JsonNode? media)
    {
        if (media is not JsonObject m) yield break;
        if (m.TryGetPropertyValue("example", out var single)) yield return ("example", single);
        foreach (var (name, example) in m["examples"]?.AsObject() ?? [])
            if (Resolve(doc, example) is JsonObject e && e.TryGetPropertyValue("value", out var value))
                yield return (name, value);
    }

    /// <summary>The operation's request body example(s) in application/json.</summary>
    public static IReadOnlyList<(string Name, JsonNode? Value)> RequestExamples(JsonObject doc, Operation operation) =>
        Examples(doc, Resolve(doc, operation.Node["requestBody"])?["content"]?["application/json"]).ToList();

    public static JsonNode? Resolve(JsonObject doc, JsonNode? node)
    {
        for (var hops = 0; hops < 8 && node?["$ref"]?.GetValue<string>() is { } reference && reference.StartsWith("#/", StringComparison.Ordinal); hops++)
        {
            JsonNode? target = doc;
            foreach (var part in reference[2..].Split('/'))
                target = target?[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
            node = target ?? throw new InvalidOperationException($"unresolvable $ref {reference}");
        }
        return node;
    }

    public static bool IsJson(string mediaType) => mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase);
}
