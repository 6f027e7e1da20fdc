namespace Csp.Api.Infrastructure.Auth;

/// <summary>The <c>Auth</c> configuration section.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The operator key (<c>Auth__PlatformKey</c>): creates partnerships and acts as admin of any.</summary>
    public string? PlatformKey { get; set; }
}
