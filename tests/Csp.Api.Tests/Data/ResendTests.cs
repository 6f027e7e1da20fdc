using System.Net;
using System.Text.Json.Nodes;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Data;

/// <summary>
/// SQLite: while a partnership's pushes write nothing (a feed resending what is stored), its next push checks its rows before it
/// waits for the partnership's push turn, so resends check side by side; a push found to write then waits for the turn and checks
/// again if the partnership was written meanwhile; once a push writes, the next one waits for the turn before its checks again.
/// The test holds the push turn itself. On a database of its own, so that no other test's push waits for that turn.
/// </summary>
public sealed class ResendTests(CspApiFactory factory) : IClassFixture<CspApiFactory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static IEnumerable<object> Wards(decimal value, int count = 24) =>
        Enumerable.Range(0, count).Select(i => Row("ROB-PERSONAL", "2024-06", value + i, $"E05{i:D6}"));

    private async Task<(TestTenant T, Guid Indicator, Tenant Tenant, Db Db)> PartnershipAsync(string prefix)
    {
        var t = await TestTenant.CreateAsync(factory, prefix, areaCheck: "off");
        var indicator = (await t.CreateIndicatorAsync((await t.CreateAgencyAsync("MET")).Id())).Id();
        return (t, indicator, new Tenant(t.Id, t.Slug, "E09000028", false, Caller.Platform), factory.Services.GetRequiredService<Db>());
    }

    private static async Task<JsonObject> PushedAsync(TestTenant t, IEnumerable<object> rows) =>
        await TestTenant.Expect(await t.Admin.PushAsync(t, rows), HttpStatusCode.OK);

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        for (var waited = 0; !condition(); waited += 5)
        {
            Assert.True(waited < Patience.TotalMilliseconds, what);
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task A_resend_after_a_push_that_wrote_nothing_answers_without_waiting_for_the_push_turn()
    {
        var (t, _, tenant, db) = await PartnershipAsync("resendfree");
        Assert.Equal(24, (await PushedAsync(t, Wards(10m))).Int("created"));
        Assert.Equal(24, (await PushedAsync(t, Wards(10m))).Int("unchanged")); // wrote nothing: the next push checks first

        using (await db.PushTurnAsync(tenant, CancellationToken.None))
        {
            var resend = t.Admin.PushAsync(t, Wards(10m));
            var first = await Task.WhenAny(resend, Task.Delay(Patience));
            Assert.True(first == resend, "the resend waited for the push turn the test holds");
            var answer = await TestTenant.Expect(await resend, HttpStatusCode.OK);
            Assert.Equal(("ok", 0, 0, 24), (answer.Str("status"), answer.Int("created"), answer.Int("updated"), answer.Int("unchanged")));
        }
    }

    [Fact]
    public async Task A_push_found_to_write_waits_for_the_turn_and_checks_again_what_was_written_meanwhile()
    {
        var (t, indicator, tenant, db) = await PartnershipAsync("resendstale");
        await PushedAsync(t, Wards(10m));
        await PushedAsync(t, Wards(10m));

        // The push checks before the turn (the partnership was quiet) and finds one new key, so it waits for the turn the test
        // holds; meanwhile a write stores a value for that key, with its audit event.
        Task<HttpResponseMessage> push;
        using (var turn = await db.PushTurnAsync(tenant, CancellationToken.None))
        {
            push = t.Admin.PushAsync(t, [.. Wards(10m), Row("ROB-PERSONAL", "2024-06", 7m, "E05001000")]);
            await WaitForAsync(() => db.PushTurnUsers(t.Id) == 2, "the push never waited for the push turn");
            await using var edit = await db.BeginWriteAsync(tenant, CancellationToken.None);
            await BehindTheApi.StoreJune2024Async(edit, t.Id, indicator, "E05001000", 5m);
            await edit.CommitAsync();
        }

        // In its turn the push found that value: an update of it with its revision, not an insert over it.
        var answer = await TestTenant.Expect(await push.WaitAsync(Patience), HttpStatusCode.OK);
        Assert.Equal(("ok", 0, 1, 24), (answer.Str("status"), answer.Int("created"), answer.Int("updated"), answer.Int("unchanged")));
        Assert.Equal("7", (await t.StoredAsync(indicator)).Single(o => o.Area == "E05001000").Value);
        Assert.Equal(1L, await t.CountAsync("observation_revisions"));
    }

    [Fact]
    public async Task After_a_push_that_wrote_the_next_push_waits_for_the_turn_before_its_checks()
    {
        var (t, _, tenant, db) = await PartnershipAsync("resendturn");
        await PushedAsync(t, Wards(10m));
        await PushedAsync(t, Wards(10m));
        Assert.Equal(24, (await PushedAsync(t, Wards(20m))).Int("updated")); // wrote: the next push waits for the turn first

        Task<HttpResponseMessage> resend;
        using (await db.PushTurnAsync(tenant, CancellationToken.None))
        {
            resend = t.Admin.PushAsync(t, Wards(20m));
            await WaitForAsync(() => db.PushTurnUsers(t.Id) == 2, "the push never waited for the push turn");
            Assert.False(resend.IsCompleted);
        }
        var answer = await TestTenant.Expect(await resend.WaitAsync(Patience), HttpStatusCode.OK);
        Assert.Equal(24, answer.Int("unchanged"));
    }
}
