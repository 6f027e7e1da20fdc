using System.Net;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observations;

[Collection(ApiCollection.Name)]
public sealed class AtomicityTests(CspApiFactory factory)
{
    /// <summary>
    /// A database failure on one row in the middle of a batch (a trigger here, standing in for a
    /// crash, a full disk or a lost connection) must leave none of the batch behind: not the rows
    /// before it, not the updates, not the revisions. (SQLite writes row by row and fails at row 500;
    /// SQL Server writes the batch in one statement, which the trigger fails as a whole.)
    /// </summary>
    [Fact]
    public async Task A_batch_whose_row_fails_in_the_database_commits_nothing()
    {
        var t = await TestTenant.CreateAsync(factory, "atom", areaCheck: "off");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var indicator = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        var (pusher, _, _) = await t.KeyAsync(["observations:write"]);
        await pusher.PushOkAsync(t, [Row("ROB-PERSONAL", "2023-01", 50)]);
        var before = await t.StoredAsync(indicator);
        var poison = "poison-" + Guid.NewGuid().ToString("N");
        var trigger = "fail_" + Guid.NewGuid().ToString("N");
        await factory.ExecuteAsync(factory.Database.Provider == DatabaseProvider.SqlServer
            ? $"""
              CREATE TRIGGER {trigger} ON observations AFTER INSERT AS
              IF EXISTS (SELECT 1 FROM inserted WHERE note = '{poison}') THROW 50000, 'simulated failure mid-batch', 1;
              """
            : $"""
              CREATE TRIGGER {trigger} BEFORE INSERT ON observations WHEN NEW.note = '{poison}'
              BEGIN SELECT RAISE(ABORT, 'simulated failure mid-batch'); END
              """);
        try
        {
            // Row 0 updates (with a revision), rows 1..499 insert, row 500 fails at the database, 501.. would insert.
            var rows = new List<object> { Row("ROB-PERSONAL", "2023-01", 51) };
            rows.AddRange(Enumerable.Range(0, 999).Select(i => Row("ROB-PERSONAL", "2024-06", i, $"E05{i:D6}", note: i == 499 ? poison : null)));

            var response = await pusher.PushAsync(t, rows);

            await TestTenant.ExpectProblem(response, HttpStatusCode.InternalServerError);
            Assert.Equal(before, await t.StoredAsync(indicator));
            Assert.Equal(0, await t.CountAsync("observation_revisions"));
        }
        finally
        {
            await factory.ExecuteAsync($"DROP TRIGGER {trigger}");
        }

        // The same batch without the failure goes through whole.
        var clean = await pusher.PushOkAsync(t, Enumerable.Range(0, 999).Select(i => Row("ROB-PERSONAL", "2024-06", i, $"E05{i:D6}")));
        Assert.Equal(999, clean.Int("created"));
    }
}
