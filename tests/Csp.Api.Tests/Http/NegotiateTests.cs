using Csp.Api.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Csp.Api.Tests.Http;

/// <summary>The one Accept negotiation of the endpoints that also speak CSV or Markdown: JSON unless the client names the other type
/// at least as highly.</summary>
public sealed class NegotiateTests
{
    [Theory]
    [InlineData("text/csv")]
    [InlineData("TEXT/CSV")]
    [InlineData("text/csv; charset=utf-8")]
    [InlineData("text/csv, application/json")]
    [InlineData("application/json;q=0.9, text/csv")]
    [InlineData("text/csv;q=0.9, */*;q=0.8")]
    [InlineData("text/csv;q=0.5, application/json;q=0.5")]
    public void The_named_type_wins_when_wanted_at_least_as_much_as_JSON(string accept) => Assert.True(Prefers(accept, "text/csv"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("application/json")]
    [InlineData("*/*")]
    [InlineData("text/*")]
    [InlineData("text/csv;q=0")]
    [InlineData("application/json, text/csv;q=0.5")]
    [InlineData("text/csv;q=0.5, */*")]
    [InlineData("text/markdown")]
    public void JSON_stays_the_default(string? accept) => Assert.False(Prefers(accept, "text/csv"));

    [Fact]
    public void Every_alternative_type_is_negotiated_the_same_way()
    {
        Assert.True(Prefers("text/markdown", "text/markdown"));
        Assert.True(Prefers("text/markdown;q=0.8, application/json;q=0.8", "text/markdown"));
        Assert.False(Prefers("application/json, text/markdown;q=0.2", "text/markdown"));
        Assert.False(Prefers("text/csv", "text/markdown"));
    }

    private static bool Prefers(string? accept, string mediaType)
    {
        var request = new DefaultHttpContext().Request;
        if (accept is not null) request.Headers.Accept = accept;
        return Negotiate.Prefers(request, mediaType);
    }
}
