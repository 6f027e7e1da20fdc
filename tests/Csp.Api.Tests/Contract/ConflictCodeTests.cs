using Csp.Api.Infrastructure.Data;
using Csp.Api.Observations;
using static Csp.Api.Tests.Contract.ContractDocument;

namespace Csp.Api.Tests.Contract;

/// <summary>A program reading a push's conflicts can rely on the contract: every code the service answers is a value of one enum
/// there, and the enum says what each one means.</summary>
public sealed class ConflictCodeTests
{
    [Fact]
    public void Every_conflict_code_is_a_value_of_the_contracts_enum_with_its_meaning()
    {
        var doc = Committed();
        var schemas = doc["components"]!["schemas"]!;
        Assert.Equal("#/components/schemas/ConflictCode", schemas["ObservationConflict"]!["properties"]!["code"]!["$ref"]!.GetValue<string>());

        var codes = schemas["ConflictCode"]!;
        Assert.Equal(EnumText<ConflictCode>.All.Order(StringComparer.Ordinal),
            codes["enum"]!.AsArray().Select(v => v!.GetValue<string>()).Order(StringComparer.Ordinal));
        var description = codes["description"]!.GetValue<string>();
        var unexplained = EnumText<ConflictCode>.All.Where(code => !description.Contains($"`{code}`: ", StringComparison.Ordinal)).ToList();
        Assert.True(unexplained.Count == 0, "Conflict codes without their meaning in the contract: " + string.Join(", ", unexplained));
        foreach (var added in new[] { "area_outside_partnership", "area_not_valid_for_period", "future_period", "final_value_locked" })
            Assert.Contains(added, EnumText<ConflictCode>.All);
    }
}
