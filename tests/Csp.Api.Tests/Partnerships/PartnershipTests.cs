using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Partnerships;

/// <summary>The partnership resource itself: ETag, If-None-Match, If-Match, and who may change it.</summary>
[Collection(ApiCollection.Name)]
public sealed class PartnershipTests(CspApiFactory factory)
{
    [Fact]
    public async Task Get_sends_the_etag_and_if_none_match_answers_304()
    {
        var t = await TestTenant.CreateAsync(factory);

        var get = await t.Admin.GetAsync(t.Path());
        var again = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Get, t.Path(), ifNoneMatch: get.ETag()));

        var body = await TestTenant.Expect(get, HttpStatusCode.OK);
        Assert.Equal("\"1\"", get.ETag());
        Assert.Equal(t.Id, body.Id());
        Assert.Equal("E09000028", body.Str("areaCode"));
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Put_with_the_current_if_match_updates_and_increments_the_version()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Put, t.Path(),
            new { name = "Renamed CSP", areaCode = "E09000022", publicRead = true }, ifMatch: "\"1\""));

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("\"2\"", response.ETag());
        Assert.Equal(t.Slug, body.Str("slug"));
        var row = await factory.QueryAsync<(string Name, string AreaCode, bool PublicRead, long Version)>(
            "SELECT name, area_code, public_read, version FROM partnerships WHERE id = @id", new { id = t.Id });
        Assert.Equal(("Renamed CSP", "E09000022", true, 2L), Assert.Single(row));
    }

    [Fact]
    public async Task Put_with_a_stale_if_match_is_412_and_changes_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Put, t.Path(),
            new { name = "Lost update", areaCode = "E09000022", publicRead = true }, ifMatch: "\"5\""));

        await TestTenant.ExpectProblem(response, HttpStatusCode.PreconditionFailed);
        var row = await factory.QueryAsync<(string Name, long Version)>("SELECT name, version FROM partnerships WHERE id = @id", new { id = t.Id });
        Assert.Equal(($"Test {t.Slug}", 1L), Assert.Single(row));
    }

    [Fact]
    public async Task The_slug_cannot_be_changed()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PutAsJsonAsync(t.Path(), new { slug = "renamed", name = "X", areaCode = "E09000028", publicRead = false });

        await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(t.Slug, await factory.ScalarAsync<string>("SELECT slug FROM partnerships WHERE id = @id", new { id = t.Id }));
    }

    [Fact]
    public async Task A_read_key_cannot_change_the_partnership()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (reader, _, _) = await t.KeyAsync(["read"]);

        var response = await reader.PutAsJsonAsync(t.Path(), new { name = "Hijacked", areaCode = "E09000028", publicRead = true });

        await TestTenant.ExpectProblem(response, HttpStatusCode.Forbidden);
        Assert.False(await factory.ScalarAsync<bool>("SELECT public_read FROM partnerships WHERE id = @id", new { id = t.Id }));
    }

    [Fact]
    public async Task An_invalid_update_is_400_with_errors_and_changes_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PutAsJsonAsync(t.Path(), new { name = "", areaCode = "nowhere", publicRead = false });

        var errors = (await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest)).Errors();
        Assert.True(errors.ContainsKey("name") && errors.ContainsKey("areaCode"), errors.ToJsonString());
        Assert.Equal(1, await factory.ScalarAsync<long>("SELECT version FROM partnerships WHERE id = @id", new { id = t.Id }));
    }
}
