using Csp.Api.Infrastructure.Data;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Infrastructure;

/// <summary>
/// Enum filters of lists (<c>?status=on_track</c>). Minimal APIs bind an enum parameter by its C# name (<c>OnTrack</c>), so
/// the filter is bound as text, parsed here by the contract's names, and documented as the contract's enum.
/// </summary>
public static class EnumFilter
{
    /// <summary>The value <paramref name="text"/> names, or null when it is absent; a name the enum does not have adds the
    /// error under <paramref name="parameter"/>.</summary>
    public static TEnum? Parse<TEnum>(string? text, string parameter, Dictionary<string, string[]> errors) where TEnum : struct, Enum
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (EnumText<TEnum>.TryParse(text, out var value)) return value;
        errors[parameter] = [$"'{parameter}' must be one of: {string.Join(", ", EnumText<TEnum>.All)}."];
        return null;
    }

    /// <summary>Documents the query parameter <paramref name="parameter"/> as the contract's <typeparamref name="TEnum"/>.</summary>
    public static RouteHandlerBuilder DocumentEnumFilter<TEnum>(this RouteHandlerBuilder builder, string parameter) where TEnum : struct, Enum =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            if (operation.Parameters?.FirstOrDefault(p => p.Name == parameter) is OpenApiParameter documented)
                documented.Schema = new OpenApiSchemaReference(typeof(TEnum).Name, context.Document);
            return Task.CompletedTask;
        });
}
