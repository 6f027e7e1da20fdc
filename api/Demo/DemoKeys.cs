namespace Csp.Api.Demo;

/// <summary>
/// The well-known keys of the Southwark demo (README lists them). They exist only in a database
/// seeded in Development; seeding is refused in Production.
/// </summary>
public static class DemoKeys
{
    public const string Admin = "csp_demoadmin_southwark-demo-admin-key-not-secret";
    public const string Reader = "csp_demoreader_southwark-demo-read-key-not-secret";
    public const string PlansWriter = "csp_demoplans_southwark-demo-plans-key-not-secret";
    public const string PoliceFeed = "csp_demopolice_southwark-demo-met-feed-key-not-secret";
    public const string NhsFeed = "csp_demonhs_southwark-demo-icb-feed-key-not-secret";
}
