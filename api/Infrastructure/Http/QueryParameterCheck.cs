using System.Collections.Frozen;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Csp.Api.Infrastructure;

/// <summary>
/// A query parameter the operation does not take is refused (400 naming it and listing those it takes), rather than
/// ignored: a misspelt filter (<c>?stauts=at_risk</c>) would otherwise answer everything, and the client would believe it had
/// filtered. The parameters an operation takes are those its contract documents (the API description it is generated from),
/// and <c>format</c> where the operation negotiates its media type (<see cref="Negotiate.Negotiates"/> reads and documents it).
/// </summary>
public sealed class QueryParameterCheck(IApiDescriptionGroupCollectionProvider descriptions) : IEndpointFilter
{
    private FrozenDictionary<string, FrozenSet<string>>? known;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Request.Query.Count == 0
            || http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName is not { } name
            || !Known().TryGetValue(name, out var takes))
            return await next(context);
        var unknown = http.Request.Query.Keys.Where(k => !takes.Contains(k)).ToList();
        if (unknown.Count == 0) return await next(context);
        var listed = takes.Count == 0 ? "none" : string.Join(", ", takes.Order(StringComparer.Ordinal));
        return Errors.Invalid(unknown.ToDictionary(k => k,
            k => new[] { $"'{k}' is not a query parameter of this operation (it takes: {listed})." }));
    }

    /// <summary>By operation (endpoint name): the query parameters it documents, compared as ASP.NET Core binds them (any case).</summary>
    private FrozenDictionary<string, FrozenSet<string>> Known() => known ??= descriptions.ApiDescriptionGroups.Items
        .SelectMany(g => g.Items)
        .Select(d => (Name: d.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName, Description: d))
        .Where(x => x.Name is not null)
        .GroupBy(x => x.Name!)
        .ToFrozenDictionary(g => g.Key, g => g.SelectMany(x => x.Description.ParameterDescriptions)
            .Where(p => p.Source == BindingSource.Query)
            // As the contract spells them ([AsParameters] properties are described by their C# names).
            .Select(p => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .Concat(g.Any(x => x.Description.ActionDescriptor.EndpointMetadata.OfType<NegotiatedMediaTypes>().Any()) ? [Negotiate.FormatParameter] : [])
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase));
}
