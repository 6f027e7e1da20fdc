using Csp.Api.Infrastructure.OpenApi;

// Beside .Validate<T>(), so a feature's endpoint list needs no extra using.
namespace Csp.Api.Infrastructure;

/// <summary>What an endpoint adds to the contract in its own words: hand-written examples and its own problem responses.</summary>
public static class ContractEndpointExtensions
{
    /// <summary>An example of the request body (see <see cref="Example{T}"/>).</summary>
    public static RouteHandlerBuilder WithRequestExample<T>(this RouteHandlerBuilder builder, Example<T> example) where T : notnull =>
        builder.WithMetadata(new ExampleMetadata(null, example));

    /// <summary>An example of the <paramref name="status"/> response's body.</summary>
    public static RouteHandlerBuilder WithResponseExample<T>(this RouteHandlerBuilder builder, int status, Example<T> example) where T : notnull =>
        builder.WithMetadata(new ExampleMetadata(status, example));

    /// <summary>A problem response this endpoint answers in words of its own, instead of the shared one for its status.</summary>
    public static RouteHandlerBuilder WithProblemResponse(this RouteHandlerBuilder builder, ProblemResponse problem) => builder.WithMetadata(problem);
}
