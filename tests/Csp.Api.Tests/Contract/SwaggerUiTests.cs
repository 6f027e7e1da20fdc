using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Security;

namespace Csp.Api.Tests.Contract;

/// <summary>
/// Swagger UI as Production serves it: deep links and the filter box on, the key not remembered in the browser, no page of it
/// framable by another site; and the Authorize dialog's text (the key scheme's description) says where keys come from.
/// </summary>
public sealed partial class SwaggerUiTests(ProductionTransportFactory factory) : IClassFixture<ProductionTransportFactory>
{
    /// <summary>The configuration Swashbuckle writes into index.js, which Swagger UI starts with.</summary>
    internal static JsonObject ConfigOf(string indexJs) =>
        JsonNode.Parse(ConfigObject().Match(indexJs) is { Success: true } m ? m.Groups["json"].Value
            : throw new Xunit.Sdk.XunitException("index.js has no configObject"))!.AsObject();

    [GeneratedRegex(@"var configObject = (?<json>\{.*?\});\s*$", RegexOptions.Multiline)]
    private static partial Regex ConfigObject();

    [Fact]
    public async Task In_production_links_open_operations_the_filter_box_is_on_and_the_key_is_not_remembered()
    {
        var config = ConfigOf(await factory.CreateClient().GetStringAsync("/swagger/index.js"));

        Assert.True(config["deepLinking"]!.GetValue<bool>());
        Assert.NotNull(config["filter"]);
        Assert.NotEqual("false", config["filter"]!.ToString());
        Assert.False(config["persistAuthorization"]!.GetValue<bool>());
        Assert.Equal("/openapi/v1.json", config["urls"]![0]!["url"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/swagger/index.html")]
    [InlineData("/swagger/index.js")]
    [InlineData("/swagger/swagger-ui-bundle.js")]
    public async Task No_page_of_swagger_ui_can_be_framed(string path)
    {
        var response = await factory.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("frame-ancestors 'none'", string.Join(", ", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("DENY", string.Join(", ", response.Headers.GetValues("X-Frame-Options")));
    }

    [Fact]
    public async Task The_authorize_dialog_says_where_keys_come_from()
    {
        var document = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json"))!;

        var description = document["components"]!["securitySchemes"]!["ApiKey"]!["description"]!.GetValue<string>();
        Assert.Contains("`POST /v1/partnerships/{partnership}/clients`", description);
        Assert.Contains("shown once", description);
        Assert.Contains("demo keys listed in the README", description);
    }
}
