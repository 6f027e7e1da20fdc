using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Clients;

/// <summary>Issue 2, point 4: clients and keys — random, shown once, stored hashed, revocable.</summary>
[Collection(ApiCollection.Name)]
public sealed class ClientTests(CspApiFactory factory)
{
    [Fact]
    public async Task Creating_a_client_returns_its_key_once_with_location_etag_and_no_store()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");

        var response = await t.Admin.PostAsJsonAsync(t.Path("/clients"),
            new { name = "Met CONNECT extract", agencyId = met.Id(), scopes = new[] { "read", "observations:write" } });

        var body = await TestTenant.Expect(response, HttpStatusCode.Created);
        var key = body.Str("key");
        Assert.StartsWith("csp_", key);
        Assert.StartsWith($"csp_{body.Str("keyId")}_", key);
        Assert.True(key.Length >= 40, "a key carries enough randomness to be unguessable");
        Assert.Equal($"/v1/partnerships/{t.Slug}/clients/{body.Id()}", response.Headers.Location?.ToString());
        Assert.Equal("\"1\"", response.ETag());
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(new[] { "observations:write", "read" }, body["scopes"]!.AsArray().Select(s => s!.GetValue<string>()).Order());
        Assert.Equal(met.Id(), body["agencyId"]!.GetValue<Guid>());
        var stored = await factory.QueryAsync<(Guid PartnershipId, string Name, Guid? AgencyId, string Scopes)>(
            "SELECT partnership_id, name, agency_id, scopes FROM clients WHERE id = @id", new { id = body.Id() });
        var row = Assert.Single(stored);
        Assert.Equal((t.Id, "Met CONNECT extract", (Guid?)met.Id()), (row.PartnershipId, row.Name, row.AgencyId));
        Assert.Equal(new[] { "observations:write", "read" }, row.Scopes.Split(' ').Order());
        // The key works at once, with exactly the scopes it was given.
        var client = factory.ClientWithKey(key);
        await TestTenant.Expect(await client.GetAsync(t.Path("/agencies")), HttpStatusCode.OK);
        await TestTenant.ExpectProblem(await client.GetAsync(t.Path("/clients")), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Two_clients_get_different_keys()
    {
        var t = await TestTenant.CreateAsync(factory);

        var (_, first, _) = await t.KeyAsync(["read"]);
        var (_, second, _) = await t.KeyAsync(["read"]);

        Assert.NotEqual(first, second);
        Assert.NotEqual(first, t.AdminKey);
    }

    [Fact]
    public async Task Only_a_32_byte_hash_of_the_key_is_stored_never_the_key()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (_, key, clientId) = await t.KeyAsync(["read"]);
        var secret = key[(key.LastIndexOf('_') + 1)..];

        var hash = await factory.ScalarAsync<byte[]>("SELECT key_hash FROM clients WHERE id = @clientId", new { clientId });
        var rows = await factory.QueryAsync<dynamic>("SELECT * FROM clients WHERE id = @clientId", new { clientId });

        Assert.Equal(32, hash.Length);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(key)), hash);
        var row = (IDictionary<string, object>)Assert.Single(rows);
        foreach (var (column, value) in row)
        {
            var text = value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                null => "",
                _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
            };
            Assert.False(text.Contains(key, StringComparison.Ordinal), $"column {column} holds the key");
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"column {column} holds the key's secret");
        }
    }

    [Fact]
    public async Task Listing_and_reading_clients_never_shows_a_key_or_its_hash()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (_, key, clientId) = await t.KeyAsync(["read"]);

        var listResponse = await t.Admin.GetAsync(t.Path("/clients"));
        var getResponse = await t.Admin.GetAsync(t.Path($"/clients/{clientId}"));

        var list = await TestTenant.Expect(listResponse, HttpStatusCode.OK);
        var one = await TestTenant.Expect(getResponse, HttpStatusCode.OK);
        var items = list["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        Assert.Equal(2, items.Count); // the admin key of TestTenant and this one
        foreach (var client in items.Append(one))
        {
            Assert.False(client.ContainsKey("key"), "a listed client carries its key");
            Assert.DoesNotContain(client, p => p.Key.Contains("hash", StringComparison.OrdinalIgnoreCase)
                || p.Key.Equals("secret", StringComparison.OrdinalIgnoreCase));
        }
        foreach (var text in new[] { list.ToJsonString(), one.ToJsonString() })
        {
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
            Assert.DoesNotContain(t.AdminKey, text, StringComparison.Ordinal);
        }
        Assert.Equal(clientId, one.Id());
        Assert.Equal(one["version"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture), getResponse.ETag()!.Trim('"'));
    }

    [Fact]
    public async Task A_client_has_an_etag_and_if_none_match_answers_304()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (_, _, clientId) = await t.KeyAsync(["read"]);
        var first = await t.Admin.GetAsync(t.Path($"/clients/{clientId}"));
        await TestTenant.Expect(first, HttpStatusCode.OK);

        var again = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Get, t.Path($"/clients/{clientId}"), ifNoneMatch: first.ETag()));

        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Equal(first.ETag(), again.ETag());
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Revoking_shows_the_revocation_on_the_client_and_keeps_the_record()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (_, _, clientId) = await t.KeyAsync(["read"]);

        await TestTenant.Expect(await t.Admin.DeleteAsync(t.Path($"/clients/{clientId}")), HttpStatusCode.NoContent);

        var client = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/clients/{clientId}")), HttpStatusCode.OK);
        Assert.NotNull(client["revokedAt"]?.GetValue<string>());
        Assert.EndsWith("Z", client.Str("revokedAt"));
        Assert.Equal(1, await factory.ScalarAsync<long>(
            "SELECT COUNT(*) FROM clients WHERE id = @clientId AND revoked_at IS NOT NULL", new { clientId }));
    }

    [Fact]
    public async Task Revoking_with_a_stale_if_match_is_412_and_the_key_keeps_working()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (reader, _, clientId) = await t.KeyAsync(["read"]);

        var response = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Delete, t.Path($"/clients/{clientId}"), ifMatch: "\"7\""));

        await TestTenant.ExpectProblem(response, HttpStatusCode.PreconditionFailed);
        Assert.Null(await factory.ScalarAsync<DateTimeOffset?>("SELECT revoked_at FROM clients WHERE id = @clientId", new { clientId }));
        await TestTenant.Expect(await reader.GetAsync(t.Path("/agencies")), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Revoking_with_the_current_if_match_works()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (reader, _, clientId) = await t.KeyAsync(["read"]);

        var response = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Delete, t.Path($"/clients/{clientId}"), ifMatch: "\"1\""));

        await TestTenant.Expect(response, HttpStatusCode.NoContent);
        await TestTenant.ExpectProblem(await reader.GetAsync(t.Path("/agencies")), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Revoking_an_unknown_client_is_404_problem()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.DeleteAsync(t.Path($"/clients/{Guid.NewGuid()}"));

        await TestTenant.ExpectProblem(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_client_with_the_platform_scope_is_400_with_errors_and_not_stored()
    {
        var t = await TestTenant.CreateAsync(factory);
        var before = await factory.ClientCountAsync(t.Id);

        var response = await t.Admin.PostAsJsonAsync(t.Path("/clients"), new { name = "operator wannabe", scopes = new[] { "read", "platform" } });

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains(problem.Errors(), e => e.Key.StartsWith("scopes", StringComparison.Ordinal));
        Assert.Equal(before, await factory.ClientCountAsync(t.Id));
        Assert.Equal(0, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM clients WHERE scopes LIKE '%platform%'"));
    }

    [Theory]
    [InlineData("""{"name":"x","scopes":["superuser"]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":[]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["read","read"]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["READ"]}""", "scopes")]
    [InlineData("""{"name":"x"}""", "scopes")]
    [InlineData("""{"name":"x","scopes":null}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["read",null]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":"read"}""", "scopes")]
    [InlineData("""{"name":"","scopes":["read"]}""", "name")]
    [InlineData("""{"scopes":["read"]}""", "name")]
    public async Task An_invalid_client_is_400_with_the_field_in_errors_and_not_stored(string json, string field)
    {
        var t = await TestTenant.CreateAsync(factory);
        var before = await factory.ClientCountAsync(t.Id);

        var response = await t.Admin.PostAsync(t.Path("/clients"), HttpKit.Raw(json));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains(problem.Errors(), e => e.Key.StartsWith(field, StringComparison.Ordinal));
        Assert.Equal(before, await factory.ClientCountAsync(t.Id));
    }

    [Fact]
    public async Task A_client_for_an_agency_of_another_partnership_is_400_and_not_stored()
    {
        var a = await TestTenant.CreateAsync(factory);
        var b = await TestTenant.CreateAsync(factory);
        var theirs = await b.CreateAgencyAsync("MET");
        var before = await factory.ClientCountAsync(a.Id);

        var response = await a.Admin.PostAsJsonAsync(a.Path("/clients"), new { name = "borrowed", agencyId = theirs.Id(), scopes = new[] { "read" } });

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey("agencyId"), problem.ToJsonString());
        Assert.Equal(before, await factory.ClientCountAsync(a.Id));
        Assert.Equal(0, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM clients WHERE agency_id = @id", new { id = theirs.Id() }));
    }

    [Fact]
    public async Task A_client_for_an_unknown_agency_is_400()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsJsonAsync(t.Path("/clients"), new { name = "ghost", agencyId = Guid.NewGuid(), scopes = new[] { "read" } });

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey("agencyId"));
        Assert.Equal(1, await factory.ClientCountAsync(t.Id));
    }

    [Theory]
    [InlineData("""{"name":"x","scopes":["read"],"key":"csp_mine_chosen"}""")]
    [InlineData("""{"name":"x","scopes":["read"],"keyHash":"AAAA"}""")]
    [InlineData("""{"name":"x","scopes":["read"],"revokedAt":null}""")]
    public async Task A_client_cannot_choose_its_own_key_or_state(string json)
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsync(t.Path("/clients"), HttpKit.Raw(json));

        await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal(1, await factory.ClientCountAsync(t.Id));
        await TestTenant.ExpectProblem(await factory.ClientWithKey("csp_mine_chosen").GetAsync(t.Path()), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Clients_page_through_with_a_cursor()
    {
        var t = await TestTenant.CreateAsync(factory);
        var made = new List<Guid>();
        for (var i = 0; i < 3; i++) made.Add((await t.KeyAsync(["read"])).ClientId);

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/clients?limit=2" + (cursor is null ? "" : "&cursor=" + cursor))), HttpStatusCode.OK);
            seen.AddRange(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()));
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
        } while (cursor is not null && pages < 10);

        Assert.Equal(2, pages);
        Assert.Equal(4, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.All(made, id => Assert.Contains(id, seen));
    }
}
