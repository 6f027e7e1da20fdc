using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Csp.Api.Infrastructure.Auth;

/// <summary>
/// The <c>X-Api-Key</c> scheme: the operator's key from configuration is the platform principal; a client key is a principal
/// of its partnership (<see cref="CallerIdentity"/>) when its stored hash matches and it is neither revoked nor expired, checked
/// on every request. No header is no result (anonymous); a key that does not authenticate is a failure, and the request goes
/// on as anonymous — authorization then answers 401 unless the endpoint is a public read.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IOptionsMonitor<AuthOptions> auth, TenantResolver resolver, KeyUsage usage, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    // Compared against when the key id is unknown, so a miss costs the same as a wrong secret.
    private static readonly byte[] DummyHash = RandomNumberGenerator.GetBytes(32);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var values = Request.Headers[ApiKeys.HeaderName];
        if (values.Count == 0 || (values.Count == 1 && string.IsNullOrEmpty(values[0]))) return AuthenticateResult.NoResult();
        if (values.Count > 1) return AuthenticateResult.Fail($"More than one {ApiKeys.HeaderName} header.");

        var presented = values[0]!;
        var presentedHash = ApiKeys.Hash(presented);
        if (PlatformKeyHash() is { } platformHash && CryptographicOperations.FixedTimeEquals(presentedHash, platformHash))
            return Success(Caller.Platform);

        var keyId = ApiKeys.KeyIdOf(presented);
        var stored = keyId is null ? null : await resolver.FindKeyAsync(Context, keyId);
        var matches = CryptographicOperations.FixedTimeEquals(presentedHash, stored?.KeyHash ?? DummyHash);
        if (stored is null || !matches) return AuthenticateResult.Fail("Unknown key.");
        var now = clock.GetUtcNow();
        if (stored.RevokedAt is not null || stored.ExpiresAt <= now) return AuthenticateResult.Fail("Revoked or expired key.");
        usage.Touch(stored.Id, now);
        return Success(new Caller(stored.Id, stored.PartnershipId, stored.AgencyId, ScopeSet(stored.Scopes), false));
    }

    private AuthenticateResult Success(Caller caller) =>
        AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(Scheme.Name), Scheme.Name));

    /// <summary>401, as problem+json.</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problems.Write(Context, StatusCodes.Status401Unauthorized, "Missing or invalid API key",
            $"Send a valid, unrevoked key in the {ApiKeys.HeaderName} header.");

    /// <summary>403, as problem+json (authorization writes its own, naming the scope: <see cref="AuthorizationProblems"/>).</summary>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Write(Context, StatusCodes.Status403Forbidden, "Insufficient scope", "This key may not make this request.");

    private sealed record PlatformHash(string Key, byte[] Hash);

    // Hashed once per configured value, not per request (handlers are made per request).
    private static volatile PlatformHash? platform;

    private byte[]? PlatformKeyHash()
    {
        var key = auth.CurrentValue.PlatformKey;
        if (string.IsNullOrEmpty(key)) return null;
        var cached = platform;
        if (cached?.Key == key) return cached.Hash;
        platform = cached = new PlatformHash(key, ApiKeys.Hash(key));
        return cached.Hash;
    }

    private static HashSet<string> ScopeSet(string scopes) => scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
}
