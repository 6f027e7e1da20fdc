namespace Csp.Api.Infrastructure.Auth;

/// <summary>The scopes a client key can carry. <c>admin</c> implies every other tenant scope;
/// <c>platform</c> is held only by the operator key from configuration.</summary>
public static class Scopes
{
    public const string Read = "read";
    public const string PlansWrite = "plans:write";
    public const string ObservationsWrite = "observations:write";
    public const string Admin = "admin";
    public const string Platform = "platform";

    /// <summary>Scopes a partnership admin may grant to a client.</summary>
    public static readonly IReadOnlyList<string> Grantable = [Read, PlansWrite, ObservationsWrite, Admin];
}

/// <summary>Endpoint metadata: the scope a key must hold. Endpoints under /v1 without it are denied.</summary>
public sealed record RequiredScope(string Scope);

/// <summary>Endpoint metadata: anyone may call it without a key when the partnership opts into public read.</summary>
public sealed record PublicReadAllowed;

public static class ScopeEndpointExtensions
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredScope(scope));
}
