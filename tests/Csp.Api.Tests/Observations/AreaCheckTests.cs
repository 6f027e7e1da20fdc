using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Areas;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observations;

/// <summary>A push sends only what belongs: the partnership's areas, each while it exists, and periods that have begun.</summary>
[Collection(ApiCollection.Name)]
public sealed class AreaCheckTests(CspApiFactory factory)
{
    private static IEnumerable<(int, string, string)> Codes(System.Text.Json.Nodes.JsonObject result) =>
        result["conflicts"].Arr().Select(c => (c!["index"]!.GetValue<int>(), c["field"]!.GetValue<string>(), c["code"]!.GetValue<string>()));

    [Fact]
    public async Task A_neighbouring_borough_and_a_period_five_years_ahead_are_refused_and_the_rest_kept()
    {
        var t = await TestTenant.CreateAsync(factory, "check");
        await t.RegisterWardAsync("E05011095", "Borough & Bankside");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var robbery = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        var future = DateTime.UtcNow.AddYears(5).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

        var result = await t.Admin.PushOkAsync(t, [
            Row("ROB-PERSONAL", "2024-06", 187),
            Row("ROB-PERSONAL", "2024-06", 93, "E09000022"),   // Lambeth: a well-formed code, not this partnership's
            Row("ROB-PERSONAL", future, 150),
            Row("ROB-PERSONAL", "2024-06", 19, "E05011095"),
            Row("ROB-PERSONAL", future, 150, "E09000022"),
        ]);

        Assert.Equal(("partial", 2, 3), (result.Str("status"), result.Int("created"), result.Int("rejected")));
        Assert.Equal([(1, "area", "area_outside_partnership"), (2, "period", "future_period"), (4, "period", "future_period"),
            (4, "area", "area_outside_partnership")], Codes(result).OrderBy(c => c.Item1).ThenBy(c => c.Item2 == "area"));
        Assert.Equal(["2024-06/E05011095", "2024-06/E09000028"], (await t.StoredAsync(robbery)).Select(o => $"{o.Period}/{o.Area}"));

        var atomic = await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-07", 180), Row("ROB-PERSONAL", "2024-07", 90, "E09000022")], "?atomic=true");
        Assert.Equal(("rejected", 0), (atomic.Str("status"), atomic.Int("created")));
        Assert.Equal(2, (await t.StoredAsync(robbery)).Count);
    }

    [Fact]
    public async Task An_area_takes_values_only_for_periods_while_it_exists()
    {
        var t = await TestTenant.CreateAsync(factory, "check");
        await t.RegisterWardAsync("E05011095", "Borough & Bankside");
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/areas"), new
        {
            code = "E05000530", name = "Cathedrals", type = "ward", parentCode = "E09000028", validFrom = "2002-05-02", validTo = "2018-05-02",
        }), HttpStatusCode.Created);
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var robbery = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        await t.CreateIndicatorAsync(met, "CONFIDENCE", unit: "percent", direction: "increase", frequency: "quarterly");

        var result = await t.Admin.PushOkAsync(t, [
            Row("ROB-PERSONAL", "2018-04", 20, "E05011095"),   // 0: before the ward existed
            Row("ROB-PERSONAL", "2018-05", 21, "E05011095"),   // 1: the month it came into force
            Row("ROB-PERSONAL", "2018-05", 22, "E05000530"),   // 2: the month the old ward ended
            Row("ROB-PERSONAL", "2018-06", 23, "E05000530"),   // 3: after it ended
            Row("CONFIDENCE", "2018-Q2", 61, "E05000530"),     // 4: a quarter it was in force for part of
            Row("CONFIDENCE", "2018-Q3", 62, "E05000530"),     // 5: a quarter after it ended
        ]);

        Assert.Equal([(0, "area", "area_not_valid_for_period"), (3, "area", "area_not_valid_for_period"), (5, "area", "area_not_valid_for_period")],
            Codes(result));
        Assert.Contains("2018-05-03", result["conflicts"].Arr()[0]!["message"]!.GetValue<string>());
        Assert.Equal(["2018-05/E05000530", "2018-05/E05011095"], (await t.StoredAsync(robbery)).Select(o => $"{o.Period}/{o.Area}"));
    }

    [Fact]
    public async Task With_the_check_off_any_GSS_code_is_taken_but_never_a_future_period()
    {
        var t = await TestTenant.CreateAsync(factory, "check", areaCheck: "off");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var robbery = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();

        var result = await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 93, "E09000022"),
            Row("ROB-PERSONAL", DateTime.UtcNow.AddMonths(2).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), 1)]);

        Assert.Equal([(1, "period", "future_period")], Codes(result));
        Assert.Equal("E09000022", Assert.Single(await t.StoredAsync(robbery)).Area);
    }

    [Fact]
    public async Task What_was_sent_before_the_checks_can_still_be_retracted()
    {
        var t = await TestTenant.CreateAsync(factory, "check", areaCheck: "off");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        var robbery = (await t.CreateIndicatorAsync(met, "ROB-PERSONAL")).Id();
        await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 93, "E09000022")]);
        var future = DateTime.UtcNow.AddYears(5);
        // A value five years ahead, as an older version of the service accepted.
        await factory.ExecuteAsync("""
            INSERT INTO observations (partnership_id, indicator_id, period, area, period_start, period_end, value, status, version, created_at, updated_at)
            VALUES (@p, @i, @period, 'E09000028', @start, @end, '150', 'provisional', 1, @now, @now)
            """, new
        {
            p = t.Id, i = robbery, period = future.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), start = new DateOnly(future.Year, future.Month, 1),
            end = new DateOnly(future.Year, future.Month, 1).AddMonths(1).AddDays(-1), now = DateTimeOffset.UtcNow,
        });
        await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path(), new { name = "Checked", areaCode = "E09000028", publicRead = false, areaCheck = "strict" }),
            HttpStatusCode.OK);

        var result = await t.Admin.PushOkAsync(t, [
            new { indicator = "ROB-PERSONAL", period = "2024-06", area = "E09000022", delete = true },
            new { indicator = "ROB-PERSONAL", period = future.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), delete = true },
        ]);

        Assert.Equal(("ok", 2), (result.Str("status"), result.Int("deleted")));
        Assert.Empty(await t.StoredAsync(robbery));
    }
}

/// <summary>A service whose clock says 15 March 2025, midday UTC.</summary>
public sealed class March2025Factory : CspApiFactory
{
    public static readonly DateTimeOffset Now = new(2025, 3, 15, 12, 0, 0, TimeSpan.Zero);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(new FixedClock(Now)));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

/// <summary>"Today" is the service's, not the sender's.</summary>
public sealed class FuturePeriodClockTests(March2025Factory factory) : IClassFixture<March2025Factory>
{
    [Fact]
    public async Task A_period_is_in_the_future_by_the_services_clock()
    {
        var t = await TestTenant.CreateAsync(factory, "clock");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await t.CreateIndicatorAsync(met, "ROB-PERSONAL");
        await t.CreateIndicatorAsync(met, "CONFIDENCE", unit: "percent", direction: "increase", frequency: "quarterly");

        var result = await t.Admin.PushOkAsync(t, [
            Row("ROB-PERSONAL", "2025-03", 10), Row("ROB-PERSONAL", "2025-04", 11), Row("CONFIDENCE", "2025-Q1", 60), Row("CONFIDENCE", "2025-Q2", 61),
        ]);

        Assert.Equal([(1, "future_period"), (3, "future_period")],
            result["conflicts"].Arr().Select(c => (c!["index"]!.GetValue<int>(), c["code"]!.GetValue<string>())));
        Assert.Contains("after today (2025-03-15)", result["conflicts"].Arr()[0]!["message"]!.GetValue<string>());
    }
}
