namespace Csp.Api.Infrastructure.Auth;

/// <summary>
/// Deny by default for everything under /v1: authenticates the key (401), resolves the partnership
/// of the route once (404), hides other partnerships behind the same 404, and checks the scope the
/// endpoint declares (403). Endpoints read the result as a <see cref="Tenant"/> parameter.
/// </summary>
public sealed class TenantMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, TenantQueries queries)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null || !context.Request.Path.StartsWithSegments("/v1"))
        {
            await next(context);
            return;
        }

        var ct = context.RequestAborted;
        var required = endpoint.Metadata.GetMetadata<RequiredScope>();
        var caller = context.Items[typeof(Caller)] as Caller;
        var slug = context.Request.RouteValues["partnership"] as string;
        var publicEndpoint = endpoint.Metadata.GetMetadata<PublicReadAllowed>() is not null;

        // Routing's own rejections (405 method, 415 content type) carry no scope: they answer for
        // themselves once the caller has shown a valid key.
        var rejection = required is null && IsRoutingRejection(endpoint);

        if (caller is null && !(publicEndpoint && slug is not null))
        {
            await Problems.Write(context, StatusCodes.Status401Unauthorized, "Missing or invalid API key",
                $"Send a valid, unrevoked key in the {ApiKeys.HeaderName} header.");
            return;
        }

        if (slug is not null && !rejection)
        {
            var partnership = context.Items[typeof(TenantQueries.Resolution)] is TenantQueries.Resolution resolved
                ? resolved.Partnership
                : await queries.FindPartnershipAsync(slug, ct);
            var visible = partnership is not null && (caller is null
                ? partnership.PublicRead
                : caller.IsPlatform || caller.PartnershipId == partnership.Id);
            if (!visible)
            {
                if (caller is null)
                    await Problems.Write(context, StatusCodes.Status401Unauthorized, "Missing or invalid API key",
                        $"Send a valid, unrevoked key in the {ApiKeys.HeaderName} header.");
                else
                    await Problems.NotFound(context, $"There is no partnership '{slug}'.");
                return;
            }
            caller ??= Caller.Anonymous;
            context.Items[Tenant.ItemKey] = new Tenant(partnership!.Id, partnership.Slug, partnership.AreaCode, partnership.PublicRead, caller);
        }

        var allowed = rejection || required is not null && (caller!.Has(required.Scope) || (caller.IsAnonymous && publicEndpoint));
        if (!allowed)
        {
            await Problems.Write(context, StatusCodes.Status403Forbidden, "Insufficient scope",
                required is null ? "This endpoint is not open to any key." : $"This operation needs a key with the '{required.Scope}' scope.");
            return;
        }

        await next(context);
    }

    private static bool IsRoutingRejection(Endpoint endpoint) =>
        endpoint.DisplayName is { } name
        && (name.Contains("HTTP Method Not Supported", StringComparison.Ordinal)
            || name.Contains("HTTP Unsupported Media Type", StringComparison.Ordinal));
}
