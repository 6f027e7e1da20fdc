using System.Net;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.SqlServer.Tests;

/// <summary>
/// What only SQL Server has, on the suite's shared SQL Server database: the migrations journal of its own scripts and
/// row-level security. (The behaviour partners rely on is the linked suite.) Without CSP_TEST_SQLSERVER these report
/// SKIPPED with that reason, as every test of this project does.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class SqlServerOnlyTests(CspApiFactory factory)
{
    [Fact]
    public async Task Service_runs_on_SqlServer_with_the_migrations_applied()
    {
        var ready = await TestTenant.Expect(await factory.CreateClient().GetAsync("/health/ready"), HttpStatusCode.OK);

        Assert.Equal("SqlServer", ready.Str("database"));
        Assert.Equal(Migrator.ScriptNames(DatabaseProvider.SqlServer).Count(),
            await factory.ScalarAsync<int>("SELECT COUNT(*) FROM SchemaVersions"));
    }

    [Fact]
    public async Task The_database_compares_text_as_SQLite_does_and_its_readers_do_not_wait_for_writers()
    {
        await factory.CreateClient().GetAsync("/health/ready"); // the service has started (and run the preflight)

        Assert.Equal(0, await factory.ScalarAsync<int>("SELECT CONVERT(int, DATABASEPROPERTYEX(DB_NAME(), 'ComparisonStyle'))"));
        Assert.True(await factory.ScalarAsync<bool>("SELECT is_read_committed_snapshot_on FROM sys.databases WHERE database_id = DB_ID()"));
        // Two Idempotency-Keys, codes or areas differing only in case are different values.
        Assert.Equal(0, await factory.ScalarAsync<int>("SELECT CASE WHEN N'abc' = N'ABC' THEN 1 ELSE 0 END"));
    }

    [Fact]
    public async Task Row_level_security_hides_and_blocks_other_partnerships_rows_on_a_scoped_connection()
    {
        var a = await TestTenant.CreateAsync(factory, "ss");
        var b = await TestTenant.CreateAsync(factory, "ss");
        await a.CreateAgencyAsync("MET", "police");
        await b.CreateAgencyAsync("MET", "police");

        await using var c = (SqlConnection)await factory.Database.OpenConnectionAsync();
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

    [Fact]
    public async Task Row_level_security_denies_a_connection_that_names_no_scope()
    {
        var a = await TestTenant.CreateAsync(factory, "ss");
        await a.CreateAgencyAsync("MET", "police");

        await using var c = (SqlConnection)await factory.Database.OpenConnectionAsync();

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
        var db = factory.Services.GetRequiredService<Db>();
        await using var platform = await db.OpenPlatformAsync(CancellationToken.None);
        Assert.Equal(["MET"], await platform.QueryAsync<string>("SELECT name FROM agencies WHERE partnership_id = @p", new { p = a.Id }));
    }

    [Fact]
    public async Task Platform_connections_see_every_partnership_and_a_partnership_connection_cannot_become_one()
    {
        var a = await TestTenant.CreateAsync(factory, "ss");
        var b = await TestTenant.CreateAsync(factory, "ss");
        var db = factory.Services.GetRequiredService<Db>();
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

    [Fact]
    public async Task A_pooled_connection_does_not_carry_its_scope_into_the_next_unit_of_work()
    {
        var a = await TestTenant.CreateAsync(factory, "ss");
        var db = factory.Services.GetRequiredService<Db>();
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
