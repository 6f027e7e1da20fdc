using System.Diagnostics;
using System.Text.RegularExpressions;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Deployment;

/// <summary>
/// What the container promises, checked without a Docker engine (none runs in CI): the image runs as its non-root user,
/// its HEALTHCHECK asks /health/ready through the service's own <c>probe</c> command (the runtime image has no curl), and
/// every service of the compose file has a healthcheck. <c>.ci/run</c> also lints the Dockerfile (dockerfile-utils).
/// </summary>
public sealed partial class ContainerTests
{
    private static readonly string Dockerfile = File.ReadAllText(Repo.PathOf("Dockerfile"));

    /// <summary>The instructions of the final stage (after the last FROM), continuation lines joined.</summary>
    private static List<string> RuntimeStage()
    {
        var joined = Dockerfile.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n')
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        return joined.Skip(joined.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal))).ToList();
    }

    [Fact]
    public void The_image_runs_as_the_runtime_images_unprivileged_user()
    {
        var users = RuntimeStage().Where(l => l.StartsWith("USER ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["USER $APP_UID"], users);
        var entry = RuntimeStage().FindIndex(l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal));
        Assert.True(RuntimeStage().FindIndex(l => l.StartsWith("USER ", StringComparison.Ordinal)) < entry);
    }

    [GeneratedRegex("""HEALTHCHECK .*CMD \["dotnet", "/app/Csp\.Api\.dll", "probe", "http://127\.0\.0\.1:8080/health/ready"\]""")]
    private static partial Regex ReadyCheck();

    [Fact]
    public void The_image_has_a_healthcheck_on_readiness_through_the_probe_command()
    {
        Assert.Single(RuntimeStage(), l => ReadyCheck().IsMatch(l));
        Assert.Contains(RuntimeStage(), l => l.StartsWith("EXPOSE 8080", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_compose_service_has_a_healthcheck()
    {
        var compose = File.ReadAllLines(Repo.PathOf("docker-compose.yml"));
        var services = compose.SkipWhile(l => l != "services:").Skip(1).TakeWhile(l => l.Length == 0 || l.StartsWith(' '))
            .Where(l => l.StartsWith("  ", StringComparison.Ordinal) && !l.StartsWith("   ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(':'))
            .Select(l => l.Trim().TrimEnd(':')).ToList();
        Assert.Equal(["api", "sqlserver"], services);
        foreach (var service in services)
        {
            var block = compose.SkipWhile(l => l != $"  {service}:").Skip(1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal) || l.Length == 0);
            Assert.Contains(block, l => l.Trim() == "healthcheck:");
        }
    }

    private static async Task<(int Exit, string Output)> ProbeAsync(string url)
    {
        var assembly = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("probe");
        start.ArgumentList.Add(url);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, output);
    }

    [Fact]
    public async Task The_probe_command_is_0_for_a_ready_service_and_1_for_none()
    {
        await using var service = await LiveService.StartAsync();

        var ready = await ProbeAsync(new Uri(service.BaseAddress, "/health/ready").ToString());
        Assert.True(ready.Exit == 0, ready.Output);

        await service.KillAsync();
        var gone = await ProbeAsync(new Uri(service.BaseAddress, "/health/ready").ToString());
        Assert.Equal(1, gone.Exit);
    }
}
