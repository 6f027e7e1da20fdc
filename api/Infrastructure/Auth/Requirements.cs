using Microsoft.AspNetCore.Authorization;

namespace Csp.Api.Infrastructure.Auth;

/// <summary>
/// The route's partnership exists and the caller may act in it: a client key in its own partnership, the platform key in any,
/// nobody (no valid key) only on a public read of a partnership with publicRead on. Any other partnership looks exactly like
/// one that does not exist (404). On success the request's <see cref="Tenant"/> is set for endpoints to bind. A route
/// without a partnership passes for any key.
/// </summary>
public sealed class PartnershipRequirement : IAuthorizationRequirement
{
    public static PartnershipRequirement Instance { get; } = new();
}

public sealed class PartnershipAuthorizationHandler(TenantResolver resolver) : AuthorizationHandler<PartnershipRequirement, HttpContext>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, PartnershipRequirement requirement, HttpContext http)
    {
        var caller = Caller.From(context.User);
        if (http.Request.RouteValues["partnership"] is not string slug)
        {
            if (!caller.IsAnonymous) context.Succeed(requirement);
            return;
        }
        if (caller.IsAnonymous && !PublicRead.IsAllowed(http)) return;

        var partnership = await resolver.PartnershipAsync(http, slug);
        var visible = partnership is not null && (caller.IsAnonymous
            ? partnership.PublicRead
            : caller.IsPlatform || caller.PartnershipId == partnership.Id);
        if (!visible) return;
        http.Items[Tenant.ItemKey] = new Tenant(partnership!.Id, partnership.Slug, partnership.AreaCode, partnership.PublicRead, caller);
        context.Succeed(requirement);
    }
}

/// <summary>
/// The caller holds <see cref="Scope"/> (<c>admin</c> implies every tenant scope; the platform key holds them all), or the
/// endpoint is a public read and the caller has no key (<see cref="PartnershipRequirement"/> holds such a caller to the
/// partnership's publicRead).
/// </summary>
public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

public sealed class ScopeAuthorizationHandler : AuthorizationHandler<ScopeRequirement, HttpContext>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement, HttpContext http)
    {
        var caller = Caller.From(context.User);
        if (caller.Has(requirement.Scope) || (caller.IsAnonymous && requirement.Scope == Scopes.Read && PublicRead.IsAllowed(http)))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The fallback policy: an endpoint that declares no scope is refused to every caller. What no endpoint matched passes (routing
/// answers 404), and so do routing's own rejections — endpoints it makes with no route to say 405 or 415 — once the caller could
/// reach the path at all (under /v1, with a valid key).
/// </summary>
public sealed class DeclaredScopeRequirement : IAuthorizationRequirement
{
    public static DeclaredScopeRequirement Instance { get; } = new();
}

public sealed class DeclaredScopeAuthorizationHandler : AuthorizationHandler<DeclaredScopeRequirement, HttpContext>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, DeclaredScopeRequirement requirement, HttpContext http)
    {
        var open = http.GetEndpoint() switch
        {
            null => true,
            RouteEndpoint => false,
            _ => context.User.Identity?.IsAuthenticated == true || !http.Request.Path.StartsWithSegments("/v1"),
        };
        if (open) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
