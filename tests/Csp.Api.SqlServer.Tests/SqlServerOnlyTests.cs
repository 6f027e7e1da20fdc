using System.Net;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;
using Dapper;
using Microsoft.Data.SqlClient;

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
}
