using System.Net;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;
using Dapper;
using Microsoft.Data.SqlClient;

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
/// What only SQL Server has: the migrations journal of its own scripts and row-level security, on a fresh database per run.
/// The behaviour partners rely on runs on SQL Server as the whole linked suite of Csp.Api.SqlServer.Tests. Without
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
}
