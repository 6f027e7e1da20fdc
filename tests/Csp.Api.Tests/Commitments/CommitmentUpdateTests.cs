using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Commitments;

/// <summary>Progress updates: an append-only history, each saying who reports it and the date it describes, whose latest entry sets
/// the commitment's status.</summary>
[Collection(ApiCollection.Name)]
public sealed class CommitmentUpdateTests(CspApiFactory factory)
{
    [Fact]
    public async Task Two_updates_append_two_rows_and_the_latest_sets_the_status()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());

        var firstResponse = await t.Admin.PostAsJsonAsync(t.Path($"/commitments/{commitment.Id()}/updates"),
            new { status = "on_track", commentary = "Posters printed in six languages" });
        var first = await TestTenant.Expect(firstResponse, HttpStatusCode.Created);
        Assert.NotNull(firstResponse.Headers.Location);
        Assert.Equal(commitment.Id(), first["commitmentId"]!.GetValue<Guid>());
        Assert.Equal("on_track", first.Str("status"));
        Assert.Equal("Posters printed in six languages", first.Str("commentary"));
        Assert.EndsWith("Z", first.Str("createdAt"));

        var second = await t.AddUpdateAsync(commitment.Id(), "at_risk", "Print budget cut");

        Assert.Equal(2, await factory.CountAsync("SELECT COUNT(*) FROM commitment_updates WHERE commitment_id = @id", commitment.Id()));
        var rows = await factory.QueryAsync<UpdateRow>("""
            SELECT id AS Id, partnership_id AS PartnershipId, status AS Status, commentary AS Commentary
            FROM commitment_updates WHERE commitment_id = @id ORDER BY created_at, id
            """, new { id = commitment.Id().ToString() });
        Assert.Equal(new[]
        {
            new UpdateRow(first.Id(), t.Id, "on_track", "Posters printed in six languages"),
            new UpdateRow(second.Id(), t.Id, "at_risk", "Print budget cut"),
        }, rows);
        Assert.Equal("at_risk", await factory.ScalarAsync<string>("SELECT status FROM commitments WHERE id = @id", new { id = commitment.Id().ToString() }));
        Assert.Equal(second.Id(), await factory.ScalarAsync<Guid>("SELECT latest_update_id FROM commitments WHERE id = @id", new { id = commitment.Id().ToString() }));

        var history = await t.GetOkAsync($"/commitments/{commitment.Id()}/updates");
        Assert.Equal(new[] { first.Id(), second.Id() }, history.ItemIds());
        Assert.Equal(new[] { "on_track", "at_risk" }, history["items"]!.AsArray().Select(u => u!["status"]!.GetValue<string>()));
        Assert.False(history.ContainsKey("nextCursor"));

        var current = await t.GetOkAsync($"/commitments/{commitment.Id()}");
        Assert.Equal("at_risk", current.Str("status"));
        Assert.Equal(second.Id(), current["latestUpdate"]!["id"]!.GetValue<Guid>());
        Assert.Equal("Print budget cut", current["latestUpdate"]!["commentary"]!.GetValue<string>());
        Assert.Equal("at_risk", current["latestUpdate"]!["status"]!.GetValue<string>());
        Assert.Equal(3, current.Version());
    }

    [Fact]
    public async Task The_latest_update_wins_even_when_it_moves_the_status_back()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());

        await t.AddUpdateAsync(commitment.Id(), "completed", "Thought we were done");
        await t.AddUpdateAsync(commitment.Id(), "off_track", "Reopened after review");
        await t.AddUpdateAsync(commitment.Id(), "not_started", "Re-planned");

        Assert.Equal("not_started", (await t.GetOkAsync($"/commitments/{commitment.Id()}")).Str("status"));
        Assert.Equal("not_started", await factory.ScalarAsync<string>("SELECT status FROM commitments WHERE id = @id", new { id = commitment.Id().ToString() }));
        Assert.Equal(3, await factory.CountAsync("SELECT COUNT(*) FROM commitment_updates WHERE commitment_id = @id", commitment.Id()));
    }

    [Theory]
    [InlineData("not_started")]
    [InlineData("on_track")]
    [InlineData("at_risk")]
    [InlineData("off_track")]
    [InlineData("completed")]
    [InlineData("cancelled")]
    public async Task Every_documented_status_is_accepted_and_stored_as_sent(string status)
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());

        var update = await t.AddUpdateAsync(commitment.Id(), status, "Status check");

        Assert.Equal(status, update.Str("status"));
        Assert.Equal(status, await factory.ScalarAsync<string>("SELECT status FROM commitment_updates WHERE id = @id", new { id = update.Id().ToString() }));
        Assert.Equal(status, await factory.ScalarAsync<string>("SELECT status FROM commitments WHERE id = @id", new { id = commitment.Id().ToString() }));
    }

    [Theory]
    [InlineData("{\"status\":\"done\",\"commentary\":\"Finished\"}", "status")]
    [InlineData("{\"status\":1,\"commentary\":\"A number\"}", "status")]
    [InlineData("{\"commentary\":\"No status\"}", "status")]
    [InlineData("{\"status\":\"on_track\",\"commentary\":\"\"}", "commentary")]
    [InlineData("{\"status\":\"on_track\",\"commentary\":\"   \"}", "commentary")]
    [InlineData("{\"status\":\"on_track\"}", "commentary")]
    [InlineData("{\"status\":\"on_track\",\"commentary\":\"x\",\"percentComplete\":101}", "percentComplete")]
    [InlineData("{\"status\":\"on_track\",\"commentary\":\"x\",\"percentComplete\":-1}", "percentComplete")]
    [InlineData("{\"status\":\"on_track\",\"commentary\":\"x\",\"percentComplete\":50.5}", "percentComplete")]
    [InlineData("{\"status\":\"on_track\",\"commentary\":\"x\",\"percentComplete\":\"50\"}", "percentComplete")]
    [InlineData("{\"status\":\"on_track\",\"commentary\":\"x\",\"asAt\":\"2025-13-01\"}", "asAt")]
    [InlineData("{\"status\":\"on_track\",\"commentary\":\"x\",\"asAt\":\"30/06/2025\"}", "asAt")]
    [InlineData("{\"status\":\"on_track\",\"commentary\":\"x\",\"asAt\":\"2999-01-01\"}", "asAt")]
    [InlineData("{\"status\":\"on_track\",\"commentary\":\"x\",\"author\":\"  \"}", "author")]
    public async Task A_bad_update_is_a_400_naming_the_field_and_nothing_changes(string json, string field)
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());
        var planVersion = await factory.ScalarAsync<long>("SELECT version FROM plans WHERE id = @id", new { id = plan.Id().ToString() });

        await ExpectInvalid(await t.Admin.PostAsync(t.Path($"/commitments/{commitment.Id()}/updates"),
            new StringContent(json, System.Text.Encoding.UTF8, "application/json")), field);

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitment_updates WHERE commitment_id = @id", commitment.Id()));
        Assert.Equal("not_started", await factory.ScalarAsync<string>("SELECT status FROM commitments WHERE id = @id", new { id = commitment.Id().ToString() }));
        Assert.Equal(1, await factory.ScalarAsync<long>("SELECT version FROM commitments WHERE id = @id", new { id = commitment.Id().ToString() }));
        Assert.Equal(planVersion, await factory.ScalarAsync<long>("SELECT version FROM plans WHERE id = @id", new { id = plan.Id().ToString() }));
    }

    [Fact]
    public async Task An_update_says_who_reports_it_the_date_its_status_describes_and_how_much_is_done()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());

        var update = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/commitments/{commitment.Id()}/updates"), new
        {
            status = "on_track", commentary = "Posters up at ten hotspots", author = "Community Safety Manager", asAt = "2025-06-30", percentComplete = 60,
        }), HttpStatusCode.Created);
        Assert.Equal(("Community Safety Manager", "2025-06-30", 60), (update.Str("author"), update.Str("asAt"), update["percentComplete"]!.GetValue<int>()));

        var row = Assert.Single(await factory.QueryAsync<(string Author, DateOnly AsAt, long PercentComplete)>(
            "SELECT author, as_at, percent_complete FROM commitment_updates WHERE id = @id", new { id = update.Id().ToString() }));
        Assert.Equal(("Community Safety Manager", new DateOnly(2025, 6, 30), 60L), row);
        var latest = (await t.GetOkAsync($"/commitments/{commitment.Id()}"))["latestUpdate"]!;
        Assert.Equal(("Community Safety Manager", "2025-06-30"), (latest["author"]!.GetValue<string>(), latest["asAt"]!.GetValue<string>()));
        var inPlan = (await t.GetOkAsync($"/plans/{plan.Id()}"))["priorities"]![0]!["commitments"]![0]!["latestUpdate"]!;
        Assert.Equal(60, inPlan["percentComplete"]!.GetValue<int>());

        // Left out: the status describes today, and nobody and no share are claimed.
        var before = TodayUtc;
        var plain = await t.AddUpdateAsync(commitment.Id(), "at_risk", "Print budget cut");
        Assert.Contains(plain.Str("asAt"), new[] { Day(before), Day(TodayUtc) });
        Assert.Null(plain["author"]);
        Assert.Null(plain["percentComplete"]);
    }

    [Fact]
    public async Task An_update_for_an_earlier_date_fills_in_the_history_without_taking_over_the_status()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());
        async Task<JsonObject> Add(string status, string asAt) => await TestTenant.Expect(await t.Admin.PostAsJsonAsync(
            t.Path($"/commitments/{commitment.Id()}/updates"), new { status, commentary = $"As at {asAt}", asAt }), HttpStatusCode.Created);

        var june = await Add("on_track", "2025-06-30");
        var version = (await t.GetOkAsync($"/commitments/{commitment.Id()}")).Version();
        var march = await Add("at_risk", "2025-03-31");

        var current = await t.GetOkAsync($"/commitments/{commitment.Id()}");
        Assert.Equal(("on_track", june.Id(), version), (current.Str("status"), current["latestUpdate"]!["id"]!.GetValue<Guid>(), current.Version()));
        Assert.Equal(new[] { june.Id(), march.Id() }, (await t.GetOkAsync($"/commitments/{commitment.Id()}/updates")).ItemIds());

        // The same date as the latest, or a later one, takes over.
        var sameDay = await Add("off_track", "2025-06-30");
        current = await t.GetOkAsync($"/commitments/{commitment.Id()}");
        Assert.Equal(("off_track", sameDay.Id()), (current.Str("status"), current["latestUpdate"]!["id"]!.GetValue<Guid>()));
    }

    [Fact]
    public async Task Commentary_longer_than_4000_characters_or_an_author_longer_than_200_is_a_400()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());

        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/commitments/{commitment.Id()}/updates"),
            new { status = "on_track", commentary = new string('x', 4001) }), "commentary");
        await ExpectInvalid(await t.Admin.PostAsJsonAsync(t.Path($"/commitments/{commitment.Id()}/updates"),
            new { status = "on_track", commentary = "x", author = new string('x', 201) }), "author");

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitment_updates WHERE commitment_id = @id", commitment.Id()));
    }

    [Fact]
    public async Task An_update_records_the_client_of_the_key_that_made_it()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());
        var (officer, _, officerId) = await t.KeyAsync(["plans:write"]);
        var (other, _, otherId) = await t.KeyAsync(["plans:write"]);

        var mine = await t.AddUpdateAsync(commitment.Id(), "on_track", "Wardens now carry body cameras", officer);
        var theirs = await t.AddUpdateAsync(commitment.Id(), "on_track", "Confirmed by the council", other);

        Assert.Equal(officerId, mine["clientId"].GuidOrNull());
        Assert.Equal(otherId, theirs["clientId"].GuidOrNull());
        Assert.Equal(officerId, await factory.ScalarAsync<Guid>("SELECT client_id FROM commitment_updates WHERE id = @id", new { id = mine.Id().ToString() }));
        Assert.Equal(otherId, await factory.ScalarAsync<Guid>("SELECT client_id FROM commitment_updates WHERE id = @id", new { id = theirs.Id().ToString() }));

        var history = await t.GetOkAsync($"/commitments/{commitment.Id()}/updates");
        Assert.Equal(new Guid?[] { officerId, otherId }, history["items"]!.AsArray().Select(u => u!["clientId"].GuidOrNull()));
    }

    [Fact]
    public async Task An_update_made_with_the_operator_key_has_no_client()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());

        var update = await t.AddUpdateAsync(commitment.Id(), "on_track", "By the operator", factory.ClientWithKey(CspApiFactory.PlatformKey));

        Assert.Null(update["clientId"]);
        Assert.Null(await factory.ScalarAsync<Guid?>("SELECT client_id FROM commitment_updates WHERE id = @id", new { id = update.Id().ToString() }));
    }

    [Fact]
    public async Task The_history_pages_oldest_first()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());
        var ids = new List<Guid>();
        foreach (var status in new[] { "on_track", "at_risk", "off_track" })
            ids.Add((await t.AddUpdateAsync(commitment.Id(), status, "Update " + status)).Id());

        var first = await t.GetOkAsync($"/commitments/{commitment.Id()}/updates?limit=2");
        Assert.Equal(ids.Take(2), first.ItemIds());
        var second = await t.GetOkAsync($"/commitments/{commitment.Id()}/updates?limit=2&cursor={Uri.EscapeDataString(first.Str("nextCursor"))}");
        Assert.Equal(ids.Skip(2), second.ItemIds());
        Assert.False(second.ContainsKey("nextCursor"));
    }

    [Fact]
    public async Task Updates_to_an_unknown_commitment_are_404_problems()
    {
        var t = await TestTenant.CreateAsync(factory);
        var missing = Guid.NewGuid();

        await ExpectNotFound(await t.Admin.PostAsJsonAsync(t.Path($"/commitments/{missing}/updates"), new { status = "on_track", commentary = "Nobody home" }));
        await ExpectNotFound(await t.Admin.GetAsync(t.Path($"/commitments/{missing}/updates")));

        Assert.Equal(0, await factory.CountAsync("SELECT COUNT(*) FROM commitment_updates WHERE commitment_id = @id", missing));
    }

    [Fact]
    public async Task Progress_can_be_recorded_on_an_approved_plan()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());
        await t.ApprovePlanAsync(plan.Id());

        await t.AddUpdateAsync(commitment.Id(), "on_track", "Delivering the approved plan");

        Assert.Equal("on_track", await factory.ScalarAsync<string>("SELECT status FROM commitments WHERE id = @id", new { id = commitment.Id().ToString() }));
    }

    [Fact]
    public async Task There_is_no_way_to_rewrite_or_delete_an_update()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id());
        await t.AddUpdateAsync(commitment.Id(), "on_track", "Original words");

        // Deliberately off-contract (the contract has no such operations), so past the contract-checking client.
        var raw = factory.Server.CreateClient();
        raw.DefaultRequestHeaders.Add("X-Api-Key", t.AdminKey);
        var put = await raw.PutAsJsonAsync(t.Path($"/commitments/{commitment.Id()}/updates"), new { status = "completed", commentary = "Rewritten" });
        var delete = await raw.DeleteAsync(t.Path($"/commitments/{commitment.Id()}/updates"));

        await TestTenant.ExpectProblem(put, HttpStatusCode.MethodNotAllowed);
        await TestTenant.ExpectProblem(delete, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("Original words", await factory.ScalarAsync<string>(
            "SELECT commentary FROM commitment_updates WHERE commitment_id = @id", new { id = commitment.Id().ToString() }));
    }

    private sealed record UpdateRow(Guid Id, Guid PartnershipId, string Status, string Commentary);
}
