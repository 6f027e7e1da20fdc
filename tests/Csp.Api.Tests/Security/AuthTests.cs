using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Security;

/// <summary>Issue 2, point 4: deny by default — 401 without a valid key, 403 without the scope, platform powers.</summary>
[Collection(SecurityCollection.Name)]
public sealed class AuthTests(CspApiFactory factory)
{
    [Fact]
    public async Task No_key_is_401_problem_and_nothing_is_written()
    {
        var t = await TestTenant.CreateAsync(factory);
        var anonymous = factory.ClientWithKey(null);

        var read = await anonymous.GetAsync(t.Path("/agencies"));
        var write = await anonymous.PostAsJsonAsync(t.Path("/agencies"), new { code = "MET", name = "Met", kind = "police" });

        var problem = await TestTenant.ExpectProblem(read, HttpStatusCode.Unauthorized);
        Assert.Contains("X-Api-Key", problem.Str("detail"));
        await TestTenant.ExpectProblem(write, HttpStatusCode.Unauthorized);
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task An_unknown_well_formed_key_is_401()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await factory.ClientWithKey("csp_aaaaaaaaaaaaaaaa_c2VjcmV0LXRoYXQtbm9ib2R5LWV2ZXItaXNzdWVk").GetAsync(t.Path("/agencies"));

        await TestTenant.ExpectProblem(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_real_key_id_with_a_wrong_secret_is_401()
    {
        var t = await TestTenant.CreateAsync(factory);
        var tampered = t.AdminKey[..^1] + (t.AdminKey[^1] == 'A' ? 'B' : 'A');

        var response = await factory.ClientWithKey(tampered).GetAsync(t.Path("/agencies"));

        await TestTenant.ExpectProblem(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData("csp_")]
    [InlineData("csp__secret")]
    [InlineData("csp_nounderscore")]
    [InlineData("Bearer csp_abc_def")]
    [InlineData(" ")]
    [InlineData("csp_platform_test-operator-ke")]
    public async Task A_malformed_key_is_401(string key)
    {
        var t = await TestTenant.CreateAsync(factory);
        var client = factory.ClientWithKey(null);
        var request = new HttpRequestMessage(HttpMethod.Get, t.Path("/agencies"));
        request.Headers.TryAddWithoutValidation("X-Api-Key", key);

        var response = await client.SendAsync(request);

        await TestTenant.ExpectProblem(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_overlong_key_is_401()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await factory.ClientWithKey("csp_" + new string('a', 5000) + "_x").GetAsync(t.Path("/agencies"));

        await TestTenant.ExpectProblem(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Two_key_headers_are_401_even_when_one_is_valid()
    {
        var t = await TestTenant.CreateAsync(factory);
        var request = new HttpRequestMessage(HttpMethod.Get, t.Path("/agencies"));
        request.Headers.TryAddWithoutValidation("X-Api-Key", new[] { t.AdminKey, "csp_other_key" });

        var response = await factory.ClientWithKey(null).SendAsync(request);

        await TestTenant.ExpectProblem(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_revoked_key_is_401_from_the_next_request_on()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (reader, _, clientId) = await t.KeyAsync(["read"]);
        await TestTenant.Expect(await reader.GetAsync(t.Path("/agencies")), HttpStatusCode.OK);

        var revoke = await t.Admin.DeleteAsync(t.Path($"/clients/{clientId}"));

        await TestTenant.Expect(revoke, HttpStatusCode.NoContent);
        await TestTenant.ExpectProblem(await reader.GetAsync(t.Path("/agencies")), HttpStatusCode.Unauthorized);
        await TestTenant.ExpectProblem(await reader.GetAsync(t.Path()), HttpStatusCode.Unauthorized);
        Assert.NotNull(await factory.ScalarAsync<DateTimeOffset?>("SELECT revoked_at FROM clients WHERE id = @clientId", new { clientId }));
        // The admin key is untouched by revoking another client.
        await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/agencies")), HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_read_key_cannot_create_an_agency_403_and_nothing_is_stored()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (reader, _, _) = await t.KeyAsync(["read"]);

        var response = await reader.PostAsJsonAsync(t.Path("/agencies"), new { code = "MET", name = "Met", kind = "police" });

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.Forbidden);
        Assert.Contains("admin", problem.Str("detail"));
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task A_read_key_can_read_agencies_but_not_change_or_delete_one()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync("MET");
        var (reader, _, _) = await t.KeyAsync(["read"]);

        var list = await reader.GetAsync(t.Path("/agencies"));
        var get = await reader.GetAsync(t.Path($"/agencies/{agency.Id()}"));
        var put = await reader.PutAsJsonAsync(t.Path($"/agencies/{agency.Id()}"), new { code = "MET", name = "Renamed", kind = "police" });
        var delete = await reader.DeleteAsync(t.Path($"/agencies/{agency.Id()}"));

        await TestTenant.Expect(list, HttpStatusCode.OK);
        await TestTenant.Expect(get, HttpStatusCode.OK);
        await TestTenant.ExpectProblem(put, HttpStatusCode.Forbidden);
        await TestTenant.ExpectProblem(delete, HttpStatusCode.Forbidden);
        var row = await factory.AgencyRowAsync(agency.Id());
        Assert.Equal(("Agency MET", 1L), (row.Name, row.Version));
    }

    [Theory]
    [InlineData("read")]
    [InlineData("plans:write")]
    [InlineData("observations:write")]
    public async Task Only_admin_may_manage_clients(string scope)
    {
        var t = await TestTenant.CreateAsync(factory);
        var (client, _, clientId) = await t.KeyAsync([scope]);
        var before = await factory.ClientCountAsync(t.Id);

        var list = await client.GetAsync(t.Path("/clients"));
        var create = await client.PostAsJsonAsync(t.Path("/clients"), new { name = "escalation", scopes = new[] { "admin" } });
        var revoke = await client.DeleteAsync(t.Path($"/clients/{clientId}"));

        await TestTenant.ExpectProblem(list, HttpStatusCode.Forbidden);
        await TestTenant.ExpectProblem(create, HttpStatusCode.Forbidden);
        await TestTenant.ExpectProblem(revoke, HttpStatusCode.Forbidden);
        Assert.Equal(before, await factory.ClientCountAsync(t.Id));
        Assert.Null(await factory.ScalarAsync<DateTimeOffset?>("SELECT revoked_at FROM clients WHERE id = @clientId", new { clientId }));
    }

    [Fact]
    public async Task A_plans_write_key_cannot_create_an_agency()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (writer, _, _) = await t.KeyAsync(["plans:write"]);

        var response = await writer.PostAsJsonAsync(t.Path("/agencies"), new { code = "MET", name = "Met", kind = "police" });

        await TestTenant.ExpectProblem(response, HttpStatusCode.Forbidden);
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task The_platform_key_creates_a_partnership_201()
    {
        var platform = factory.ClientWithKey(CspApiFactory.PlatformKey);
        var slug = $"p-{Guid.NewGuid():N}"[..24];

        var response = await platform.PostAsJsonAsync("/v1/partnerships", new { slug, name = "Lambeth CSP", areaCode = "E09000022" });

        var body = await TestTenant.Expect(response, HttpStatusCode.Created);
        Assert.Equal($"/v1/partnerships/{slug}", response.Headers.Location?.ToString());
        Assert.Equal("\"1\"", response.ETag());
        Assert.Equal(slug, body.Str("slug"));
        Assert.Equal("E09000022", body.Str("areaCode"));
        Assert.False(body["publicRead"]!.GetValue<bool>());
        var stored = await factory.QueryAsync<(Guid Id, string Name, string AreaCode, long Version)>(
            "SELECT id, name, area_code, version FROM partnerships WHERE slug = @slug", new { slug });
        Assert.Equal((body.Id(), "Lambeth CSP", "E09000022", 1L), Assert.Single(stored));
    }

    [Fact]
    public async Task The_platform_key_acts_as_admin_of_any_partnership()
    {
        var t = await TestTenant.CreateAsync(factory);
        var platform = factory.ClientWithKey(CspApiFactory.PlatformKey);

        var agency = await TestTenant.Expect(
            await platform.PostAsJsonAsync(t.Path("/agencies"), new { code = "LFB", name = "London Fire Brigade", kind = "fire_rescue" }),
            HttpStatusCode.Created);
        var client = await TestTenant.Expect(
            await platform.PostAsJsonAsync(t.Path("/clients"), new { name = "portal", scopes = new[] { "read" } }),
            HttpStatusCode.Created);
        var clients = await TestTenant.Expect(await platform.GetAsync(t.Path("/clients")), HttpStatusCode.OK);
        var partnership = await TestTenant.Expect(await platform.GetAsync(t.Path()), HttpStatusCode.OK);
        var revoke = await platform.DeleteAsync(t.Path($"/clients/{client.Id()}"));

        await TestTenant.Expect(revoke, HttpStatusCode.NoContent);
        Assert.Equal(t.Id, partnership.Id());
        Assert.Contains(clients["items"]!.AsArray(), c => c!["id"]!.GetValue<Guid>() == client.Id());
        Assert.Equal(t.Id, await factory.ScalarAsync<Guid>(
            "SELECT partnership_id FROM agencies WHERE id = @id", new { id = agency.Id() }));
        Assert.NotNull(await factory.ScalarAsync<DateTimeOffset?>("SELECT revoked_at FROM clients WHERE id = @id", new { id = client.Id() }));
    }

    [Fact]
    public async Task A_client_admin_key_cannot_create_or_list_partnerships_403()
    {
        var t = await TestTenant.CreateAsync(factory);
        var slug = $"x-{Guid.NewGuid():N}"[..24];

        var create = await t.Admin.PostAsJsonAsync("/v1/partnerships", new { slug, name = "Rogue", areaCode = "E09000028" });
        var list = await t.Admin.GetAsync("/v1/partnerships");

        var problem = await TestTenant.ExpectProblem(create, HttpStatusCode.Forbidden);
        Assert.Contains("platform", problem.Str("detail"));
        await TestTenant.ExpectProblem(list, HttpStatusCode.Forbidden);
        Assert.Equal(0, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM partnerships WHERE slug = @slug", new { slug }));
    }

    [Fact]
    public async Task No_key_cannot_create_a_partnership_401()
    {
        var slug = $"x-{Guid.NewGuid():N}"[..24];

        var response = await factory.ClientWithKey(null).PostAsJsonAsync("/v1/partnerships", new { slug, name = "Anon", areaCode = "E09000028" });

        await TestTenant.ExpectProblem(response, HttpStatusCode.Unauthorized);
        Assert.Equal(0, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM partnerships WHERE slug = @slug", new { slug }));
    }

    [Fact]
    public async Task A_partnership_that_opts_into_public_read_still_needs_a_key_for_the_read_back()
    {
        var t = await TestTenant.CreateAsync(factory, publicRead: true);
        await t.CreateAgencyAsync("MET");

        var response = await factory.ClientWithKey(null).GetAsync(t.Path("/observations"));

        await TestTenant.ExpectProblem(response, HttpStatusCode.Unauthorized);
    }
}
