using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Agencies;

/// <summary>Agencies CRUD with ETags and If-Match/If-None-Match (issue 2, points 5–7).</summary>
[Collection(ApiCollection.Name)]
public sealed class AgencyTests(CspApiFactory factory)
{
    [Fact]
    public async Task Create_is_201_with_location_etag_and_the_stored_row()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsJsonAsync(t.Path("/agencies"),
            new { code = "MET-CS", name = "Metropolitan Police, Central South BCU", kind = "police" });

        var body = await TestTenant.Expect(response, HttpStatusCode.Created);
        Assert.Equal($"/v1/partnerships/{t.Slug}/agencies/{body.Id()}", response.Headers.Location?.ToString());
        Assert.Equal("\"1\"", response.ETag());
        Assert.Equal("MET-CS", body.Str("code"));
        Assert.Equal("Metropolitan Police, Central South BCU", body.Str("name"));
        Assert.Equal("police", body.Str("kind"));
        Assert.Equal(1, body["version"]!.GetValue<long>());
        Assert.EndsWith("Z", body.Str("createdAt"));
        Assert.Equal(body.Str("createdAt"), body.Str("updatedAt"));
        Assert.Equal(7, (body["id"]!.GetValue<Guid>().ToString()[14] - '0')); // UUIDv7
        var stored = await factory.QueryAsync<(Guid PartnershipId, string Code, string Name, string Kind, long Version)>(
            "SELECT partnership_id, code, name, kind, version FROM agencies WHERE id = @id", new { id = body.Id() });
        Assert.Equal((t.Id, "MET-CS", "Metropolitan Police, Central South BCU", "police", 1L), Assert.Single(stored));
        // The Location answers.
        await TestTenant.Expect(await t.Admin.GetAsync(response.Headers.Location), HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("police")]
    [InlineData("local_authority")]
    [InlineData("health")]
    [InlineData("probation")]
    [InlineData("fire_rescue")]
    [InlineData("youth_justice")]
    [InlineData("voluntary")]
    [InlineData("other")]
    public async Task Every_kind_of_the_contract_is_accepted_and_stored_as_its_name(string kind)
    {
        var t = await TestTenant.CreateAsync(factory);

        var body = await t.CreateAgencyAsync("A1", kind);

        Assert.Equal(kind, body.Str("kind"));
        Assert.Equal(kind, (await factory.AgencyRowAsync(body.Id())).Kind);
    }

    [Fact]
    public async Task Get_sends_the_etag_and_if_none_match_answers_304()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync("MET");

        var get = await t.Admin.GetAsync(t.Path($"/agencies/{agency.Id()}"));
        var body = await TestTenant.Expect(get, HttpStatusCode.OK);
        var notModified = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Get, t.Path($"/agencies/{agency.Id()}"), ifNoneMatch: get.ETag()));
        var star = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Get, t.Path($"/agencies/{agency.Id()}"), ifNoneMatch: "*"));
        var other = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Get, t.Path($"/agencies/{agency.Id()}"), ifNoneMatch: "\"99\""));

        Assert.Equal("\"1\"", get.ETag());
        Assert.Equal(agency.Id(), body.Id());
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal("\"1\"", notModified.ETag());
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, star.StatusCode);
        await TestTenant.Expect(other, HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_old_etag_gets_the_new_representation_not_304()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync("MET");
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/agencies/{agency.Id()}"), new { code = "MET", name = "Renamed", kind = "police" }), HttpStatusCode.OK);

        var response = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Get, t.Path($"/agencies/{agency.Id()}"), ifNoneMatch: "\"1\""));

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("Renamed", body.Str("name"));
        Assert.Equal("\"2\"", response.ETag());
    }

    [Fact]
    public async Task Put_with_a_stale_if_match_is_412_and_changes_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync("MET", name: "Original");
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/agencies/{agency.Id()}"), new { code = "MET", name = "Second", kind = "police" }), HttpStatusCode.OK);

        var response = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Put, t.Path($"/agencies/{agency.Id()}"),
            new { code = "MET2", name = "Lost update", kind = "other" }, ifMatch: "\"1\""));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.PreconditionFailed);
        Assert.Contains("If-Match", problem.Str("detail"));
        Assert.Equal(("MET", "Second", "police", 2L), await factory.AgencyRowAsync(agency.Id()));
    }

    [Fact]
    public async Task Put_with_a_weak_or_garbage_if_match_is_412()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync("MET", name: "Original");

        var weak = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Put, t.Path($"/agencies/{agency.Id()}"),
            new { code = "MET", name = "Changed", kind = "police" }, ifMatch: "W/\"1\""));
        var garbage = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Put, t.Path($"/agencies/{agency.Id()}"),
            new { code = "MET", name = "Changed", kind = "police" }, ifMatch: "\"abc\""));

        await TestTenant.ExpectProblem(weak, HttpStatusCode.PreconditionFailed);
        await TestTenant.ExpectProblem(garbage, HttpStatusCode.PreconditionFailed);
        Assert.Equal(("MET", "Original", "police", 1L), await factory.AgencyRowAsync(agency.Id()));
    }

    [Fact]
    public async Task Put_with_the_current_if_match_is_200_and_increments_the_version()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync("MET", name: "Original");

        var response = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Put, t.Path($"/agencies/{agency.Id()}"),
            new { code = "MET-CS", name = "Met Central South", kind = "police" }, ifMatch: "\"1\""));

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("\"2\"", response.ETag());
        Assert.Equal(2, body["version"]!.GetValue<long>());
        Assert.Equal("MET-CS", body.Str("code"));
        Assert.Equal(agency.Str("createdAt"), body.Str("createdAt"));
        Assert.True(string.CompareOrdinal(body.Str("updatedAt"), agency.Str("updatedAt")) >= 0);
        Assert.Equal(("MET-CS", "Met Central South", "police", 2L), await factory.AgencyRowAsync(agency.Id()));
    }

    [Fact]
    public async Task Put_of_an_unknown_agency_is_404_and_creates_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PutAsJsonAsync(t.Path($"/agencies/{Guid.NewGuid()}"), new { code = "MET", name = "Met", kind = "police" });

        await TestTenant.ExpectProblem(response, HttpStatusCode.NotFound);
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task Put_to_a_code_another_agency_has_is_400_on_code_and_changes_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);
        await t.CreateAgencyAsync("MET");
        var lfb = await t.CreateAgencyAsync("LFB", "fire_rescue", "London Fire Brigade");

        var response = await t.Admin.PutAsJsonAsync(t.Path($"/agencies/{lfb.Id()}"), new { code = "MET", name = "Clash", kind = "fire_rescue" });

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey("code"), problem.ToJsonString());
        Assert.Equal(("LFB", "London Fire Brigade", "fire_rescue", 1L), await factory.AgencyRowAsync(lfb.Id()));
    }

    [Fact]
    public async Task Put_with_an_invalid_body_is_400_and_changes_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync("MET", name: "Original");

        var response = await t.Admin.PutAsJsonAsync(t.Path($"/agencies/{agency.Id()}"), new { code = "bad code", name = "", kind = "police" });

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey("code"));
        Assert.True(problem.Errors().ContainsKey("name"));
        Assert.Equal(("MET", "Original", "police", 1L), await factory.AgencyRowAsync(agency.Id()));
    }

    [Fact]
    public async Task Delete_is_204_and_the_row_is_gone()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync("MET");

        var response = await t.Admin.DeleteAsync(t.Path($"/agencies/{agency.Id()}"));

        await TestTenant.Expect(response, HttpStatusCode.NoContent);
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
        await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path($"/agencies/{agency.Id()}")), HttpStatusCode.NotFound);
        await TestTenant.ExpectProblem(await t.Admin.DeleteAsync(t.Path($"/agencies/{agency.Id()}")), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_with_a_stale_if_match_is_412_and_the_row_stays()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync("MET");
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path($"/agencies/{agency.Id()}"), new { code = "MET", name = "v2", kind = "police" }), HttpStatusCode.OK);

        var stale = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Delete, t.Path($"/agencies/{agency.Id()}"), ifMatch: "\"1\""));

        await TestTenant.ExpectProblem(stale, HttpStatusCode.PreconditionFailed);
        Assert.Equal(1, await factory.AgencyCountAsync(t.Id));
        var current = await t.Admin.SendAsync(HttpKit.Request(HttpMethod.Delete, t.Path($"/agencies/{agency.Id()}"), ifMatch: "\"2\""));
        await TestTenant.Expect(current, HttpStatusCode.NoContent);
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task Deleting_an_agency_a_priority_names_is_409_and_the_row_stays()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        var plan = await t.CreatePlanAsync();
        await t.CreatePriorityAsync(plan.Id(), leadAgencyId: met.Id());

        var response = await t.Admin.DeleteAsync(t.Path($"/agencies/{met.Id()}"));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.Conflict);
        HttpKit.AssertNoInternals(problem);
        Assert.Equal(1, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task Deleting_an_agency_a_client_acts_for_is_409_and_the_row_stays()
    {
        var t = await TestTenant.CreateAsync(factory);
        var met = await t.CreateAgencyAsync("MET");
        await t.KeyAsync(["observations:write"], met.Id());

        var response = await t.Admin.DeleteAsync(t.Path($"/agencies/{met.Id()}"));

        await TestTenant.ExpectProblem(response, HttpStatusCode.Conflict);
        Assert.Equal(1, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task A_duplicate_code_is_400_on_code_and_stores_one_row()
    {
        var t = await TestTenant.CreateAsync(factory);
        await t.CreateAgencyAsync("MET");

        var response = await t.Admin.PostAsJsonAsync(t.Path("/agencies"), new { code = "MET", name = "Another Met", kind = "police" });

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey("code"), problem.ToJsonString());
        Assert.Equal(1, await factory.AgencyCountAsync(t.Id));
    }

    [Theory]
    [InlineData("met")]
    [InlineData("-MET")]
    [InlineData("MET CS")]
    [InlineData("MET_CS")]
    [InlineData("")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456")] // 33 characters
    public async Task A_code_outside_the_pattern_is_400_on_code(string code)
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsJsonAsync(t.Path("/agencies"), new { code, name = "Met", kind = "police" });

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey("code"), problem.ToJsonString());
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task A_32_character_code_is_accepted()
    {
        var t = await TestTenant.CreateAsync(factory);

        var agency = await t.CreateAgencyAsync("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345");

        Assert.Equal("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", (await factory.AgencyRowAsync(agency.Id())).Code);
    }

    [Theory]
    [InlineData("""{"code":"MET","name":"Met","kind":"polic"}""")]
    [InlineData("""{"code":"MET","name":"Met","kind":""}""")]
    [InlineData("""{"code":"MET","name":"Met","kind":99}""")]
    [InlineData("""{"code":"MET","name":"Met","kind":1}""")]
    [InlineData("""{"code":"MET","name":"Met","kind":null}""")]
    [InlineData("""{"code":"MET","name":"Met"}""")]
    public async Task A_kind_outside_the_contract_is_400_on_kind(string json)
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsync(t.Path("/agencies"), HttpKit.Raw(json));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey("kind"), problem.ToJsonString());
        HttpKit.AssertNoInternals(problem);
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Theory]
    [InlineData("""{"code":"MET","kind":"police"}""", "name")]
    [InlineData("""{"code":"MET","name":"","kind":"police"}""", "name")]
    [InlineData("""{"code":"MET","name":null,"kind":"police"}""", "name")]
    [InlineData("""{"name":"Met","kind":"police"}""", "code")]
    [InlineData("""{"code":123,"name":"Met","kind":"police"}""", "code")]
    [InlineData("""{"code":["MET"],"name":"Met","kind":"police"}""", "code")]
    public async Task A_missing_or_mistyped_field_is_400_on_that_field(string json, string field)
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsync(t.Path("/agencies"), HttpKit.Raw(json));

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey(field), problem.ToJsonString());
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task A_name_over_200_characters_is_400_on_name()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsJsonAsync(t.Path("/agencies"), new { code = "MET", name = new string('x', 201), kind = "police" });

        var problem = await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors().ContainsKey("name"));
        Assert.Equal(0, await factory.AgencyCountAsync(t.Id));
    }

    [Fact]
    public async Task Several_invalid_fields_are_reported_together()
    {
        var t = await TestTenant.CreateAsync(factory);

        var response = await t.Admin.PostAsJsonAsync(t.Path("/agencies"), new { code = "bad", name = "", kind = (string?)null });

        var errors = (await TestTenant.ExpectProblem(response, HttpStatusCode.BadRequest)).Errors();
        Assert.True(errors.ContainsKey("code") && errors.ContainsKey("name") && errors.ContainsKey("kind"), errors.ToJsonString());
    }

    [Fact]
    public async Task Get_of_an_unknown_or_malformed_id_is_404_problem()
    {
        var t = await TestTenant.CreateAsync(factory);

        var unknown = await t.Admin.GetAsync(t.Path($"/agencies/{Guid.NewGuid()}"));
        var malformed = await t.Admin.GetAsync(t.Path("/agencies/not-a-guid"));

        await TestTenant.ExpectProblem(unknown, HttpStatusCode.NotFound);
        await TestTenant.ExpectProblem(malformed, HttpStatusCode.NotFound);
    }
}
