using Csp.Api.Infrastructure;
using Csp.Api.Plans;

namespace Csp.Api.Tests.Http;

/// <summary>The one parser of enum filters (<c>?status=</c>): the contract's names as a comma list, absent means no filter, one error
/// message.</summary>
public sealed class EnumFilterTests
{
    [Fact]
    public void A_contract_name_is_the_value_and_an_absent_filter_is_none()
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Equal([PlanStatus.Approved], EnumFilter.ParseSet<PlanStatus>("approved", "status", errors)!);
        Assert.Null(EnumFilter.ParseSet<PlanStatus>(null, "status", errors));
        Assert.Null(EnumFilter.ParseSet<PlanStatus>("", "status", errors));
        Assert.Empty(errors);
    }

    [Fact]
    public void A_comma_list_is_a_set_of_names()
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Equal(new HashSet<PlanStatus> { PlanStatus.Approved, PlanStatus.Archived },
            EnumFilter.ParseSet<PlanStatus>("approved, archived,approved", "status", errors));
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("Approved")] // the C# name is not the contract's
    [InlineData("great")]
    [InlineData("approved,great")]
    [InlineData("approved,")]
    public void Any_other_name_is_an_error_listing_the_names(string text)
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Null(EnumFilter.ParseSet<PlanStatus>(text, "status", errors));
        Assert.Equal(["'status' must be one of: draft, approved, archived."], errors["status"]);
    }
}
