using System.Reflection;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Contract;

/// <summary>
/// Indicator values are exact decimals (at most 6 places). A contract that calls them <c>double</c> makes every generated
/// client round them, so the contract says <c>format: decimal</c> and the NSwag client (tests/Csp.Api.Client) types them
/// <c>decimal</c>.
/// </summary>
public sealed class DecimalTests
{
    private static readonly Assembly Api = typeof(Csp.Api.Observations.ObservationInput).Assembly;
    private static readonly Assembly Client = typeof(Csp.GeneratedClient.CspApiClient).Assembly;

    [Fact]
    public void The_generated_client_types_an_observation_value_as_decimal()
    {
        Assert.Equal(typeof(decimal?), Client.GetType("Csp.GeneratedClient.ObservationInput")!.GetProperty("Value")!.PropertyType);
        // Null only in a public answer whose disclosure control withholds the value (issue 16): still a decimal, never a double.
        Assert.Equal(typeof(decimal?), Client.GetType("Csp.GeneratedClient.Observation")!.GetProperty("Value")!.PropertyType);
    }

    /// <summary>Every decimal of every published record, matched by type and property name to the generated client.</summary>
    [Fact]
    public void Every_decimal_the_api_publishes_is_a_decimal_in_the_generated_client()
    {
        var checkedProperties = new List<string>();
        foreach (var type in Api.GetExportedTypes())
        {
            var generated = Client.GetType("Csp.GeneratedClient." + type.Name);
            if (generated is null) continue;
            foreach (var property in type.GetProperties().Where(p => (Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType) == typeof(decimal)))
            {
                var counterpart = generated.GetProperty(property.Name);
                Assert.True(counterpart is not null, $"{generated.FullName} has no {property.Name}");
                Assert.True((Nullable.GetUnderlyingType(counterpart!.PropertyType) ?? counterpart.PropertyType) == typeof(decimal),
                    $"{generated.Name}.{property.Name} is {counterpart.PropertyType.Name} in the generated client, not decimal");
                checkedProperties.Add($"{type.Name}.{property.Name}");
            }
        }
        Assert.Contains("ObservationInput.Value", checkedProperties);
        Assert.Contains("PeriodValue.Value", checkedProperties);
        Assert.Contains("ObservationRevision.OldValue", checkedProperties);
    }

    [Fact]
    public void The_contract_publishes_no_double()
    {
        var doc = JsonNode.Parse(File.ReadAllText(Repo.PathOf("openapi", "v1.json")))!;
        var doubles = new List<string>();
        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["format"]?.GetValue<string>() is "double" or "float") doubles.Add(path);
                    foreach (var (key, child) in o) Walk(child, $"{path}/{key}");
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++) Walk(a[i], $"{path}/{i}");
                    break;
            }
        }
        Walk(doc, "");
        Assert.True(doubles.Count == 0, "Binary floating point in the contract (values are decimals):\n  " + string.Join("\n  ", doubles));
    }
}
