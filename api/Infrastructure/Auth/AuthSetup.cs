using Csp.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Csp.Api.Infrastructure.Auth;

public static class AuthSetup
{
    /// <summary>
    /// The <c>X-Api-Key</c> scheme, one policy per scope (each: the route's partnership, then the scope), and a fallback
    /// policy that refuses every endpoint declaring none.
    /// </summary>
    public static IServiceCollection AddCspAuth(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.AddSingleton<IChangeWatch>(sp => ChangeWatch.For(sp.GetRequiredService<Db>()));
        services.AddSingleton<TenantResolver>();

        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);

        var authorization = services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().AddRequirements(DeclaredScopeRequirement.Instance).Build());
        foreach (var scope in Scopes.All)
            authorization.AddPolicy(Scopes.PolicyName(scope), p => p.AddRequirements(PartnershipRequirement.Instance, new ScopeRequirement(scope)));
        services.AddSingleton<IAuthorizationHandler, PartnershipAuthorizationHandler>();
        services.AddSingleton<IAuthorizationHandler, ScopeAuthorizationHandler>();
        services.AddSingleton<IAuthorizationHandler, DeclaredScopeAuthorizationHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthorizationProblems>();
        return services;
    }
}
