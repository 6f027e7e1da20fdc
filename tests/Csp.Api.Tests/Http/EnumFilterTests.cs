using Csp.Api.Infrastructure;
using Csp.Api.Plans;

namespace Csp.Api.Tests.Http;

/// <summary>The one parser of enum filters (<c>?status=</c>): the contract's names, absent means no filter, one error message.</summary>
public sealed class EnumFilterTests
{
    [Fact]
    public void A_contract_name_is_the_value_and_an_absent_filter_is_none()
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Equal(PlanStatus.Approved, EnumFilter.Parse<PlanStatus>("approved", "status", errors));
        Assert.Null(EnumFilter.Parse<PlanStatus>(null, "status", errors));
        Assert.Null(EnumFilter.Parse<PlanStatus>("", "status", errors));
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("Approved")] // the C# name is not the contract's
    [InlineData("great")]
    public void Any_other_name_is_an_error_listing_the_names(string text)
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Null(EnumFilter.Parse<PlanStatus>(text, "status", errors));
        Assert.Equal(["'status' must be one of: draft, approved, archived."], errors["status"]);
    }
}
