using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Areas;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Completeness;

/// <summary>A service whose clock the test moves (UTC midday of the day it is set to).</summary>
public sealed class MovableClockFactory : CspApiFactory
{
    public MovableClock Clock { get; } = new(new DateTimeOffset(2024, 7, 5, 12, 0, 0, TimeSpan.Zero));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

public sealed class MovableClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Day(int year, int month, int day) => Now = new DateTimeOffset(year, month, day, 12, 0, 0, TimeSpan.Zero);
}

/// <summary>Who owes what, and who sent it on time: computed from the stored values by the service's clock.</summary>
public sealed class CompletenessTests(MovableClockFactory factory) : IClassFixture<MovableClockFactory>
{
    private static async Task<JsonObject> IndicatorAsync(TestTenant t, Guid agency, string code, int dueDays, bool dueForWards = false) =>
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), new
        {
            code, name = $"Indicator {code}", unit = "count", direction = "decrease", frequency = "monthly", sourceAgencyId = agency, dueDays, dueForWards,
        }), HttpStatusCode.Created);

    private static JsonObject Period(JsonObject report, string agency, string indicator, string period) =>
        report["agencies"].Arr().Single(a => a!["agencyCode"]!.GetValue<string>() == agency)!["periods"].Arr()
            .Single(p => p!["indicator"]!.GetValue<string>() == indicator && p["period"]!.GetValue<string>() == period)!.AsObject();

    private static (int, int, int, int, int, int) Counts(JsonObject o)
    {
        var c = o["counts"]!;
        return (c["expected"]!.GetValue<int>(), c["received"]!.GetValue<int>(), c["onTime"]!.GetValue<int>(), c["late"]!.GetValue<int>(),
            c["missing"]!.GetValue<int>(), c["pending"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_monthly_value_due_ten_days_after_month_end_is_overdue_on_day_eleven_and_late_when_it_comes_on_day_twelve()
    {
        // One test moves the clock; the others in this class do not depend on it.
        lock (factory) factory.Clock.Day(2024, 7, 5);
        var t = await TestTenant.CreateAsync(factory, "complete");
        var met = (await t.CreateAgencyAsync("MET", "police", "Met Central South BCU")).Id();
        var icb = (await t.CreateAgencyAsync("ICB", "health", "South East London ICB")).Id();
        await IndicatorAsync(t, met, "ROB-PERSONAL", dueDays: 10);
        await IndicatorAsync(t, met, "KNIFE-INJURY", dueDays: 10);
        await IndicatorAsync(t, icb, "DRUG-COMPLETIONS", dueDays: 45);
        await t.CreateIndicatorAsync(met, "NOT-CHASED");

        // 5 July: June is not due yet. KNIFE-INJURY arrives early.
        await t.Admin.PushOkAsync(t, [Row("KNIFE-INJURY", "2024-06", 12)]);
        var early = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/completeness?from=2024-06&to=2024-06")), HttpStatusCode.OK);
        Assert.Equal((1, 1, 1, 0, 0, 0), Counts(Period(early, "MET", "KNIFE-INJURY", "2024-06")));
        Assert.Equal((0, 0, 0, 0, 0, 1), Counts(Period(early, "MET", "ROB-PERSONAL", "2024-06")));
        Assert.DoesNotContain(early["agencies"].Arr().SelectMany(a => a!["periods"].Arr()), p => p!["indicator"]!.GetValue<string>() == "NOT-CHASED");

        // 10 July, the due date: still not overdue.
        factory.Clock.Day(2024, 7, 10);
        var dueDay = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/completeness/overdue?from=2024-06")), HttpStatusCode.OK);
        Assert.Empty(dueDay["overdue"].Arr());

        // 11 July: overdue.
        factory.Clock.Day(2024, 7, 11);
        var overdue = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/completeness/overdue?from=2024-06")), HttpStatusCode.OK);
        var item = overdue["overdue"].Arr().Single()!;
        Assert.Equal(("MET", "ROB-PERSONAL", "2024-06", "E09000028", "2024-07-10", 1), (item["agencyCode"]!.GetValue<string>(),
            item["indicator"]!.GetValue<string>(), item["period"]!.GetValue<string>(), item["area"]!.GetValue<string>(),
            item["dueOn"]!.GetValue<string>(), item["daysOverdue"]!.GetValue<int>()));
        var missing = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/completeness?from=2024-06&to=2024-06")), HttpStatusCode.OK);
        Assert.Equal((1, 0, 0, 0, 1, 0), Counts(Period(missing, "MET", "ROB-PERSONAL", "2024-06")));
        Assert.Equal("missing", Period(missing, "MET", "ROB-PERSONAL", "2024-06")["areas"].Arr()[0]!["status"]!.GetValue<string>());

        // 12 July: it arrives, complete but late.
        factory.Clock.Day(2024, 7, 12);
        await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 187)]);
        var report = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/completeness?from=2024-06&to=2024-06")), HttpStatusCode.OK);
        var robbery = Period(report, "MET", "ROB-PERSONAL", "2024-06");
        Assert.Equal((1, 1, 0, 1, 0, 0), Counts(robbery));
        Assert.Equal((1m, 0m), (robbery["counts"]!["reportingRate"]!.GetValue<decimal>(), robbery["counts"]!["onTimeRate"]!.GetValue<decimal>()));
        Assert.Equal(("late", "2024-07-10"), (robbery["areas"].Arr()[0]!["status"]!.GetValue<string>(), robbery.Str("dueOn")));
        var metTotals = report["agencies"].Arr().Single(a => a!["agencyCode"]!.GetValue<string>() == "MET")!["counts"]!;
        Assert.Equal((2, 2, 1m, 0.5m), (metTotals["expected"]!.GetValue<int>(), metTotals["received"]!.GetValue<int>(),
            metTotals["reportingRate"]!.GetValue<decimal>(), metTotals["onTimeRate"]!.GetValue<decimal>()));
        Assert.Empty((await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/completeness/overdue?from=2024-06")), HttpStatusCode.OK))["overdue"].Arr());

        // One agency at a time; the ICB's June is not due until 14 August.
        var onlyIcb = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/completeness?from=2024-06&to=2024-06&agencyId={icb}")), HttpStatusCode.OK);
        Assert.Equal("ICB", onlyIcb["agencies"].Arr().Single()!["agencyCode"]!.GetValue<string>());
        Assert.Equal("2024-08-14", Period(onlyIcb, "ICB", "DRUG-COMPLETIONS", "2024-06").Str("dueOn"));
    }

    [Fact]
    public async Task An_indicator_due_for_wards_expects_a_value_for_each_ward_as_well()
    {
        var t = await TestTenant.CreateAsync(factory, "cwards");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await t.RegisterWardAsync("E05011095", "Borough & Bankside");
        await t.RegisterWardAsync("E05011096", "Camberwell Green");
        await IndicatorAsync(t, met, "ROB-PERSONAL", dueDays: 10, dueForWards: true);
        await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2023-01", 187), Row("ROB-PERSONAL", "2023-01", 12, area: "E05011095")]);

        var report = await TestTenant.Expect(await t.Admin.GetAsync(t.Path("/completeness?from=2023-01&to=2023-01")), HttpStatusCode.OK);

        var january = Period(report, "MET", "ROB-PERSONAL", "2023-01");
        Assert.Equal(3, january["counts"]!["expected"]!.GetValue<int>());
        Assert.Equal(2, january["counts"]!["received"]!.GetValue<int>());
        Assert.Equal(0.6667m, january["counts"]!["reportingRate"]!.GetValue<decimal>());
        Assert.Equal(["E09000028", "E05011095", "E05011096"], january["areas"].Arr().Select(a => a!["area"]!.GetValue<string>()));
        Assert.Equal("missing", january["areas"].Arr()[2]!["status"]!.GetValue<string>());

        var bad = await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path("/completeness?from=2024-06&to=2023-01")), HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["from"]);
    }
}
