namespace Csp.Api.Infrastructure.Auth;

/// <summary>The scopes a client key can carry. <c>admin</c> implies every other tenant scope;
/// <c>platform</c> is held only by the operator key from configuration.</summary>
public static class Scopes
{
    public const string Read = "read";
    public const string PlansWrite = "plans:write";
    public const string ObservationsWrite = "observations:write";

    /// <summary>Sign off a period's values of the agency's indicators for publication (and withdraw a sign-off).</summary>
    public const string ObservationsSignoff = "observations:signoff";
    public const string Admin = "admin";
    public const string Platform = "platform";

    /// <summary>Scopes a partnership admin may grant to a client.</summary>
    public static readonly IReadOnlyList<string> Grantable = [Read, PlansWrite, ObservationsWrite, ObservationsSignoff, Admin];

    /// <summary>Every scope, each an authorization policy (<see cref="PolicyName"/>).</summary>
    public static readonly IReadOnlyList<string> All = [Read, PlansWrite, ObservationsWrite, ObservationsSignoff, Admin, Platform];

    /// <summary>The authorization policy that demands <paramref name="scope"/>.</summary>
    public static string PolicyName(string scope) => "scope:" + scope;
}

/// <summary>Endpoint metadata: the scope a key must hold (its policy is <see cref="Scopes.PolicyName"/>). An endpoint without
/// it falls to the fallback policy, which refuses every caller.</summary>
public sealed record RequiredScope(string Scope);

/// <summary>Endpoint metadata: anyone may call it without a key when the partnership opts into public read.</summary>
public sealed record PublicReadAllowed;

public static class ScopeEndpointExtensions
{
    /// <summary>Requires the policy of <paramref name="scope"/> (the route's partnership, and the scope inside it).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredScope(scope)).RequireAuthorization(Scopes.PolicyName(scope));
}
