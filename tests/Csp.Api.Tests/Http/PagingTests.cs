using System.Net;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Http;

/// <summary>Issue 2, point 7: cursor pagination <c>?limit=&amp;cursor=</c> → <c>{items, nextCursor}</c>, limit 1–200.</summary>
[Collection(ApiCollection.Name)]
public sealed class PagingTests(CspApiFactory factory)
{
    private static async Task<List<Guid>> CreateAgencies(TestTenant t, int count)
    {
        var ids = new List<Guid>();
        for (var i = 1; i <= count; i++) ids.Add((await t.CreateAgencyAsync($"A{i}")).Id());
        return ids;
    }

    [Fact]
    public async Task Five_agencies_in_pages_of_two_are_three_pages_without_duplicates_or_gaps()
    {
        var t = await TestTenant.CreateAsync(factory);
        var created = await CreateAgencies(t, 5);

        var pages = new List<JsonObject>();
        string? cursor = null;
        do
        {
            var response = await t.Admin.GetAsync(t.Path("/agencies?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))));
            var page = await TestTenant.Expect(response, HttpStatusCode.OK);
            pages.Add(page);
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null && pages.Count < 10);

        Assert.Equal(3, pages.Count);
        Assert.Equal(new[] { 2, 2, 1 }, pages.Select(p => p["items"]!.AsArray().Count));
        Assert.All(pages.Take(2), p => Assert.False(string.IsNullOrEmpty(p["nextCursor"]?.GetValue<string>())));
        Assert.False(pages[2].ContainsKey("nextCursor"), "nextCursor must be absent (not null) on the last page");
        var seen = pages.SelectMany(p => p["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>())).ToList();
        Assert.Equal(created, seen); // all, once each, in creation order
    }

    [Fact]
    public async Task A_list_that_fits_one_page_has_no_next_cursor()
    {
        var t = await TestTenant.CreateAsync(factory);
        var created = await CreateAgencies(t, 4);

        var exact = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/agencies?limit=4")), HttpStatusCode.OK);
        var byDefault = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/agencies")), HttpStatusCode.OK);
        var max = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/agencies?limit=200")), HttpStatusCode.OK);

        foreach (var page in new[] { exact, byDefault, max })
        {
            Assert.Equal(created, page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()));
            Assert.False(page.ContainsKey("nextCursor"));
        }
    }

    [Fact]
    public async Task An_empty_list_is_an_empty_items_array()
    {
        var t = await TestTenant.CreateAsync(factory);

        var page = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/agencies")), HttpStatusCode.OK);

        Assert.Empty(page["items"]!.AsArray());
        Assert.False(page.ContainsKey("nextCursor"));
    }

    [Fact]
    public async Task A_page_of_one_walks_every_row()
    {
        var t = await TestTenant.CreateAsync(factory);
        var created = await CreateAgencies(t, 3);

        var seen = new List<Guid>();
        string? cursor = null;
        var requests = 0;
        do
        {
            var page = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/agencies?limit=1" + (cursor is null ? "" : "&cursor=" + cursor))), HttpStatusCode.OK);
            seen.AddRange(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()));
            cursor = page["nextCursor"]?.GetValue<string>();
            requests++;
        } while (cursor is not null && requests < 10);

        Assert.Equal(created, seen);
        Assert.Equal(3, requests);
    }

    [Fact]
    public async Task A_row_deleted_between_pages_does_not_break_the_cursor()
    {
        var t = await TestTenant.CreateAsync(factory);
        var created = await CreateAgencies(t, 4);
        var first = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/agencies?limit=2")), HttpStatusCode.OK);
        // The last row of the first page is what the cursor points after.
        await TestTenant.Expect(await t.Admin.DeleteAsync(t.Path($"/agencies/{created[1]}")), HttpStatusCode.NoContent);

        var second = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/agencies?limit=2&cursor=" + first.Str("nextCursor"))), HttpStatusCode.OK);

        Assert.Equal(created.Skip(2), second["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("201")]
    [InlineData("-1")]
    [InlineData("100000")]
    public async Task A_limit_outside_1_to_200_is_400_on_limit(string limit)
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.GetAsync(t.Path($"/agencies?limit={limit}"));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey("limit"), problem.ToJsonString());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public async Task A_limit_that_is_not_an_integer_is_400_problem(string limit)
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.GetAsync(t.Path($"/agencies?limit={limit}"));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        HttpKit.AssertNoInternals(problem);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("!!!")]
    [InlineData("aGVsbG8")] // base64url of "hello": decodes, but is no sort key
    [InlineData("MTIzfG5vdC1hLWd1aWQ")] // "123|not-a-guid"
    public async Task A_cursor_this_api_did_not_issue_is_400_on_cursor(string cursor)
    {
        var t = await TestTenant.CreateAsync(factory);
        await CreateAgencies(t, 2);

        var response = await t.Admin.GetAsync(t.Path($"/agencies?cursor={Uri.EscapeDataString(cursor)}"));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey("cursor"), problem.ToJsonString());
    }

    [Fact]
    public async Task An_overlong_cursor_is_400_on_cursor()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.GetAsync(t.Path($"/agencies?cursor={new string('A', 1000)}"));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey("cursor"));
    }

    [Fact]
    public async Task Limit_and_cursor_errors_are_reported_together()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.GetAsync(t.Path("/agencies?limit=0&cursor=garbage"));

        var errors = (await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest)).Errors();
        Assert.True(errors.ContainsKey("limit") && errors.ContainsKey("cursor"), errors.ToJsonString());
    }

    [Fact]
    public async Task The_platform_list_of_partnerships_validates_its_limit_too()
    {
        var platform = factory.ClientWithKey(CspApiFactory.PlatformKey);

        var bad = await platform.GetAsync("/v1/partnerships?limit=201");
        var good = await platform.GetAsync("/v1/partnerships?limit=1");

        await TestTenant.ExpectProblem(bad, HttpStatusCode.BadRequest);
        var page = await TestTenant.Expect(good, HttpStatusCode.OK);
        Assert.True(page["items"]!.AsArray().Count <= 1);
    }
}
