using Csp.Api.Infrastructure.Data;
using Dapper;
using DbUp;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Csp.Api.Tests.Data;

/// <summary>
/// Progress updates recorded before an update could say the date it describes describe the day they were recorded, and a plan
/// approved before approval named who decided no longer shows the API client as its approver (the audit trail still says who
/// sent the request). SQLite only: it migrates a file of its own half-way, writes rows as the older service did, then upgrades.
/// </summary>
public sealed class ProgressMigrationTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "csp-tests", Guid.NewGuid().ToString("N"));

    private string ConnectionString => $"Data Source={Path.Combine(folder, "csp.db")};Foreign Keys=True;Pooling=False";

    [Fact]
    public async Task Old_updates_describe_the_day_they_were_recorded_and_a_client_id_is_no_longer_the_approver()
    {
        Directory.CreateDirectory(folder);
        Upgrade(upTo: "sqlite/0013");
        var (id, client) = (Guid.NewGuid().ToString("D"), Guid.NewGuid().ToString("D"));
        var (byClient, byPlatform, byName) = (Guid.NewGuid().ToString("D"), Guid.NewGuid().ToString("D"), Guid.NewGuid().ToString("D"));
        var (priority, commitment, update) = (Guid.NewGuid().ToString("D"), Guid.NewGuid().ToString("D"), Guid.NewGuid().ToString("D"));
        const string At = "'2025-06-30T23:30:00.0000000Z'";
        await using (var c = new SqliteConnection(ConnectionString))
        {
            await c.ExecuteAsync($"""
                INSERT INTO partnerships (id, slug, name, area_code, public_read, version, created_at, updated_at)
                VALUES (@id, 'lambeth', 'Lambeth CSP', 'E09000022', 0, 1, {At}, {At});
                INSERT INTO clients (partnership_id, id, name, scopes, key_id, key_hash, version, created_at, updated_at)
                VALUES (@id, @client, 'portal', 'plans:write', 'k1', x'00', 1, {At}, {At});
                INSERT INTO plans (partnership_id, id, title, period_start, period_end, status, approved_on, approved_by, version, created_at, updated_at)
                VALUES (@id, @byClient, 'By a client', '2023-04-01', '2024-03-31', 'archived', '2023-03-01', @client, 3, {At}, {At}),
                       (@id, @byPlatform, 'By the operator', '2024-04-01', '2025-03-31', 'archived', '2024-03-01', 'platform', 3, {At}, {At}),
                       (@id, @byName, 'By the board', '2025-04-01', '2026-03-31', 'approved', '2025-03-20', 'Lambeth CSP Board', 2, {At}, {At});
                INSERT INTO priorities (partnership_id, id, plan_id, code, title, position, version, created_at, updated_at)
                VALUES (@id, @priority, @byName, 'P1', 'Violence', 1, 1, {At}, {At});
                INSERT INTO commitments (partnership_id, id, priority_id, code, title, status, latest_update_id, version, created_at, updated_at)
                VALUES (@id, @commitment, @priority, 'C1', 'Spaces', 'on_track', @update, 2, {At}, {At});
                INSERT INTO commitment_updates (partnership_id, id, commitment_id, status, commentary, client_id, created_at)
                VALUES (@id, @update, @commitment, 'on_track', 'Posters up', @client, {At});
                """, new { id, client, byClient, byPlatform, byName, priority, commitment, update });
        }

        Migrator.Migrate(DatabaseProvider.Sqlite, ConnectionString, NullLogger.Instance);

        await using var after = new SqliteConnection(ConnectionString);
        Assert.Equal(("2025-06-30", null, null), await after.QuerySingleAsync<(string, string?, long?)>(
            "SELECT as_at, author, percent_complete FROM commitment_updates WHERE id = @update", new { update }));
        var approvers = (await after.QueryAsync<(string Id, string? ApprovedBy, string ApprovedOn)>(
            "SELECT id, approved_by, approved_on FROM plans WHERE partnership_id = @id", new { id })).ToDictionary(p => p.Id);
        Assert.Null(approvers[byClient].ApprovedBy);
        Assert.Null(approvers[byPlatform].ApprovedBy);
        Assert.Equal(("Lambeth CSP Board", "2025-03-20"), (approvers[byName].ApprovedBy, approvers[byName].ApprovedOn));
        Assert.Equal("2023-03-01", approvers[byClient].ApprovedOn);
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
