using Csp.Api.Infrastructure.Data;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure;

/// <summary>
/// Enum filters of lists, which take a set as a comma list (<c>?status=off_track,at_risk</c>: either). Minimal APIs bind an
/// enum parameter by its C# name (<c>OnTrack</c>), so the filter is bound as text, parsed here by the contract's names, and
/// documented as a comma-separated array of the contract's enum.
/// </summary>
public static class EnumFilter
{
    /// <summary>The values <paramref name="text"/> names (a comma list), or null when it is absent; a name the enum does not
    /// have adds the error under <paramref name="parameter"/>.</summary>
    public static IReadOnlySet<TEnum>? ParseSet<TEnum>(string? text, string parameter, Dictionary<string, string[]> errors)
        where TEnum : struct, Enum
    {
        if (string.IsNullOrEmpty(text)) return null;
        var values = new HashSet<TEnum>();
        foreach (var name in text.Split(','))
        {
            if (EnumText<TEnum>.TryParse(name.Trim(), out var value)) values.Add(value);
            else
            {
                errors[parameter] = [$"'{parameter}' must be one of: {string.Join(", ", EnumText<TEnum>.All)}."];
                return null;
            }
        }
        return values;
    }

    /// <summary>Documents the query parameter <paramref name="parameter"/> as a comma-separated list of the contract's
    /// <typeparamref name="TEnum"/> (OpenAPI: an array, style form, not exploded).</summary>
    public static RouteHandlerBuilder DocumentEnumFilter<TEnum>(this RouteHandlerBuilder builder, string parameter) where TEnum : struct, Enum =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            if (operation.Parameters?.FirstOrDefault(p => p.Name == parameter) is OpenApiParameter documented)
            {
                documented.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    Items = new OpenApiSchemaReference(typeof(TEnum).Name, context.Document),
                };
                documented.Style = ParameterStyle.Form;
                documented.Explode = false;
            }
            return Task.CompletedTask;
        });
}
