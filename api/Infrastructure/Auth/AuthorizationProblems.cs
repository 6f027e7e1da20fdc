using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Csp.Api.Infrastructure.Auth;

/// <summary>
/// What a refused request is told, as problem+json: no valid key is 401 (the scheme's challenge,
/// <see cref="ApiKeyAuthenticationHandler"/>); a key outside the route's partnership is 404, the same as a partnership that
/// does not exist; a key without the scope is 403 naming it.
/// </summary>
public sealed class AuthorizationProblems : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler standard = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden) return standard.HandleAsync(next, context, policy, authorizeResult);

        var failed = authorizeResult.AuthorizationFailure?.FailedRequirements ?? [];
        if (failed.OfType<PartnershipRequirement>().Any())
            return Problems.NotFound(context, $"There is no partnership '{context.Request.RouteValues["partnership"]}'.");
        var detail = failed.OfType<ScopeRequirement>().FirstOrDefault() is { } scope
            ? $"This operation needs a key with the '{scope.Scope}' scope."
            : "This endpoint is not open to any key.";
        return Problems.Write(context, StatusCodes.Status403Forbidden, "Insufficient scope", detail);
    }
}
