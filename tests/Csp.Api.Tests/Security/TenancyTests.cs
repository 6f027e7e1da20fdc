using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Security;

/// <summary>Issue 2, point 3: one partnership per request, and another partnership looks exactly like nothing.</summary>
[Collection(SecurityCollection.Name)]
public sealed class TenancyTests(CspApiFactory factory)
{
    [Fact]
    public async Task An_unknown_slug_is_a_404_problem_even_for_the_platform_key()
    {
        var t = await TestTenant.CreateAsync(factory);
        var platform = factory.ClientWithKey(CspApiFactory.PlatformKey);

        var asPlatform = await platform.GetAsync("/v1/partnerships/no-such-partnership/agencies");
        var asAdmin = await t.Admin.GetAsync("/v1/partnerships/no-such-partnership");

        var problem = await TestTenant.ExpectProblem(asPlatform, HttpStatusCode.NotFound);
        Assert.Contains("no-such-partnership", problem.Str("detail"));
        await TestTenant.ExpectProblem(asAdmin, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_key_of_partnership_a_asking_about_partnership_b_gets_the_same_404_as_an_unknown_slug()
    {
        var a = await TestTenant.CreateAsync(factory);
        var b = await TestTenant.CreateAsync(factory);
        await b.CreateAgencyAsync("MET");

        var other = await a.Admin.GetAsync(b.Path("/agencies"));
        var otherItself = await a.Admin.GetAsync(b.Path());
        var unknown = await a.Admin.GetAsync("/v1/partnerships/no-such-partnership/agencies");

        var otherProblem = await TestTenant.ExpectProblem(other, HttpStatusCode.NotFound);
        await TestTenant.ExpectProblem(otherItself, HttpStatusCode.NotFound);
        var unknownProblem = await TestTenant.ExpectProblem(unknown, HttpStatusCode.NotFound);
        Assert.Equal(unknownProblem.Str("title"), otherProblem.Str("title"));
        Assert.Equal(unknownProblem.Str("detail").Replace("no-such-partnership", b.Slug), otherProblem.Str("detail"));
        Assert.DoesNotContain("MET", otherProblem.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_of_partnership_a_cannot_write_into_partnership_b()
    {
        var a = await TestTenant.CreateAsync(factory);
        var b = await TestTenant.CreateAsync(factory);

        var agency = await a.Admin.PostAsJsonAsync(b.Path("/agencies"), new { code = "MET", name = "Met", kind = "police" });
        var client = await a.Admin.PostAsJsonAsync(b.Path("/clients"), new { name = "implant", scopes = new[] { "admin" } });

        await TestTenant.ExpectProblem(agency, HttpStatusCode.NotFound);
        await TestTenant.ExpectProblem(client, HttpStatusCode.NotFound);
        Assert.Equal(0, await factory.AgencyCountAsync(b.Id));
        Assert.Equal(0, await factory.AgencyCountAsync(a.Id));
        Assert.Equal(1, await factory.ClientCountAsync(b.Id));
    }

    [Fact]
    public async Task A_read_key_of_partnership_a_gets_404_not_403_for_partnership_b()
    {
        var a = await TestTenant.CreateAsync(factory);
        var b = await TestTenant.CreateAsync(factory);
        var (reader, _, _) = await a.KeyAsync(["read"]);

        var response = await reader.PostAsJsonAsync(b.Path("/agencies"), new { code = "MET", name = "Met", kind = "police" });

        await TestTenant.ExpectProblem(response, HttpStatusCode.NotFound);
        Assert.Equal(0, await factory.AgencyCountAsync(b.Id));
    }

    [Fact]
    public async Task An_agency_of_partnership_b_through_a_slug_is_404_like_an_id_that_does_not_exist()
    {
        var a = await TestTenant.CreateAsync(factory);
        var b = await TestTenant.CreateAsync(factory);
        var theirs = await b.CreateAgencyAsync("MET");
        var missing = Guid.NewGuid();

        var other = await a.Admin.GetAsync(a.Path($"/agencies/{theirs.Id()}"));
        var unknown = await a.Admin.GetAsync(a.Path($"/agencies/{missing}"));

        var otherProblem = await TestTenant.ExpectProblem(other, HttpStatusCode.NotFound);
        var unknownProblem = await TestTenant.ExpectProblem(unknown, HttpStatusCode.NotFound);
        Assert.Equal(unknownProblem.Str("title"), otherProblem.Str("title"));
        Assert.Equal(unknownProblem.Str("detail").Replace(missing.ToString(), theirs.Id().ToString()), otherProblem.Str("detail"));
        Assert.Null(other.ETag());
    }

    [Fact]
    public async Task An_agency_of_partnership_b_cannot_be_changed_or_deleted_through_a_slug()
    {
        var a = await TestTenant.CreateAsync(factory);
        var b = await TestTenant.CreateAsync(factory);
        var theirs = await b.CreateAgencyAsync("MET", name: "Metropolitan Police");

        var put = await a.Admin.PutAsJsonAsync(a.Path($"/agencies/{theirs.Id()}"), new { code = "HIJACK", name = "Hijacked", kind = "other" });
        var putIfMatch = await a.Admin.SendAsync(HttpKit.Request(HttpMethod.Put, a.Path($"/agencies/{theirs.Id()}"),
            new { code = "HIJACK", name = "Hijacked", kind = "other" }, ifMatch: "\"1\""));
        var delete = await a.Admin.DeleteAsync(a.Path($"/agencies/{theirs.Id()}"));

        await TestTenant.ExpectProblem(put, HttpStatusCode.NotFound);
        await TestTenant.ExpectProblem(putIfMatch, HttpStatusCode.NotFound);
        await TestTenant.ExpectProblem(delete, HttpStatusCode.NotFound);
        var row = await factory.AgencyRowAsync(theirs.Id());
        Assert.Equal(("MET", "Metropolitan Police", "police", 1L), row);
        Assert.Equal(b.Id, await factory.ScalarAsync<Guid>("SELECT partnership_id FROM agencies WHERE id = @id", new { id = theirs.Id() }));
    }

    [Fact]
    public async Task A_client_of_partnership_b_cannot_be_read_or_revoked_through_a_slug()
    {
        var a = await TestTenant.CreateAsync(factory);
        var b = await TestTenant.CreateAsync(factory);
        var (theirReader, _, theirClientId) = await b.KeyAsync(["read"]);

        var get = await a.Admin.GetAsync(a.Path($"/clients/{theirClientId}"));
        var revoke = await a.Admin.DeleteAsync(a.Path($"/clients/{theirClientId}"));

        await TestTenant.ExpectProblem(get, HttpStatusCode.NotFound);
        await TestTenant.ExpectProblem(revoke, HttpStatusCode.NotFound);
        Assert.Null(await factory.ScalarAsync<DateTimeOffset?>("SELECT revoked_at FROM clients WHERE id = @theirClientId", new { theirClientId }));
        await TestTenant.Expect(await theirReader.GetAsync(b.Path("/agencies")), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Lists_show_only_the_partnerships_own_rows()
    {
        var a = await TestTenant.CreateAsync(factory);
        var b = await TestTenant.CreateAsync(factory);
        var ours = await a.CreateAgencyAsync("MET");
        await b.CreateAgencyAsync("LFB", kind: "fire_rescue");
        await b.KeyAsync(["read"]);

        var agencies = await TestTenant.Expect(await a.Admin.GetAsync(a.Path("/agencies")), HttpStatusCode.OK);
        var clients = await TestTenant.Expect(await a.Admin.GetAsync(a.Path("/clients")), HttpStatusCode.OK);

        Assert.Equal(ours.Id(), Assert.Single(agencies["items"]!.AsArray())!["id"]!.GetValue<Guid>());
        Assert.Single(clients["items"]!.AsArray()); // only a's admin client
    }

    [Fact]
    public async Task The_same_agency_code_may_exist_in_two_partnerships()
    {
        var a = await TestTenant.CreateAsync(factory);
        var b = await TestTenant.CreateAsync(factory);

        var first = await a.CreateAgencyAsync("MET");
        var second = await b.CreateAgencyAsync("MET");

        Assert.NotEqual(first.Id(), second.Id());
        Assert.Equal(a.Id, await factory.ScalarAsync<Guid>("SELECT partnership_id FROM agencies WHERE id = @id", new { id = first.Id() }));
        Assert.Equal(b.Id, await factory.ScalarAsync<Guid>("SELECT partnership_id FROM agencies WHERE id = @id", new { id = second.Id() }));
    }

    [Fact]
    public async Task The_partnership_answers_for_its_own_keys()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (reader, _, _) = await t.KeyAsync(["read"]);

        var response = await reader.GetAsync(t.Path());

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal(t.Id, body.Id());
        Assert.Equal(t.Slug, body.Str("slug"));
        Assert.Equal("\"1\"", response.ETag());
    }

    /// <summary>Every tenant-owned table carries partnership_id and every foreign key between them includes it.</summary>
    [Fact]
    public async Task Every_tenant_table_carries_partnership_id_and_its_foreign_keys_include_it()
    {
        var tables = (await Schema.TablesAsync(factory)).Where(t => t != "partnerships").ToList();
        Assert.Contains("agencies", tables);
        Assert.Contains("clients", tables);

        foreach (var table in tables)
        {
            var columns = await Schema.ColumnsAsync(factory, table);
            Assert.True(columns.Contains("partnership_id"), $"{table} has no partnership_id");

            var keys = await Schema.ForeignKeysAsync(factory, table);
            foreach (var fk in keys.GroupBy(k => k.Id))
            {
                var target = fk.First().Table;
                if (target == "partnerships") continue;
                Assert.True(fk.Any(k => k.From == "partnership_id" && k.To == "partnership_id"),
                    $"{table} -> {target} ({string.Join(", ", fk.Select(k => k.From))}) does not include partnership_id");
            }
        }
    }
}
