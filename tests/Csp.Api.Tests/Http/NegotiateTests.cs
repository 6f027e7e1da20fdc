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

    [Fact]
    public void A_wildcard_reaches_every_type_it_matches_and_nothing_acceptable_is_none()
    {
        Assert.Equal("text/csv", Choose("text/*", "application/json", "text/csv"));
        Assert.Equal("application/json", Choose("*/*", "application/json", "text/csv"));
        Assert.Null(Choose("application/xml", "application/json", "text/csv"));
        Assert.Null(Choose("text/csv;q=0", "application/json", "text/csv"));
        Assert.Equal("text/html", Choose("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html", "text/markdown"));
        Assert.Equal("text/markdown", Choose("text/markdown", "text/html", "text/markdown"));
        Assert.Equal("image/svg+xml", Choose("image/avif,image/webp,image/*,*/*;q=0.8", "image/svg+xml"));
    }

    [Fact]
    public void Format_decides_over_Accept_and_an_unknown_or_unoffered_format_is_none()
    {
        Assert.Equal("text/csv", Choose("application/json", "application/json", "text/csv", format: "csv"));
        Assert.Null(Choose(null, "application/json", "text/csv", format: "docx"));
        Assert.Null(Choose(null, "application/json", "text/csv", format: "pdf"));
    }

    private static string? Choose(string? accept, params string[] offered) => Choose(accept, offered[0], offered[1..]);

    private static string? Choose(string? accept, string first, string[] rest, string? format = null)
    {
        var request = new DefaultHttpContext().Request;
        if (accept is not null) request.Headers.Accept = accept;
        if (format is not null) request.QueryString = new QueryString("?format=" + format);
        return Negotiate.Choose(request, [first, .. rest]);
    }

    private static string? Choose(string? accept, string first, string second, string? format) => Choose(accept, first, [second], format);

    private static bool Prefers(string? accept, string mediaType)
    {
        var request = new DefaultHttpContext().Request;
        if (accept is not null) request.Headers.Accept = accept;
        return Negotiate.Prefers(request, mediaType);
    }
}
