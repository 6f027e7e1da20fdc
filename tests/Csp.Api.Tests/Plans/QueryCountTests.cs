using System.Data;
using System.Data.Common;
using System.Net;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.Plans;

/// <summary>
/// Issue 5, point 1: the whole plan in a bounded number of queries. SQLite only: the statements are counted with SQLite's
/// trace hook (Csp.Api.SqlServer.Tests leaves this file out; the query classes are the same on both engines).
/// </summary>
[Collection(PlansCollection.Name)]
public sealed class QueryCountTests
{
    [Fact]
    public async Task Reading_the_document_takes_the_same_number_of_queries_for_a_small_and_a_large_plan_and_one_when_cached()
    {
        await using var counting = new StatementCountingFactory();
        var small = await PortalKit.BuildAsync(await TestTenant.CreateAsync(counting), priorities: 1, commitmentsEach: 1, indicatorsEach: 1);
        var large = await PortalKit.BuildAsync(await TestTenant.CreateAsync(counting), priorities: 5, commitmentsEach: 6, indicatorsEach: 3);

        async Task<int> Count(PortalPlan p)
        {
            counting.Reset();
            await TestTenant.Expect(await p.Tenant.Admin.GetAsync(p.Tenant.Path($"/plans/{p.PlanId}")), HttpStatusCode.OK);
            return counting.Statements;
        }

        var smallCount = await Count(small);
        var largeCount = await Count(large);
        var cachedCount = await Count(large);

        Assert.True(smallCount > 1, $"the counting seam must see the reads ({smallCount}, {largeCount}, {cachedCount})");
        Assert.Equal(smallCount, largeCount);
        // 1 (key + partnership + change token) + 11 (the document) + one PRAGMA foreign_keys per connection opened (SQLite's
        // connection string asks for it).
        Assert.True(largeCount <= 14, $"a fresh document read takes {largeCount} statements");
        // Key, partnership and change token in one round trip (+ its connection's PRAGMA); the document comes from memory.
        Assert.True(cachedCount <= 2, $"a cached document read takes {cachedCount} statements");
    }
}

/// <summary>The service whose database connections count every SQL statement they run (SQLite's trace hook), to prove
/// that a read costs a fixed number of round trips whatever the data's size.</summary>
public sealed class StatementCountingFactory : CspApiFactory
{
    private int statements;

    // The trace callbacks must outlive the native hooks that call them.
    private readonly List<SQLitePCL.strdelegate_trace> hooks = [];

    public int Statements => Volatile.Read(ref statements);

    public void Reset() => Interlocked.Exchange(ref statements, 0);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton(sp =>
        {
            var cs = DatabaseSetup.ConnectionString(sp.GetRequiredService<IConfiguration>(), DatabaseProvider.Sqlite);
            _ = Db.Create(DatabaseProvider.Sqlite, cs); // registers the type handlers
            return new Db(new CountingDataSource(SqliteFactory.Instance.CreateDataSource(cs), this), SqlDialect.For(DatabaseProvider.Sqlite), cs);
        }));
    }

    private sealed class CountingDataSource(DbDataSource inner, StatementCountingFactory owner) : DbDataSource
    {
        public override string ConnectionString => inner.ConnectionString;

        protected override DbConnection CreateDbConnection()
        {
            var connection = inner.CreateConnection();
            connection.StateChange += (_, e) =>
            {
                if (e.CurrentState != ConnectionState.Open) return;
                SQLitePCL.strdelegate_trace hook = (_, _) => Interlocked.Increment(ref owner.statements);
                lock (owner.hooks) owner.hooks.Add(hook);
                SQLitePCL.raw.sqlite3_trace(((SqliteConnection)connection).Handle, hook, null);
            };
            return connection;
        }
    }
}
