using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Plans;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.Portal;

/// <summary>A service whose clock a test sets (issue 16, point 3: release times).</summary>
public sealed class ManualClockFactory : CspApiFactory
{
    public ManualClock Clock { get; } = new(new DateTimeOffset(2025, 6, 10, 8, 0, 0, TimeSpan.Zero));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>A clock that says what a test sets.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// Issue 16, point 3: with <c>publicRelease.requireSignoff</c> on, the public sees a period's values only once its source agency (or
/// an admin) has signed them off and their release time (09:30 Europe/London, one day of embargo) has passed; keyed readers see them
/// before, marked <c>embargoed</c>; the release calendar pre-announces them; a withdrawn sign-off takes them back. Each test owns the
/// clock of its own service.
/// </summary>
public sealed class ReleaseTests
{
    private static readonly object Release = new { requireSignoff = true, time = "09:30", timeZone = "Europe/London", embargoDays = 1 };

    private sealed record World(ManualClockFactory Factory, TestTenant T, Guid PlanId, Guid IndicatorId, HttpClient Pusher, HttpClient Signer,
        HttpClient OtherSigner, HttpClient Reader, HttpClient Anonymous);

    private static async Task<World> BuildAsync(ManualClockFactory factory)
    {
        var t = await TestTenant.CreateAsync(factory, "rel", publicRead: true);
        var update = await TestTenant.Expect(await t.Admin.PutAsJsonAsync(t.Path(), new
        {
            name = $"Test {t.Slug}", areaCode = "E09000028", publicRead = true, publicRelease = Release,
        }), HttpStatusCode.OK);
        Assert.True(update["publicRelease"]!["requireSignoff"]!.GetValue<bool>());
        var met = await t.CreateAgencyAsync("MET");
        var lfb = await t.CreateAgencyAsync("LFB", "fire_rescue");
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], met.Id());
        var (signer, _, _) = await t.KeyAsync(["observations:signoff"], met.Id());
        var (otherSigner, _, _) = await t.KeyAsync(["observations:signoff"], lfb.Id());
        var (reader, _, _) = await t.KeyAsync(["read"]);
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var indicator = await t.CreateIndicatorAsync(met.Id(), "ROB-PERSONAL", priorityIds: [priority.Id()]);
        await pusher.PushOkAsync(t, [IndicatorTestData.Row("ROB-PERSONAL", "2025-04", 120), IndicatorTestData.Row("ROB-PERSONAL", "2025-05", 110)]);
        await t.ApprovePlanAsync(plan.Id());
        return new World(factory, t, plan.Id(), indicator.Id(), pusher, signer, otherSigner, reader, factory.ClientWithKey(null));
    }

    private static async Task<string[]> PublicPeriodsAsync(World w) =>
        (await w.Anonymous.GetAsync(w.T.Path($"/indicators/{w.IndicatorId}/observations")).OkAsync())["items"]!.AsArray()
        .Select(o => o!["period"]!.GetValue<string>()).ToArray();

    private static async Task<string?> PublicLatestPeriodAsync(World w)
    {
        var document = await w.Anonymous.GetAsync(w.T.Path($"/plans/{w.PlanId}")).OkAsync();
        return document["indicators"]![0]!["latestObservation"]?["period"]?.GetValue<string>();
    }

    [Fact]
    public async Task A_period_reaches_the_public_only_once_signed_off_and_past_its_release_time()
    {
        using var factory = new ManualClockFactory();
        var w = await BuildAsync(factory);

        // Not signed off: absent publicly (the observations, the plan document), present and embargoed for keyed readers.
        Assert.Empty(await PublicPeriodsAsync(w));
        Assert.Null(await PublicLatestPeriodAsync(w));
        var keyed = await w.Reader.GetAsync(w.T.Path($"/indicators/{w.IndicatorId}/observations")).OkAsync();
        Assert.All(keyed["items"]!.AsArray(), o => Assert.True(o!["embargoed"]!.GetValue<bool>()));

        // Signed off at 09:00 BST on 10 June: released at 09:30 BST (08:30 UTC) the next day.
        w.Factory.Clock.Now = new DateTimeOffset(2025, 6, 10, 8, 0, 0, TimeSpan.Zero);
        var signed = await TestTenant.Expect(await w.Signer.PostAsync(w.T.Path($"/indicators/{w.IndicatorId}/periods/2025-05/signoff"), null),
            HttpStatusCode.OK);
        Assert.Equal(new DateTimeOffset(2025, 6, 10, 8, 0, 0, TimeSpan.Zero), signed["signedOffAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(new DateTimeOffset(2025, 6, 11, 8, 30, 0, TimeSpan.Zero), signed["releaseAt"]!.GetValue<DateTimeOffset>());
        Assert.False(signed["released"]!.GetValue<bool>());
        Assert.NotNull(signed["signedOffBy"]!.GetValue<Guid?>());

        // The calendar pre-announces it, to the public too.
        var calendar = await w.Anonymous.GetAsync(w.T.Path("/releases?from=2025-06-01&to=2025-06-30")).OkAsync();
        var entry = calendar["items"]!.AsArray().Single()!;
        Assert.Equal(("ROB-PERSONAL", "2025-05", false), (entry["indicator"]!.GetValue<string>(), entry["period"]!.GetValue<string>(),
            entry["released"]!.GetValue<bool>()));
        Assert.Empty((await w.Anonymous.GetAsync(w.T.Path("/releases?from=2025-07-01&to=2025-07-31")).OkAsync())["items"]!.AsArray());

        // A minute before: still absent (and the cached plan document is still the one without it).
        w.Factory.Clock.Now = new DateTimeOffset(2025, 6, 11, 8, 29, 0, TimeSpan.Zero);
        Assert.Empty(await PublicPeriodsAsync(w));
        Assert.Null(await PublicLatestPeriodAsync(w));

        // At the release time: May is public everywhere, with no write in between; April (never signed off) is not.
        w.Factory.Clock.Now = new DateTimeOffset(2025, 6, 11, 8, 30, 0, TimeSpan.Zero);
        Assert.Equal(["2025-05"], await PublicPeriodsAsync(w));
        Assert.Equal("2025-05", await PublicLatestPeriodAsync(w));
        var keyedNow = await w.Reader.GetAsync(w.T.Path($"/indicators/{w.IndicatorId}/observations")).OkAsync();
        Assert.Equal([true, false], keyedNow["items"]!.AsArray().Select(o => o!["embargoed"]!.GetValue<bool>()));
        var performance = await w.Anonymous.GetAsync(w.T.Path($"/indicators/{w.IndicatorId}/performance")).OkAsync();
        Assert.Equal("2025-05", performance["latest"]!["period"]!.GetValue<string>());
        Assert.Null(performance["previous"]); // April is not released: the comparison is not made publicly
    }

    [Fact]
    public async Task Only_the_source_agencys_keys_or_an_admin_sign_off_and_a_withdrawal_takes_the_values_back_with_its_reason()
    {
        using var factory = new ManualClockFactory();
        var w = await BuildAsync(factory);
        var path = w.T.Path($"/indicators/{w.IndicatorId}/periods/2025-05/signoff");

        Assert.Equal(HttpStatusCode.Forbidden, (await w.Pusher.PostAsync(path, null)).StatusCode); // no signoff scope
        Assert.Equal(HttpStatusCode.Forbidden, (await w.OtherSigner.PostAsync(path, null)).StatusCode); // another agency's key
        Assert.Equal(HttpStatusCode.Conflict, (await w.Signer.PostAsync(w.T.Path($"/indicators/{w.IndicatorId}/periods/2025-06/signoff"), null)).StatusCode);
        await PlanTestKit.ExpectInvalid(await w.Signer.PostAsync(w.T.Path($"/indicators/{w.IndicatorId}/periods/2025-Q1/signoff"), null), "period");
        var byAdmin = await TestTenant.Expect(await w.T.Admin.PostAsync(path, null), HttpStatusCode.OK);
        // Signing off again changes nothing: who and when stay the first sign-off's.
        w.Factory.Clock.Now = w.Factory.Clock.Now.AddMinutes(5);
        var again = await TestTenant.Expect(await w.Signer.PostAsync(path, null), HttpStatusCode.OK);
        Assert.Equal((byAdmin["signedOffAt"]!.GetValue<DateTimeOffset>(), byAdmin["signedOffBy"]?.GetValue<Guid?>(), 1L),
            (again["signedOffAt"]!.GetValue<DateTimeOffset>(), again["signedOffBy"]?.GetValue<Guid?>(), again["version"]!.GetValue<long>()));

        w.Factory.Clock.Now = new DateTimeOffset(2025, 6, 12, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(["2025-05"], await PublicPeriodsAsync(w));

        await PlanTestKit.ExpectInvalid(await w.Signer.DeleteAsync(path), "reason");
        Assert.Equal(HttpStatusCode.Forbidden, (await w.OtherSigner.DeleteAsync(path + "?reason=no")).StatusCode);
        var withdrawn = await TestTenant.Expect(await w.Signer.DeleteAsync(path + "?reason=ward%20figures%20double-counted"), HttpStatusCode.OK);
        Assert.Equal("ward figures double-counted", withdrawn["withdrawalReason"]!.GetValue<string>());
        Assert.Equal(w.Factory.Clock.Now, withdrawn["withdrawnAt"]!.GetValue<DateTimeOffset>());
        Assert.False(withdrawn["released"]!.GetValue<bool>());
        Assert.Empty(await PublicPeriodsAsync(w));
        Assert.Null(await PublicLatestPeriodAsync(w));
        var read = await w.Reader.GetAsync(path).OkAsync();
        Assert.Equal("ward figures double-counted", read["withdrawalReason"]!.GetValue<string>());
        Assert.Empty((await w.Anonymous.GetAsync(w.T.Path("/releases?from=2025-06-01&to=2025-06-30")).OkAsync())["items"]!.AsArray());

        // The audit trail has both, as events of the indicator's observations.
        var audit = await w.T.Admin.GetAsync(w.T.Path("/audit?limit=200")).OkAsync();
        var actions = audit["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.Contains("signoff", actions);
        Assert.Contains("withdraw_signoff", actions);
    }

    [Fact]
    public async Task A_partnership_without_the_setting_publishes_as_before_and_a_bad_setting_is_refused()
    {
        using var factory = new ManualClockFactory();
        var t = await TestTenant.CreateAsync(factory, "rel", publicRead: true);
        var partnership = await t.Admin.GetAsync(t.Path()).OkAsync();
        Assert.False(partnership["publicRelease"]!["requireSignoff"]!.GetValue<bool>());
        var met = await t.CreateAgencyAsync("MET");
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], met.Id());
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var indicator = await t.CreateIndicatorAsync(met.Id(), "ROB-PERSONAL", priorityIds: [priority.Id()]);
        await pusher.PushOkAsync(t, [IndicatorTestData.Row("ROB-PERSONAL", "2025-05", 110)]);
        await t.ApprovePlanAsync(plan.Id());
        var page = await factory.ClientWithKey(null).GetAsync(t.Path($"/indicators/{indicator.Id()}/observations")).OkAsync();
        Assert.Single(page["items"]!.AsArray());

        var problem = await TestTenant.ExpectProblem(await t.Admin.PutAsJsonAsync(t.Path(), new
        {
            name = "x", areaCode = "E09000028", publicRead = true,
            publicRelease = new { requireSignoff = true, time = "9.30", timeZone = "Mars/Olympus", embargoDays = 400 },
        }), HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.Contains(errors, k => k.EndsWith("time", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(errors, k => k.EndsWith("timeZone", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(errors, k => k.EndsWith("embargoDays", StringComparison.OrdinalIgnoreCase));
        Assert.False((await t.Admin.GetAsync(t.Path()).OkAsync())["publicRelease"]!["requireSignoff"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_public_sees_what_was_signed_off_until_a_change_is_signed_off_and_released_in_its_turn()
    {
        using var factory = new ManualClockFactory();
        var w = await BuildAsync(factory);
        var path = w.T.Path($"/indicators/{w.IndicatorId}/periods/2025-05/signoff");
        await TestTenant.Expect(await w.Signer.PostAsync(path, null), HttpStatusCode.OK);
        w.Factory.Clock.Now = new DateTimeOffset(2025, 6, 12, 9, 0, 0, TimeSpan.Zero);

        async Task<decimal?> PublicMayAsync() =>
            (await w.Anonymous.GetAsync(w.T.Path($"/indicators/{w.IndicatorId}/observations")).OkAsync())["items"]!.AsArray()
            .SingleOrDefault(o => o!["period"]!.GetValue<string>() == "2025-05")?["value"]?.GetValue<decimal>();
        Assert.Equal(110m, await PublicMayAsync());

        // A restatement after sign-off: the public keeps the signed-off 110; keyed readers see 104, marked embargoed.
        await w.Pusher.PushOkAsync(w.T, [new { indicator = "ROB-PERSONAL", period = "2025-05", value = 104, reason = "CONNECT re-extract" }]);
        Assert.Equal(110m, await PublicMayAsync());
        Assert.Equal("2025-05", await PublicLatestPeriodAsync(w));
        var keyed = (await w.Reader.GetAsync(w.T.Path($"/indicators/{w.IndicatorId}/observations")).OkAsync())["items"]!.AsArray()
            .Single(o => o!["period"]!.GetValue<string>() == "2025-05")!;
        Assert.Equal((104m, true), (keyed["value"]!.GetValue<decimal>(), keyed["embargoed"]!.GetValue<bool>()));
        var performance = await w.Anonymous.GetAsync(w.T.Path($"/indicators/{w.IndicatorId}/performance")).OkAsync();
        Assert.Equal(110m, performance["latest"]!["value"]!.GetValue<decimal>());

        // Retracted after sign-off: still the signed-off value publicly.
        Assert.Equal(HttpStatusCode.NoContent, (await w.Pusher.DeleteAsync(w.T.Path($"/indicators/{w.IndicatorId}/observations/2025-05"))).StatusCode);
        Assert.Equal(110m, await PublicMayAsync());

        // Sent again and signed off again: public from the next release time.
        await w.Pusher.PushOkAsync(w.T, [IndicatorTestData.Row("ROB-PERSONAL", "2025-05", 105)]);
        await TestTenant.Expect(await w.Signer.DeleteAsync(path + "?reason=restated"), HttpStatusCode.OK);
        var resigned = await TestTenant.Expect(await w.Signer.PostAsync(path, null), HttpStatusCode.OK);
        Assert.Empty(await PublicPeriodsAsync(w)); // withdrawn, and the new sign-off is not released yet
        w.Factory.Clock.Now = resigned["releaseAt"]!.GetValue<DateTimeOffset>();
        Assert.Equal(105m, await PublicMayAsync());
    }

    /// <summary>The sweep of every public route, for a partnership whose release waits for sign-off and has signed nothing off: no
    /// answer holds the unreleased value (one no other text contains), in any format.</summary>
    [Fact]
    public async Task No_public_route_shows_an_unreleased_value()
    {
        using var factory = new ManualClockFactory();
        var w = await BuildAsync(factory);
        var met = (await w.T.Admin.GetAsync(w.T.Path("/agencies")).OkAsync())["items"]!.AsArray()
            .Single(a => a!["code"]!.GetValue<string>() == "MET")!["id"]!.GetValue<Guid>();
        var priority = (await w.T.Admin.GetAsync(w.T.Path($"/plans/{w.PlanId}/priorities")).OkAsync()).ItemIds()[0];
        var secret = await TestTenant.Expect(await w.T.Admin.PostAsJsonAsync(w.T.Path("/indicators"), new
        {
            code = "UNRELEASED", name = "Unreleased", unit = "percent", direction = "increase", frequency = "monthly", sourceAgencyId = met,
            priorityIds = new[] { priority },
        }), HttpStatusCode.Created);
        await w.Pusher.PushOkAsync(w.T, [IndicatorTestData.Row("UNRELEASED", "2025-05", 12.345678m)]);
        string[] secrets = ["12.345678", "12.346%"];

        var values = new Dictionary<string, string>
        {
            ["partnership"] = w.T.Slug, ["planId"] = w.PlanId.ToString(), ["priorityId"] = priority.ToString(), ["indicatorId"] = secret.Id().ToString(),
            ["agencyId"] = met.ToString(), ["areaCode"] = "E09000028", ["period"] = "2025-05", ["commitmentId"] = Guid.NewGuid().ToString(),
            ["frameworkId"] = Guid.NewGuid().ToString(), ["outcomeId"] = Guid.NewGuid().ToString(), ["clientId"] = Guid.NewGuid().ToString(),
            ["alignmentId"] = Guid.NewGuid().ToString(), ["ruleId"] = Guid.NewGuid().ToString(),
        };
        var routes = Security.MatrixKit.Routes(factory).Where(r => r.Method == "GET" && r.IsTenant
            && r.Endpoint.Metadata.GetMetadata<Csp.Api.Infrastructure.Auth.PublicReadAllowed>() is not null).ToList();
        Assert.Contains(routes, r => r.Pattern.EndsWith("/indicators/{indicatorId}/observations", StringComparison.Ordinal));
        var failures = new List<string>();
        foreach (var route in routes)
            foreach (var accept in new[] { "*/*", "text/csv", "text/markdown", "text/html" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, route.Path(values));
                request.Headers.TryAddWithoutValidation("Accept", accept);
                using var response = await w.Anonymous.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                failures.AddRange(secrets.Where(x => body.Contains(x, StringComparison.Ordinal)).Select(x => $"{route.Key} ({accept}): '{x}'"));
            }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // The same value is there for keyed readers (so the sweep looks for something that exists).
        Assert.Contains("12.345678", await (await w.Reader.GetAsync(w.T.Path($"/indicators/{secret.Id()}/observations"))).Content.ReadAsStringAsync(),
            StringComparison.Ordinal);
    }
}
