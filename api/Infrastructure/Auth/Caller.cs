using System.Security.Claims;

namespace Csp.Api.Infrastructure.Auth;

/// <summary>Who is calling: a client of one partnership, the platform operator, or nobody (no valid key).</summary>
public sealed record Caller(Guid? ClientId, Guid? PartnershipId, Guid? AgencyId, IReadOnlySet<string> Scopes, bool IsPlatform)
{
    public static Caller Platform { get; } = new(null, null, null, new HashSet<string> { Auth.Scopes.Platform }, true);

    public static Caller Anonymous { get; } = new(null, null, null, new HashSet<string>(), false);

    public bool IsAnonymous => !IsPlatform && ClientId is null;

    /// <summary>True when the caller may use <paramref name="scope"/> inside its own partnership.</summary>
    public bool Has(string scope) =>
        IsPlatform || Scopes.Contains(scope) || (scope != Auth.Scopes.Platform && Scopes.Contains(Auth.Scopes.Admin));

    /// <summary>The caller an authenticated principal's claims describe (<see cref="ApiKeyAuthenticationHandler"/>); anonymous
    /// when it is not authenticated.</summary>
    public static Caller From(ClaimsPrincipal user)
    {
        if (user.Identity is CallerIdentity { Caller: var caller }) return caller;
        if (user.Identity?.IsAuthenticated != true) return Anonymous;
        var scopes = user.FindAll(CspClaims.Scope).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var client = GuidOf(CspClaims.Client);
        if (client is null) return scopes.Contains(Auth.Scopes.Platform) ? Platform : Anonymous;
        return new Caller(client, GuidOf(CspClaims.Partnership), GuidOf(CspClaims.Agency), scopes, false);

        Guid? GuidOf(string type) => Guid.TryParse(user.FindFirst(type)?.Value, out var id) ? id : null;
    }

    /// <summary>This caller as the request's principal, under <paramref name="scheme"/>.</summary>
    public ClaimsPrincipal ToPrincipal(string scheme) => new(new CallerIdentity(this, scheme));
}

/// <summary>
/// A caller's claims: <see cref="CspClaims.Partnership"/>, <see cref="CspClaims.Client"/>, <see cref="CspClaims.Agency"/> and one
/// <see cref="CspClaims.Scope"/> per scope. It keeps the <see cref="Auth.Caller"/> it was made from, so reading the caller
/// back on every authorization check parses nothing.
/// </summary>
public sealed class CallerIdentity(Caller caller, string scheme) : ClaimsIdentity(ClaimsOf(caller), scheme, CspClaims.Client, null)
{
    public Caller Caller { get; } = caller;

    private static IEnumerable<Claim> ClaimsOf(Caller caller)
    {
        if (caller.PartnershipId is { } partnership) yield return new Claim(CspClaims.Partnership, partnership.ToString());
        if (caller.ClientId is { } client) yield return new Claim(CspClaims.Client, client.ToString());
        if (caller.AgencyId is { } agency) yield return new Claim(CspClaims.Agency, agency.ToString());
        foreach (var scope in caller.Scopes) yield return new Claim(CspClaims.Scope, scope);
    }
}

/// <summary>The claim types of an API key's principal.</summary>
public static class CspClaims
{
    public const string Partnership = "csp:partnership";
    public const string Client = "csp:client";
    public const string Agency = "csp:agency";
    public const string Scope = "scope";
}

/// <summary>The partnership a request is about, resolved once per request from the route slug, and its caller.</summary>
public sealed record Tenant(Guid PartnershipId, string Slug, string AreaCode, bool PublicRead, Caller Caller)
{
    internal const string ItemKey = "csp.tenant";

    /// <summary>Minimal-API binding: authorization (<see cref="PartnershipRequirement"/>) has already resolved it.</summary>
    public static ValueTask<Tenant?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<Tenant?>(context.Items[ItemKey] as Tenant
            ?? throw new InvalidOperationException("Tenant requested on an endpoint outside /v1/partnerships/{partnership}."));
}
