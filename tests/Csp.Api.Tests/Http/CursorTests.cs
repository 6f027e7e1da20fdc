using Csp.Api.Infrastructure;

namespace Csp.Api.Tests.Http;

/// <summary>The one cursor codec every list pages with: its byte format (cursors already issued keep working) and what it refuses.</summary>
public sealed class CursorTests
{
    private static readonly Guid Id = Guid.Parse("0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b");

    [Fact]
    public void Keys_encode_to_unpadded_base64url_of_their_parts_joined_by_a_bar()
    {
        Assert.Equal("MDE5MGEzYjQtNWM2ZC03ZThmLTlhMGItMWMyZDNlNGY1YTZi", Cursor.Encode(PageRequest.Key(Id)));
        Assert.Equal("M3wwMTkwYTNiNC01YzZkLTdlOGYtOWEwYi0xYzJkM2U0ZjVhNmI", Cursor.Encode(PageRequest.Key(3, Id)));
        Assert.Equal("MjAyNC0wNnxFMDkwMDAwMjg", Cursor.Encode("2024-06", "E09000028"));
    }

    [Theory]
    [InlineData("2024-06", "E09000028")]
    [InlineData("0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b")]
    [InlineData("12", "0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b")]
    [InlineData("Ünïcode", "")]
    public void Decoding_gives_back_the_parts(params string[] parts)
    {
        Assert.True(Cursor.TryDecode(Cursor.Encode(parts), out var decoded));
        Assert.Equal(parts, decoded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64url!")]
    [InlineData("a")]
    public void What_is_not_base64url_does_not_decode(string cursor) => Assert.False(Cursor.TryDecode(cursor, out _));

    [Fact]
    public void A_cursor_longer_than_any_issued_is_refused_before_decoding()
    {
        Assert.True(Cursor.TryDecode(new string('A', Cursor.MaxLength), out _));
        Assert.False(Cursor.TryDecode(new string('A', Cursor.MaxLength + 1), out _));
    }

    [Fact]
    public void A_part_holding_the_separator_cannot_be_encoded() =>
        Assert.Throws<ArgumentException>(() => Cursor.Encode("2024|06", "E09000028"));

    [Fact]
    public void A_page_request_reads_back_the_id_and_position_of_the_key_it_issued()
    {
        var byId = Parse(Cursor.Encode(PageRequest.Key(Id)));
        var byPosition = Parse(Cursor.Encode(PageRequest.Key(42, Id)));

        Assert.Equal(Id, byId.AfterId);
        Assert.Null(byId.AfterPosition);
        Assert.Equal(Id, byPosition.AfterId);
        Assert.Equal(42, byPosition.AfterPosition);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("MjAyNC0wNnxFMDkwMDAwMjg")] // an observations key: not an id
    [InlineData("eHwwMTkwYTNiNC01YzZkLTdlOGYtOWEwYi0xYzJkM2U0ZjVhNmI")] // "x|{id}": a position that is not a number
    public void A_cursor_that_is_not_a_key_of_the_list_is_the_one_error(string cursor)
    {
        Assert.False(PageRequest.TryCreate(10, cursor, out _, out var errors));
        Assert.Equal([Cursor.NotIssued], errors["cursor"]);
        Assert.Equal("The cursor is not one this API issued.", Cursor.NotIssued);
    }

    [Fact]
    public void A_list_with_its_own_key_decides_which_parts_it_takes()
    {
        static bool IsPeriodAndArea(string[] parts) => parts is [{ Length: > 0 }, _];

        Assert.True(PageRequest.TryCreate(null, Cursor.Encode("2024-06", "E09000028"), IsPeriodAndArea, out var page, out _));
        Assert.Equal(["2024-06", "E09000028"], page.After!);
        Assert.Equal(PageRequest.DefaultLimit + 1, page.Fetch);
        Assert.False(PageRequest.TryCreate(null, Cursor.Encode(PageRequest.Key(Id)), IsPeriodAndArea, out _, out var errors));
        Assert.Equal([Cursor.NotIssued], errors["cursor"]);
    }

    [Fact]
    public void The_last_row_of_a_full_page_becomes_the_next_cursor()
    {
        var page = new PageRequest(2, null);
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };

        var full = page.ToPage(ids, PageRequest.Key);
        var last = page.ToPage(ids[..2], PageRequest.Key);

        Assert.Equal(ids[..2], full.Items);
        Assert.Equal(Cursor.Encode(PageRequest.Key(ids[1])), full.NextCursor);
        Assert.Null(last.NextCursor);
    }

    private static PageRequest Parse(string cursor)
    {
        Assert.True(PageRequest.TryCreate(null, cursor, out var page, out var errors), string.Join("; ", errors.Keys));
        return page;
    }
}
