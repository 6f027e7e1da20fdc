using System.Reflection;

namespace Csp.Api.Tests.Infrastructure;

public static class Repo
{
    /// <summary>The repository root, recorded at build time.</summary>
    public static string Root { get; } = typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);
}
