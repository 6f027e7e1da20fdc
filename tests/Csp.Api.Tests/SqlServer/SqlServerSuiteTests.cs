using System.Net;
using System.Net.Http.Json;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.SqlServer;

/// <summary>One SQL Server database for the class, created only when CSP_TEST_SQLSERVER is set.</summary>
public sealed class SqlServerFixture : IDisposable
{
    private readonly Lazy<SqlServerApiFactory> factory = new(() => new SqlServerApiFactory());

    public SqlServerApiFactory Factory => factory.Value;

    public void Dispose()
    {
        if (factory.IsValueCreated) factory.Value.Dispose();
    }
}

/// <summary>
/// The behaviour partners rely on, end to end through HTTP, against SQL Server (a fresh database per run). Without
/// CSP_TEST_SQLSERVER every test here reports SKIPPED with that reason; none passes without a server.
/// </summary>
public sealed class SqlServerSuiteTests(SqlServerFixture fixture) : IClassFixture<SqlServerFixture>
{
    private SqlServerApiFactory Factory
    {
        get
        {
            Skip.IfNot(SqlServerApiFactory.Available, SqlServerApiFactory.NotSetReason);
            return fixture.Factory;
        }
    }

    [SkippableFact]
    public async Task Service_runs_on_SqlServer_with_the_migrations_applied()
    {
        var factory = Factory;
        var ready = await TestTenant.Expect(await factory.CreateClient().GetAsync("/health/ready"), HttpStatusCode.OK);

        Assert.Equal("SqlServer", ready.Str("database"));
        Assert.Equal(Migrator.ScriptNames(DatabaseProvider.SqlServer).Count(),
            await factory.ScalarAsync<int>("SELECT COUNT(*) FROM SchemaVersions"));
    }

    [SkippableFact]
    public async Task Plan_lifecycle_with_agencies_priorities_commitments_and_progress()
    {
        var t = await TestTenant.CreateAsync(Factory, "ss");
        var met = (await t.CreateAgencyAsync("MET", "police")).Id();
        var council = (await t.CreateAgencyAsync("LBS", "local_authority")).Id();
        var plan = (await t.CreatePlanAsync()).Id();
        var p1 = (await t.CreatePriorityAsync(plan, "P1", "Tackling VAWG", met)).Id();
        var p2 = (await t.CreatePriorityAsync(plan, "P2", "Reducing violence", council)).Id();
        var c1 = (await t.CreateCommitmentAsync(p1, "C1", "Night-time safety spaces", met, [council], "2025-04-01", "2026-03-31")).Id();
        await t.CreateCommitmentAsync(p2, "C2", "Look up, look out", council);
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/commitments/{c1}/updates"),
            new { status = "on_track", commentary = "71 spaces open" }), HttpStatusCode.Created);
        await t.ApprovePlanAsync(plan);

        var document = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/plans/{plan}")), HttpStatusCode.OK);
        Assert.Equal("approved", document.Str("status"));
        var priorities = document["priorities"]!.AsArray();
        Assert.Equal(["P1", "P2"], priorities.Select(p => p!["code"]!.GetValue<string>()));
        var commitment = priorities[0]!["commitments"]!.AsArray().Single()!;
        Assert.Equal("on_track", commitment["status"]!.GetValue<string>());
        Assert.Equal("71 spaces open", commitment["latestUpdate"]!["commentary"]!.GetValue<string>());
        Assert.Equal([council], commitment["partnerAgencyIds"]!.AsArray().Select(a => a!.GetValue<Guid>()));
        Assert.Equal("2026-03-31", commitment["dueDate"]!.GetValue<string>());

        // Paging: one agency per page, then the second, then no cursor.
        var first = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/agencies?limit=1")), HttpStatusCode.OK);
        var second = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/agencies?limit=1&cursor={first.Str("nextCursor")}")), HttpStatusCode.OK);
        Assert.Null(second["nextCursor"]);
        Assert.NotEqual(first["items"]![0]!["id"]!.GetValue<Guid>(), second["items"]![0]!["id"]!.GetValue<Guid>());

        // A stale If-Match is refused.
        var request = new HttpRequestMessage(HttpMethod.Put, t.Path($"/agencies/{met}"))
        {
            Content = JsonContent.Create(new { code = "MET", name = "Met Police", kind = "police" }),
        };
        request.Headers.TryAddWithoutValidation("If-Match", "\"999\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await t.Admin.SendAsync(request)).StatusCode);
    }

    [SkippableFact]
    public async Task Batch_push_creates_updates_keeps_revisions_and_counts_unchanged()
    {
        var t = await TestTenant.CreateAsync(Factory, "ss");
        var met = (await t.CreateAgencyAsync("MET", "police")).Id();
        var indicator = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        var (police, _, _) = await t.KeyAsync(["observations:write", "read"], met);

        var created = await police.PushOkAsync(t, [
            IndicatorTestData.Row("ROB-PERSONAL", "2024-06", 187), IndicatorTestData.Row("ROB-PERSONAL", "202407", 190.125m),
            IndicatorTestData.Row("ROB-PERSONAL", "2024-08", 0, note: "zero is a value"),
        ]);
        Assert.Equal((3, 0, 0), (created.Int("created"), created.Int("updated"), created.Int("unchanged")));

        var revised = await police.PushOkAsync(t, [
            IndicatorTestData.Row("ROB-PERSONAL", "2024-06", 187), IndicatorTestData.Row("ROB-PERSONAL", "2024-07", 191.5m, status: "final"),
            IndicatorTestData.Row("ROB-PERSONAL", "2024-08", 0, note: "zero is a value"), IndicatorTestData.Row("NOPE", "2024-08", 1),
        ]);
        Assert.Equal("partial", revised.Str("status"));
        Assert.Equal((0, 1, 2, 1), (revised.Int("created"), revised.Int("updated"), revised.Int("unchanged"), revised.Int("rejected")));

        var stored = await Factory.QueryAsync<(string Period, decimal Value, string Status, long Version)>("""
            SELECT period, value, status, version FROM observations WHERE partnership_id = @p AND indicator_id = @i ORDER BY period
            """, new { p = t.Id, i = indicator });
        Assert.Equal([("2024-06", 187m, "provisional", 1L), ("2024-07", 191.5m, "final", 2L), ("2024-08", 0m, "provisional", 1L)], stored);
        var revision = Assert.Single(await Factory.QueryAsync<(decimal OldValue, decimal NewValue)>(
            "SELECT old_value, new_value FROM observation_revisions WHERE partnership_id = @p", new { p = t.Id }));
        Assert.Equal((190.125m, 191.5m), revision);

        var final = await police.PushAsync(t, [IndicatorTestData.Row("ROB-PERSONAL", "2024-07", 1)]);
        Assert.Equal("final_value_locked", (await TestTenant.Expect(final, HttpStatusCode.OK))["conflicts"]![0]!["code"]!.GetValue<string>());
    }

    [SkippableFact]
    public async Task Concurrent_pushes_of_the_same_keys_never_duplicate_or_lose_a_value()
    {
        var t = await TestTenant.CreateAsync(Factory, "ss");
        var met = (await t.CreateAgencyAsync("MET", "police")).Id();
        await t.CreateIndicatorAsync(met, "KNIFE");
        var (police, _, _) = await t.KeyAsync(["observations:write"], met);
        var months = Enumerable.Range(1, 12).Select(m => $"2024-{m:00}").ToList();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            police.PushAsync(t, months.Select(m => IndicatorTestData.Row("KNIFE", m, 10 + (i % 2))))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(12, await Factory.ScalarAsync<int>("SELECT COUNT(*) FROM observations WHERE partnership_id = @p", new { p = t.Id }));
        var revisions = await Factory.ScalarAsync<int>("SELECT COUNT(*) FROM observation_revisions WHERE partnership_id = @p", new { p = t.Id });
        var updated = 0;
        foreach (var r in responses) updated += (await TestTenant.Expect(r, HttpStatusCode.OK)).Int("updated");
        Assert.Equal(updated, revisions);
    }

    [SkippableFact]
    public async Task Audit_trail_and_change_feed_record_every_change_in_order()
    {
        var t = await TestTenant.CreateAsync(Factory, "ss");
        var agency = (await t.CreateAgencyAsync("CGL", "voluntary")).Id();
        var plan = (await t.CreatePlanAsync()).Id();
        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.DeleteAsync(t.Path($"/agencies/{agency}"))).StatusCode);

        var audit = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/audit?entityId={agency}")), HttpStatusCode.OK);
        Assert.Equal(["create", "delete"], audit["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()));

        var changes = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/changes?after=0")), HttpStatusCode.OK);
        var items = changes["items"]!.AsArray();
        var seqs = items.Select(i => i!["seq"]!.GetValue<long>()).ToList();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Contains(items, i => i!["entityId"]!.GetValue<Guid>() == plan && i["op"]!.GetValue<string>() == "create");
        Assert.Contains(items, i => i!["entityId"]!.GetValue<Guid>() == agency && i["op"]!.GetValue<string>() == "delete");
    }

    [SkippableFact]
    public async Task Row_level_security_hides_and_blocks_other_partnerships_rows_on_a_scoped_connection()
    {
        var a = await TestTenant.CreateAsync(Factory, "ss");
        var b = await TestTenant.CreateAsync(Factory, "ss");
        await a.CreateAgencyAsync("MET", "police");
        await b.CreateAgencyAsync("MET", "police");

        await using var c = new SqlConnection(Factory.ConnectionString);
        await c.OpenAsync();
        await c.ExecuteAsync("EXEC sp_set_session_context @key = N'PartnershipId', @value = @p", new { p = a.Id });

        // No partnership_id filter: only A's rows are visible.
        Assert.Equal([a.Id], await c.QueryAsync<Guid>("SELECT DISTINCT partnership_id FROM agencies"));
        Assert.Equal([a.Id], await c.QueryAsync<Guid>("SELECT id FROM partnerships"));
        // Writing a row of B is blocked.
        var e = await Assert.ThrowsAsync<SqlException>(() => c.ExecuteAsync("""
            INSERT INTO agencies (partnership_id, id, code, name, kind, version, created_at, updated_at)
            VALUES (@p, NEWID(), 'X', 'x', 'police', 1, SYSDATETIMEOFFSET(), SYSDATETIMEOFFSET())
            """, new { p = b.Id }));
        Assert.Equal(33504, e.Number); // the attempted operation failed because the target object has a block predicate
    }

    [SkippableFact]
    public async Task Row_level_security_denies_a_connection_that_names_no_scope()
    {
        var a = await TestTenant.CreateAsync(Factory, "ss");
        await a.CreateAgencyAsync("MET", "police");

        await using var c = new SqlConnection(Factory.ConnectionString);
        await c.OpenAsync();

        // No session context at all: not one tenant row, the partnership itself included, is visible or writable.
        Assert.Equal(0, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM agencies"));
        Assert.Equal(0, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM partnerships"));
        Assert.Equal(0, await c.ExecuteAsync("UPDATE agencies SET name = N'changed' WHERE partnership_id = @p", new { p = a.Id }));
        var e = await Assert.ThrowsAsync<SqlException>(() => c.ExecuteAsync("""
            INSERT INTO agencies (partnership_id, id, code, name, kind, version, created_at, updated_at)
            VALUES (@p, NEWID(), 'X', 'x', 'police', 1, SYSDATETIMEOFFSET(), SYSDATETIMEOFFSET())
            """, new { p = a.Id }));
        Assert.Equal(33504, e.Number);
        // The rows are there, unchanged, for a platform connection.
        Assert.Equal(["MET"], await Factory.QueryAsync<string>("SELECT name FROM agencies WHERE partnership_id = @p", new { p = a.Id }));
    }

    [SkippableFact]
    public async Task Platform_connections_see_every_partnership_and_a_partnership_connection_cannot_become_one()
    {
        var a = await TestTenant.CreateAsync(Factory, "ss");
        var b = await TestTenant.CreateAsync(Factory, "ss");
        var db = Factory.Services.GetRequiredService<Db>();
        const string both = "SELECT id FROM partnerships WHERE id IN (@a, @b)";
        var ids = new { a = a.Id, b = b.Id };

        await using (var platform = await db.OpenPlatformAsync(CancellationToken.None))
            Assert.Equal(new[] { a.Id, b.Id }.Order(), (await platform.QueryAsync<Guid>(both, ids)).Order());

        await using var scoped = await db.OpenAsync(new Tenant(a.Id, a.Slug, "E09000028", false, Caller.Platform), CancellationToken.None);
        Assert.Equal([a.Id], await scoped.QueryAsync<Guid>(both, ids));
        // Both keys are read-only (error 15664): the connection can neither become a platform one nor move to B.
        var promote = await Assert.ThrowsAsync<SqlException>(() =>
            scoped.ExecuteAsync("EXEC sp_set_session_context @key = N'CspScope', @value = N'platform'"));
        Assert.Equal(15664, promote.Number);
        var move = await Assert.ThrowsAsync<SqlException>(() =>
            scoped.ExecuteAsync("EXEC sp_set_session_context @key = N'PartnershipId', @value = @b", new { ids.b }));
        Assert.Equal(15664, move.Number);
        Assert.Equal([a.Id], await scoped.QueryAsync<Guid>(both, ids));
    }

    [SkippableFact]
    public async Task A_pooled_connection_does_not_carry_its_scope_into_the_next_unit_of_work()
    {
        var a = await TestTenant.CreateAsync(Factory, "ss");
        var db = Factory.Services.GetRequiredService<Db>();
        var tenant = new Tenant(a.Id, a.Slug, "E09000028", false, Caller.Platform);
        const string context = "SELECT @@SPID, CAST(SESSION_CONTEXT(N'PartnershipId') AS UNIQUEIDENTIFIER), CAST(SESSION_CONTEXT(N'CspScope') AS NVARCHAR(16))";
        var scopedSessions = new HashSet<short>();
        var reused = false;

        for (var i = 0; i < 3; i++)
        {
            await using (var scoped = await db.OpenAsync(tenant, CancellationToken.None))
            {
                var (spid, partnership, scope) = await scoped.QuerySingleAsync<(short, Guid?, string?)>(context);
                Assert.Equal((a.Id, "partnership"), (partnership, scope));
                scopedSessions.Add(spid);
            }
            // Read-only keys do not survive sp_reset_connection: the same session, handed out again, takes the platform
            // marker (setting CspScope would fail with 15664 if the partnership's read-only value were still there).
            await using (var platform = await db.OpenPlatformAsync(CancellationToken.None))
            {
                var (spid, partnership, scope) = await platform.QuerySingleAsync<(short, Guid?, string?)>(context);
                Assert.Equal((null, "platform"), (partnership, scope));
                reused |= scopedSessions.Contains(spid);
            }
        }
        Assert.True(reused, "The pool never handed a partnership's session out again, so this test proved nothing about its reset.");
    }
}
