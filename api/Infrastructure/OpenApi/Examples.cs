using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure.OpenApi;

/// <summary>
/// A hand-written body of an operation, kept beside its endpoint (the feature's <c>…Examples</c> class) and shown in the contract;
/// Swagger UI's "Try it out" starts from the request's. Its value is of the body's own type, so it cannot name a field the API does
/// not have. tests/…/Contract/ExampleTests sends every request example to the service and checks each response example is what the
/// service answered.
/// </summary>
/// <param name="Name">Its key under <c>examples</c>.</param>
/// <param name="Summary">One line saying what it shows.</param>
/// <param name="Value">The body.</param>
public sealed record Example<T>(string Name, string Summary, T Value) : IExample where T : notnull
{
    object IExample.Value => Value;
}

public interface IExample
{
    string Name { get; }
    string Summary { get; }
    object Value { get; }
}

/// <summary>Endpoint metadata: an example of the request body, or of the response with <paramref name="Status"/>.</summary>
public sealed record ExampleMetadata(int? Status, IExample Example);

/// <summary>
/// The ids the examples refer to each other by: the agencies, plan, priority, commitment and framework outcome of the Southwark
/// examples. ExampleTests creates each through its example (or, for the council, alongside) and reads these as the ids it got.
/// </summary>
public static class ExampleIds
{
    public static readonly Guid Council = Guid.Parse("0195d6a0-3c52-7b31-8c44-7a1e5f9d2b02");
    public static readonly Guid Met = Guid.Parse("0195d6a0-3c58-7c02-a5d3-2e8b4c6f1d03");
    public static readonly Guid Plan = Guid.Parse("0195d6a1-0a12-7d84-8e61-5b2f9c3a7e10");
    public static readonly Guid Priority = Guid.Parse("0195d6a1-0b27-7e90-8d42-1f7a3c5e9b22");
    public static readonly Guid Commitment = Guid.Parse("0195d6a1-0c0c-7d21-b4e3-8a6f1c9d2e32");
    public static readonly Guid Outcome = Guid.Parse("0195d6a3-4f10-7a2b-9c61-3e8d5b2a7f41");
}

/// <summary>Puts each endpoint's examples into its operation, serialised as the API serialises bodies.</summary>
internal static class ExampleConventions
{
    public static Task Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var examples = context.Description.ActionDescriptor.EndpointMetadata.OfType<ExampleMetadata>().ToList();
        if (examples.Count == 0) return Task.CompletedTask;
        // As the API writes JSON, leaving out what an example does not set: it shows what a client may omit.
        var json = new JsonSerializerOptions(context.ApplicationServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        foreach (var (status, example) in examples)
        {
            var content = status is { } code
                ? (operation.Responses?.GetValueOrDefault(code.ToString(System.Globalization.CultureInfo.InvariantCulture)) as OpenApiResponse)?.Content
                : operation.RequestBody?.Content;
            if (content is null || !content.TryGetValue("application/json", out var media))
                throw new InvalidOperationException(
                    $"{operation.OperationId}: an example for {(status is null ? "the request body" : $"the {status} response")}, which has no application/json content.");
            media.Examples ??= new Dictionary<string, IOpenApiExample>();
            media.Examples[example.Name] = new OpenApiExample
            {
                Summary = example.Summary,
                Value = JsonSerializer.SerializeToNode(example.Value, example.Value.GetType(), json),
            };
        }
        return Task.CompletedTask;
    }
}
