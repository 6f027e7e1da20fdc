namespace Csp.Api.Infrastructure.Auth;

/// <summary>Who is calling: a client of one partnership, or the platform operator.</summary>
public sealed record Caller(Guid? ClientId, Guid? PartnershipId, Guid? AgencyId, IReadOnlySet<string> Scopes, bool IsPlatform)
{
    public static Caller Platform { get; } = new(null, null, null, new HashSet<string> { Auth.Scopes.Platform }, true);

    public static Caller Anonymous { get; } = new(null, null, null, new HashSet<string>(), false);

    public bool IsAnonymous => !IsPlatform && ClientId is null;

    /// <summary>True when the caller may use <paramref name="scope"/> inside its own partnership.</summary>
    public bool Has(string scope) =>
        IsPlatform || Scopes.Contains(scope) || (scope != Auth.Scopes.Platform && Scopes.Contains(Auth.Scopes.Admin));
}

/// <summary>The partnership a request is about, resolved once per request from the route slug, and its caller.</summary>
public sealed record Tenant(Guid PartnershipId, string Slug, string AreaCode, bool PublicRead, Caller Caller)
{
    internal const string ItemKey = "csp.tenant";

    /// <summary>Minimal-API binding: the tenant middleware has already resolved it.</summary>
    public static ValueTask<Tenant?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<Tenant?>(context.Items[ItemKey] as Tenant
            ?? throw new InvalidOperationException("Tenant requested on an endpoint outside /v1/partnerships/{partnership}."));
}
