namespace Csp.Api.Demo;

/// <summary>Placeholder replaced below.</summary>
public sealed class DemoSeeder
{
    public void SeedIfEmpty() { }
}
