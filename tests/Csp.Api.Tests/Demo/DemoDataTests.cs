using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Csp.Api.Demo;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Demo;

/// <summary>The service as <c>dotnet run</c> starts it on a fresh clone: Development, empty database.</summary>
public class DevelopmentFactory : CspApiFactory
{
    public DevelopmentFactory() { }

    protected DevelopmentFactory(TestDatabase database, bool ownsDatabase) : base(database, ownsDatabase) { }

    protected override string Environment => "Development";
}

/// <summary>A second start of the service on a database that already holds the demo.</summary>
public sealed class RestartedDevelopmentFactory(TestDatabase database) : DevelopmentFactory(database, ownsDatabase: false);

/// <summary>Issue 2, point 2: the Southwark demo is seeded in Development, with its well-known keys.</summary>
public sealed class DemoDataTests(DevelopmentFactory factory) : IClassFixture<DevelopmentFactory>
{
    private const string Southwark = "/v1/partnerships/southwark";

    public static TheoryData<string> AllKeys => [DemoKeys.Admin, DemoKeys.Reader, DemoKeys.PlansWriter, DemoKeys.PoliceFeed, DemoKeys.NhsFeed];

    [Fact]
    public async Task The_southwark_partnership_exists_after_start_up()
    {
        var rows = await factory.QueryAsync<(string Name, string AreaCode)>(
            "SELECT name, area_code FROM partnerships WHERE slug = 'southwark'");

        var southwark = Assert.Single(rows);
        Assert.Equal("E09000028", southwark.AreaCode);
        Assert.Contains("Southwark", southwark.Name);
    }

    [Theory]
    [MemberData(nameof(AllKeys))]
    public async Task Every_demo_key_reads_the_southwark_partnership(string key)
    {
        var response = await factory.ClientWithKey(key).GetAsync(Southwark);

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("southwark", body.Str("slug"));
        Assert.Equal("E09000028", body.Str("areaCode"));
    }

    [Theory]
    [MemberData(nameof(AllKeys))]
    public async Task Every_demo_key_is_stored_as_a_hash_only(string key)
    {
        var hashes = await factory.QueryAsync<byte[]>(
            "SELECT c.key_hash FROM clients c JOIN partnerships p ON p.id = c.partnership_id WHERE p.slug = 'southwark'");

        Assert.Contains(hashes, h => h.SequenceEqual(SHA256.HashData(Encoding.UTF8.GetBytes(key))));
        // Nor the key itself in any column, the hash column included (its bytes are not the key's text).
        Assert.Equal(0, await factory.ScalarAsync<long>(
            "SELECT COUNT(*) FROM clients WHERE name = @key OR scopes = @key OR key_id = @key OR key_hash = @keyText",
            new { key, keyText = Encoding.UTF8.GetBytes(key) }));
    }

    [Fact]
    public async Task The_demo_has_its_indicators_each_with_two_years_of_observations_in_the_current_plan()
    {
        var reader = factory.ClientWithKey(DemoKeys.Reader);
        var list = await TestTenant.Expect(await reader.GetAsync(Southwark + "/indicators?limit=100"), HttpStatusCode.OK);
        var codes = list["items"]!.AsArray().Select(i => i!["code"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(["ASB-CALLS", "CONFIDENCE", "DRUG-COMPLETIONS", "KNIFE-CRIME", "KNIFE-INJURY", "ROB-PERSONAL", "THEFT-PERSON", "VAWG-OFFENCES"], codes);

        foreach (var item in list["items"]!.AsArray())
        {
            var id = item!["id"]!.GetValue<Guid>();
            var observations = await TestTenant.Expect(await reader.GetAsync($"{Southwark}/indicators/{id}/observations?limit=100"), HttpStatusCode.OK);
            // The ICB is deliberately behind (see DemoQualityTests): its last months have not arrived.
            var expected = item["code"]!.GetValue<string>() == "DRUG-COMPLETIONS" ? 22 : 24;
            Assert.Equal(expected, observations["items"]!.AsArray().Count);
        }

        var plan = await TestTenant.Expect(await reader.GetAsync(Southwark + "/plans/current"), HttpStatusCode.OK);
        var inPlan = plan["indicators"]!.AsArray().Select(i => i!["indicator"]!["code"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(codes, inPlan);
        Assert.All(plan["indicators"]!.AsArray(), i => Assert.NotNull(i!["latestObservation"]));
    }

    [Fact]
    public async Task The_demo_indicators_say_what_they_count_and_the_Mets_recorded_crime_breaks_at_CONNECT()
    {
        var list = await TestTenant.Expect(await factory.ClientWithKey(DemoKeys.Reader).GetAsync(Southwark + "/indicators?limit=100"), HttpStatusCode.OK);
        var items = list["items"]!.AsArray().Select(i => i!.AsObject()).ToDictionary(i => i.Str("code"));

        Assert.All(items.Values, i => Assert.True(i["definition"]?.GetValue<string>() is { Length: > 20 }, i.ToJsonString()));
        var recordedCrime = new[] { "KNIFE-CRIME", "KNIFE-INJURY", "ROB-PERSONAL", "THEFT-PERSON", "VAWG-OFFENCES" };
        Assert.Equal(recordedCrime, items.Values.Where(i => i["breaks"]!.AsArray().Count > 0).Select(i => i.Str("code")).Order());
        foreach (var code in recordedCrime)
        {
            var connect = Assert.Single(items[code]["breaks"]!.AsArray())!;
            Assert.Equal("2024-02", connect["period"]!.GetValue<string>());
            Assert.Contains("CONNECT", connect["reason"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal("CONNECT", items[code].Str("sourceSystem"));
        }
    }

    [Fact]
    public async Task The_demo_has_last_years_plan_archived_with_its_own_progress_which_this_years_refreshes_all_labelled_as_demo_data()
    {
        var reader = factory.ClientWithKey(DemoKeys.Reader);
        var current = await TestTenant.Expect(await reader.GetAsync(Southwark + "/plans/current"), HttpStatusCode.OK);
        var lastId = current["supersedesId"]!.GetValue<Guid>();

        var last = await TestTenant.Expect(await reader.GetAsync($"{Southwark}/plans/{lastId}"), HttpStatusCode.OK);

        Assert.Equal("archived", last.Str("status"));
        var start = DateOnly.Parse(current.Str("periodStart"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(start.AddYears(-1), DateOnly.Parse(last.Str("periodStart"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(start.AddDays(-1), DateOnly.Parse(last.Str("periodEnd"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(4, start.Month);
        Assert.Equal($"Southwark Community Safety Partnership Plan {start.Year - 1}–{start.Year % 100:D2}", last.Str("title"));
        // Its own progress: every commitment has an update, two were completed (and left behind by the refresh).
        var lastCommitments = last["priorities"]!.AsArray().SelectMany(p => p!["commitments"]!.AsArray()).Select(c => c!.AsObject()).ToList();
        Assert.True(lastCommitments.Count(c => c["latestUpdate"] is not null) >= 10);
        var completed = lastCommitments.Where(c => c.Str("status") == "completed").Select(c => c.Str("code")).ToList();
        Assert.Equal(2, completed.Count);
        var currentCodes = current["priorities"]!.AsArray().SelectMany(p => p!["commitments"]!.AsArray()).Select(c => c!["code"]!.GetValue<string>()).ToList();
        Assert.All(completed, code => Assert.DoesNotContain(code, currentCodes));
        // Labelled as demo data.
        Assert.Contains("Demo data", last.Str("summary"));
        Assert.Contains("Demo data", current.Str("summary"));
        // The diff compares with it by default, and finds what officers changed.
        var diff = await TestTenant.Expect(await reader.GetAsync($"{Southwark}/plans/{current.Id()}/diff"), HttpStatusCode.OK);
        Assert.Equal(lastId, diff["againstId"]!.GetValue<Guid>());
        Assert.NotEmpty(diff["commitments"]!["added"]!.AsArray());
        Assert.NotEmpty(diff["priorities"]!["changed"]!.AsArray());
    }

    [Fact]
    public async Task The_demo_admin_key_manages_clients_and_the_list_shows_no_keys()
    {
        var response = await factory.ClientWithKey(DemoKeys.Admin).GetAsync(Southwark + "/clients");

        var body = await TestTenant.Expect(response, HttpStatusCode.OK);
        var items = body["items"]!.AsArray();
        Assert.True(items.Count >= 5, body.ToJsonString());
        Assert.All(items, c => Assert.False(c!.AsObject().ContainsKey("key")));
        foreach (var key in new[] { DemoKeys.Admin, DemoKeys.Reader, DemoKeys.PlansWriter, DemoKeys.PoliceFeed, DemoKeys.NhsFeed })
            Assert.DoesNotContain(key, body.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_reader_key_reads_but_cannot_write()
    {
        var reader = factory.ClientWithKey(DemoKeys.Reader);
        var before = await factory.ScalarAsync<long>("SELECT COUNT(*) FROM agencies");

        var list = await reader.GetAsync(Southwark + "/agencies");
        var write = await reader.PostAsJsonAsync(Southwark + "/agencies", new { code = "NEW", name = "New", kind = "other" });

        var agencies = await TestTenant.Expect(list, HttpStatusCode.OK);
        Assert.NotEmpty(agencies["items"]!.AsArray());
        await TestTenant.ExpectProblem(write, HttpStatusCode.Forbidden);
        Assert.Equal(before, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM agencies"));
    }

    [Fact]
    public async Task The_demo_plans_writer_key_is_not_an_admin()
    {
        var writer = factory.ClientWithKey(DemoKeys.PlansWriter);

        var clients = await writer.GetAsync(Southwark + "/clients");
        var agency = await writer.PostAsJsonAsync(Southwark + "/agencies", new { code = "NEW", name = "New", kind = "other" });

        await TestTenant.ExpectProblem(clients, HttpStatusCode.Forbidden);
        await TestTenant.ExpectProblem(agency, HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData(DemoKeys.PoliceFeed, "police")]
    [InlineData(DemoKeys.NhsFeed, "health")]
    public async Task The_demo_feed_keys_act_for_their_agency_and_may_push_observations(string key, string kind)
    {
        var keyHash = SHA256.HashData(Encoding.UTF8.GetBytes(key));

        var rows = await factory.QueryAsync<(string Kind, string Scopes)>("""
            SELECT a.kind, c.scopes FROM clients c
            JOIN agencies a ON a.partnership_id = c.partnership_id AND a.id = c.agency_id
            WHERE c.key_hash = @keyHash
            """, new { keyHash });

        var row = Assert.Single(rows);
        Assert.Equal(kind, row.Kind);
        Assert.Contains("observations:write", row.Scopes.Split(' '));
        Assert.DoesNotContain("admin", row.Scopes.Split(' '));
    }

    [Fact]
    public async Task A_demo_key_sees_no_other_partnership()
    {
        var other = await TestTenant.CreateAsync(factory);

        var response = await factory.ClientWithKey(DemoKeys.Admin).GetAsync(other.Path("/agencies"));

        await TestTenant.ExpectProblem(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_demo_has_the_borough_and_its_23_wards_with_their_ONS_codes_and_checks_areas_strictly()
    {
        var reader = factory.ClientWithKey(DemoKeys.Reader);
        Assert.Equal("strict", (await TestTenant.Expect(await reader.GetAsync(Southwark), HttpStatusCode.OK)).Str("areaCheck"));
        var borough = await TestTenant.Expect(await reader.GetAsync(Southwark + "/areas/E09000028"), HttpStatusCode.OK);
        Assert.Equal(("Southwark", "local_authority"), (borough.Str("name"), borough.Str("type")));

        var wards = await TestTenant.Expect(await reader.GetAsync(Southwark + "/areas?type=ward&parentCode=E09000028&limit=50"), HttpStatusCode.OK);
        var items = wards["items"]!.AsArray().Select(w => w!.AsObject()).ToList();
        Assert.Equal(23, items.Count);
        Assert.Equal(Enumerable.Range(11095, 23).Select(n => $"E050{n}"), items.Select(w => w.Str("code")));
        Assert.Equal(("E05011095", "Borough & Bankside"), (items[0].Str("code"), items[0].Str("name")));
        Assert.Equal(("E05011104", "London Bridge & West Bermondsey"), (items[9].Str("code"), items[9].Str("name")));
        Assert.Equal(("E05011117", "Surrey Docks"), (items[22].Str("code"), items[22].Str("name")));
        Assert.All(items, w => Assert.Equal("2018-05-03", w.Str("validFrom")));
        Assert.Equal(23, items.Select(w => w.Str("name")).Distinct().Count());
    }

    [Fact]
    public async Task A_second_start_on_the_seeded_database_does_not_seed_again()
    {
        var agencies = await factory.ScalarAsync<long>("SELECT COUNT(*) FROM agencies a JOIN partnerships p ON p.id = a.partnership_id WHERE p.slug = 'southwark'");
        var clients = await factory.ScalarAsync<long>("SELECT COUNT(*) FROM clients c JOIN partnerships p ON p.id = c.partnership_id WHERE p.slug = 'southwark'");

        using var restarted = new RestartedDevelopmentFactory(factory.Database);
        var response = await restarted.ClientWithKey(DemoKeys.Reader).GetAsync(Southwark);

        await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal(1, await restarted.ScalarAsync<long>("SELECT COUNT(*) FROM partnerships WHERE slug = 'southwark'"));
        Assert.Equal(agencies, await restarted.ScalarAsync<long>("SELECT COUNT(*) FROM agencies a JOIN partnerships p ON p.id = a.partnership_id WHERE p.slug = 'southwark'"));
        Assert.Equal(clients, await restarted.ScalarAsync<long>("SELECT COUNT(*) FROM clients c JOIN partnerships p ON p.id = c.partnership_id WHERE p.slug = 'southwark'"));
    }
}

/// <summary>
/// The README's push example, on a demo of its own: the push adds a value to the demo's data, which the tests of the demo
/// as seeded (24 months per indicator) must not see, whatever order xunit runs them in.
/// </summary>
public sealed class ReadmePushTests(DevelopmentFactory factory) : IClassFixture<DevelopmentFactory>
{
    private const string Southwark = "/v1/partnerships/southwark";

    [Fact]
    public async Task The_README_push_example_works_with_the_police_feed_key()
    {
        var police = factory.ClientWithKey(DemoKeys.PoliceFeed);
        using var request = new HttpRequestMessage(HttpMethod.Post, Southwark + "/observations")
        {
            Content = JsonContent.Create(new
            {
                observations = new[] { new { indicator = "ROB-PERSONAL", period = "2024-06", area = "E09000028", value = 187, status = "provisional", note = "CONNECT extract 2024-07-06" } },
            }),
        };
        request.Headers.Add("Idempotency-Key", $"readme-{Guid.NewGuid():N}");

        var body = await TestTenant.Expect(await police.SendAsync(request), HttpStatusCode.OK);

        Assert.Equal("ok", body.Str("status"));
        Assert.Equal(1, body["created"]!.GetValue<int>() + body["updated"]!.GetValue<int>() + body["unchanged"]!.GetValue<int>());
    }
}
