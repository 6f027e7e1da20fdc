using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Observability;

/// <summary>Reads samples out of the Prometheus text exposition format that /metrics serves.</summary>
internal static partial class PrometheusText
{
    /// <summary>The value of the sample <paramref name="name"/> whose labels include every one of <paramref name="labels"/>;
    /// null when there is none. Throws when more than one matches (the labels given do not pick one series).</summary>
    public static double? Value(string text, string name, params (string Label, string Value)[] labels)
    {
        double? found = null;
        foreach (var line in text.Split('\n'))
        {
            var match = Sample().Match(line);
            if (!match.Success || match.Groups["name"].Value != name) continue;
            var have = Labels().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["k"].Value, m => m.Groups["v"].Value);
            if (!labels.All(l => have.TryGetValue(l.Label, out var v) && v == l.Value)) continue;
            if (found is not null) throw new Xunit.Sdk.XunitException($"More than one sample of {name} matches the labels: {line}");
            found = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return found;
    }

    /// <summary>Scrapes /metrics with the platform key until <paramref name="ready"/> holds (the exporter caches a scrape for
    /// a few hundred milliseconds), and returns the last text.</summary>
    public static async Task<string> ScrapeUntilAsync(CspApiFactory factory, Func<string, bool> ready)
    {
        using var client = factory.CreateDefaultClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", CspApiFactory.PlatformKey);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var response = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            if (ready(text) || DateTime.UtcNow > deadline) return text;
            await Task.Delay(100);
        }
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)""")]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?<k>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<v>(?:[^""\\]|\\.)*)""")]
    private static partial Regex Labels();
}
