using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Tests.Data;

/// <summary>The service on SQLite with a 1-second busy timeout (the default is 30 s), so a test can outwait it.</summary>
public sealed class ImpatientWriterFactory : CspApiFactory
{
    protected override IEnumerable<(string Key, string Value)> Settings => [("ConnectionStrings:Csp", Database.ConnectionString + ";Default Timeout=1")];
}

/// <summary>
/// A write that cannot get the database in time (another writer, here another process's open transaction, holds it longer
/// than the busy timeout) is a 503 problem with Retry-After, and nothing of it is stored; sent again later, it succeeds.
/// </summary>
public sealed class BusyWriteTests(ImpatientWriterFactory factory) : IClassFixture<ImpatientWriterFactory>
{
    [Fact]
    public async Task A_write_that_waits_too_long_for_the_database_is_503_with_Retry_After_and_writes_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = new { code = "MET", name = "Metropolitan Police", kind = "police" };

        await using (var other = new SqliteConnection(factory.Database.ConnectionString + ";Pooling=False"))
        {
            await other.OpenAsync();
            await using var holding = other.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: the write lock, held

            var busy = await t.Admin.PostAsJsonAsync(t.Path("/agencies"), agency);

            var problem = await TestTenant.ExpectProblem(busy, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("nothing was written", problem.Str("detail"), StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(1), busy.Headers.RetryAfter?.Delta);
        }

        Assert.Equal(0, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM agencies WHERE partnership_id = @id", new { id = t.Id.ToString() }));
        var again = await t.Admin.PostAsJsonAsync(t.Path("/agencies"), agency);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }
}
