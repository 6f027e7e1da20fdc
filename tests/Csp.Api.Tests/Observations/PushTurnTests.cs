using System.Net;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observations;

/// <summary>
/// On SQLite a push checks its rows and reads their stored values on a reader before it takes the write turn, and in the turn
/// uses that only if the partnership has not changed since (its latest audit seq); otherwise it checks and reads again.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PushTurnTests(CspApiFactory factory)
{
    [Fact]
    public async Task A_write_that_commits_between_a_push_s_checks_and_its_write_turn_is_seen_by_the_push()
    {
        var t = await TestTenant.CreateAsync(factory, "turn");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var indicator = (await t.CreateIndicatorAsync(met)).Id();
        var db = factory.Services.GetRequiredService<Db>();

        Task<HttpResponseMessage> push;
        // Holding the write turn: the push checks its row (no stored value yet) and then waits for the turn.
        await using (var w = await db.BeginPlatformWriteAsync(CancellationToken.None))
        {
            push = t.Admin.PushAsync(t, [Row("ROB-PERSONAL", "2024-06", 7m, "E09000028")]);
            await Task.Delay(500);
            // Meanwhile the same key is written, with its audit event, as every write of the partnership's rows is.
            await BehindTheApi.StoreJune2024Async(w, t.Id, indicator, "E09000028", 5m);
            await w.CommitAsync();
        }

        // The push found the value there in its turn: an update with its revision, not an insert (which would have failed).
        var result = await TestTenant.Expect(await push, HttpStatusCode.OK);
        Assert.Equal((0, 1), (result.Int("created"), result.Int("updated")));
        Assert.Equal("7", Assert.Single(await t.StoredAsync(indicator)).Value);
        Assert.Equal(1L, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM observation_revisions WHERE partnership_id = @p AND indicator_id = @i",
            new { p = t.Id.ToString(), i = indicator.ToString() }));
    }
}
