using static Csp.Api.Tests.Contract.ContractDocument;

namespace Csp.Api.Tests.Contract;

/// <summary>What partners already use stays in the contract, marked deprecated, until a version that may drop it.</summary>
public sealed class DeprecationTests
{
    [Theory]
    [InlineData("IndicatorRequest", "target")]
    [InlineData("Indicator", "target")]
    public void A_replaced_field_is_still_there_and_marked_deprecated(string schema, string property)
    {
        var member = Committed()["components"]!["schemas"]![schema]!["properties"]![property];

        Assert.NotNull(member);
        Assert.True(member!["deprecated"]?.GetValue<bool>(), $"{schema}.{property} is not marked deprecated.");
    }

    [Theory]
    [InlineData("createIndicator", "201")]
    [InlineData("updateIndicator", "200")]
    [InlineData("approvePlan", "200")]
    public void An_operation_that_takes_a_deprecated_form_documents_the_Deprecation_header(string operationId, string status)
    {
        var doc = Committed();
        var operation = Find(doc, operationId);

        Assert.NotNull(operation.Node["responses"]![status]!["headers"]?["Deprecation"]?["description"]);
    }
}
