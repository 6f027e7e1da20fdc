using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure.OpenApi;

/// <summary>Endpoint metadata: the endpoint reads its body itself (a type with <c>BindAsync</c>) in several media types, the
/// first of them JSON of <see cref="Schema"/>, the others text described in words.</summary>
public sealed record ReadsBodyMetadata(Type Schema, string JsonMediaType, IReadOnlyDictionary<string, string> TextMediaTypes);

/// <summary>The request body of an endpoint with <see cref="ReadsBodyMetadata"/>: routing is told it accepts any media type (so
/// the endpoint itself answers 415 with the list it reads), and the contract lists the media types it reads.</summary>
public static class BodyMediaTypes
{
    private const string Any = "*/*";

    public static RouteHandlerBuilder ReadsBody<T>(this RouteHandlerBuilder builder, string jsonMediaType,
        IReadOnlyDictionary<string, string> textMediaTypes) where T : notnull =>
        builder.Accepts<T>(Any).WithMetadata(new ReadsBodyMetadata(typeof(T), jsonMediaType, textMediaTypes));

    internal static void Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var reads = context.Description.ActionDescriptor.EndpointMetadata.OfType<ReadsBodyMetadata>().FirstOrDefault();
        if (reads is null || operation.RequestBody is not OpenApiRequestBody { Content: { } content } body || !content.Remove(Any, out var json))
            return;
        body.Required = true;
        content[reads.JsonMediaType] = json;
        foreach (var (media, description) in reads.TextMediaTypes)
            content[media] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = description } };
    }
}
