using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;
using Dapper;
using DbUp;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Csp.Api.Tests.Data;

/// <summary>
/// A partnership that existed before areas did keeps working after the upgrade: its area check is off, its own area is
/// registered, and values it sent before survive the rebuilt revisions table with their history. SQLite only (it migrates a
/// file of its own half-way, writes rows as a service of that version would have, then finishes the upgrade).
/// </summary>
public sealed class AreaMigrationTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "csp-tests", Guid.NewGuid().ToString("N"));

    private string ConnectionString => $"Data Source={Path.Combine(folder, "csp.db")};Foreign Keys=True;Pooling=False";

    [Fact]
    public async Task An_existing_partnership_gets_its_own_area_the_check_off_its_target_as_a_trajectory_and_keeps_its_revisions()
    {
        Directory.CreateDirectory(folder);
        Upgrade(upTo: "sqlite/0009");
        var id = Guid.NewGuid().ToString("D");
        var agency = Guid.NewGuid().ToString("D");
        var indicator = Guid.NewGuid().ToString("D");
        await using (var c = new SqliteConnection(ConnectionString))
        {
            await c.ExecuteAsync("""
                INSERT INTO partnerships (id, slug, name, area_code, public_read, version, created_at, updated_at)
                VALUES (@id, 'lambeth', 'Lambeth CSP', 'E09000022', 0, 1, '2025-01-01T00:00:00.0000000Z', '2025-01-01T00:00:00.0000000Z');
                INSERT INTO agencies (partnership_id, id, code, name, kind, version, created_at, updated_at)
                VALUES (@id, @agency, 'MET', 'Met', 'police', 1, '2025-01-01T00:00:00.0000000Z', '2025-01-01T00:00:00.0000000Z');
                INSERT INTO indicators (partnership_id, id, code, name, unit, direction, frequency, source_agency_id, target_value, target_period,
                                        version, created_at, updated_at)
                VALUES (@id, @indicator, 'ROB', 'Robbery', 'count', 'decrease', 'monthly', @agency, '150', '2025-03', 1,
                        '2025-01-01T00:00:00.0000000Z', '2025-01-01T00:00:00.0000000Z');
                INSERT INTO observations (partnership_id, indicator_id, period, area, period_start, period_end, value, status, version, created_at, updated_at)
                VALUES (@id, @indicator, '2024-06', 'E05011095', '2024-06-01', '2024-06-30', '12', 'provisional', 2,
                        '2025-01-01T00:00:00.0000000Z', '2025-01-02T00:00:00.0000000Z');
                INSERT INTO observation_revisions (partnership_id, id, indicator_id, period, area, old_value, old_status, old_recorded_at,
                                                   new_value, new_status, revised_at)
                VALUES (@id, @revision, @indicator, '2024-06', 'E05011095', '11', 'provisional', '2025-01-01T00:00:00.0000000Z',
                        '12', 'provisional', '2025-01-02T00:00:00.0000000Z');
                """, new { id, agency, indicator, revision = Guid.NewGuid().ToString("D") });
        }

        Migrator.Migrate(DatabaseProvider.Sqlite, ConnectionString, NullLogger.Instance);

        await using var after = new SqliteConnection(ConnectionString);
        Assert.Equal("off", await after.ExecuteScalarAsync<string>("SELECT area_check FROM partnerships WHERE id = @id", new { id }));
        var area = Assert.Single(await after.QueryAsync<(string Code, string Name, string Type, string Id)>(
            "SELECT code, name, type, id FROM areas WHERE partnership_id = @id", new { id }));
        Assert.Equal(("E09000022", "Lambeth CSP", "local_authority"), (area.Code, area.Name, area.Type));
        Assert.True(Guid.TryParseExact(area.Id, "D", out _), area.Id);
        Assert.Equal(("11", "12"), Assert.Single(await after.QueryAsync<(string, string)>(
            "SELECT old_value, new_value FROM observation_revisions WHERE partnership_id = @id", new { id })));
        // Its single target is now the partnership-area entry of the trajectory; the tolerance of near is the old 10%.
        Assert.Equal(("E09000022", "2025-03", "150"), Assert.Single(await after.QueryAsync<(string, string, string)>(
            "SELECT area, period, value FROM indicator_targets WHERE indicator_id = @indicator", new { indicator })));
        Assert.Equal("10", await after.ExecuteScalarAsync<string>("SELECT near_tolerance_percent FROM indicators WHERE id = @indicator", new { indicator }));
        Assert.Equal(0L, await after.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pragma_foreign_key_check"));
    }

    /// <summary>Applies the SQLite scripts whose names sort before <paramref name="upTo"/>, as an older service would have.</summary>
    private void Upgrade(string upTo)
    {
        Migrator.PrepareSqliteFile(ConnectionString);
        var result = DeployChanges.To.SqliteDatabase(ConnectionString)
            .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly,
                name => name.StartsWith("sqlite/", StringComparison.Ordinal) && string.CompareOrdinal(name, upTo) < 0)
            .WithTransactionPerScript().LogToNowhere().Build().PerformUpgrade();
        Assert.True(result.Successful, result.Error?.Message);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
