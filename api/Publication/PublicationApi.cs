using System.ComponentModel;
using System.Globalization;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Publication;

internal static class PublicationApi
{
    /// <summary>Sign-off routes under an indicator (<c>/indicators/{id}/periods/{period}/signoff</c>), and the release calendar.</summary>
    public static RouteGroupBuilder MapPublication(this RouteGroupBuilder tenant)
    {
        var signoff = tenant.MapGroup("/indicators/{indicatorId:guid}/periods/{period}/signoff").WithTags("Publication");
        signoff.MapPost("/", SignOff).WithName("signOffPeriod").WithSummary("Sign off a period's values for publication")
            .WithDescription("Signs off the indicator's values for the period (every area) for publication, separately from each value's " +
                             "provisional/final status; records who and when, and the release time by the partnership's `publicRelease` " +
                             "settings. With `publicRelease.requireSignoff` on, the public sees the period's values only once signed off and " +
                             "past that time. A key bound to an agency signs off only that agency's indicators (403); an admin any. Signing " +
                             "off a period that stands signed off changes nothing (200 with it); a period without values is a 409. " +
                             "Send an Idempotency-Key to retry safely.")
            .RequireScope(Scopes.ObservationsSignoff)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        signoff.MapGet("/", GetSignoff).WithName("getPeriodSignoff").WithSummary("A period's sign-off")
            .WithDescription("Who signed off the indicator's values for the period, when, and when they are (or were) released; a withdrawn " +
                             "sign-off says who withdrew it, when and why. 404 when the period was never signed off.")
            .RequireScope(Scopes.Read).ProducesProblem(StatusCodes.Status404NotFound);
        signoff.MapDelete("/", Withdraw).WithName("withdrawPeriodSignoff").WithSummary("Withdraw a period's sign-off")
            .WithDescription("Withdraws the sign-off, recording who, when and the `reason` (required): the period is no longer released, and " +
                             "with `publicRelease.requireSignoff` on the public stops seeing its values. The same keys as for signing off. " +
                             "Answers the sign-off as it now is; 404 when there is none.")
            .RequireScope(Scopes.ObservationsSignoff)
            .ProducesProblem(StatusCodes.Status404NotFound);

        tenant.MapGet("/releases", ListReleases).WithName("listReleases").WithTags("Publication").WithSummary("The release calendar")
            .WithDescription("What is published when (Code of Practice for Statistics, T3: orderly release, pre-announced): each signed-off " +
                             "period of an indicator with its release time, by release time, cursor-paginated. `from` and `to` (dates, " +
                             "yyyy-MM-dd, UTC; default: today and 90 days on) bound the release days. Without a key (public read), only " +
                             "indicators of approved and archived plans are listed.")
            .RequireScope(Scopes.Read).AllowPublicRead();
        return tenant;
    }

    private static async Task<Results<Ok<Signoff>, ValidationProblem, ProblemHttpResult>> SignOff(
        Tenant tenant, Guid indicatorId, string period, IndicatorQueries indicators, SignoffQueries signoffs, CancellationToken ct)
    {
        var (found, refused) = await ResolveAsync(tenant, indicatorId, period, indicators, ct);
        if (refused is not null) return refused;
        var result = await signoffs.SignOffAsync(tenant, found!.Value.Indicator, found.Value.Period, ct);
        if (result.Refusal is { } no) return Respond.Problem(no, "indicator " + indicatorId);
        return TypedResults.Ok(result.Value!);
    }

    private static async Task<Results<Ok<Signoff>, ValidationProblem, ProblemHttpResult>> Withdraw(
        Tenant tenant, Guid indicatorId, string period,
        [Description("Why the sign-off is withdrawn, e.g. `ward figures double-counted`; 1–4,000 characters. Required.")] string? reason,
        IndicatorQueries indicators, SignoffQueries signoffs, CancellationToken ct)
    {
        var (found, refused) = await ResolveAsync(tenant, indicatorId, period, indicators, ct);
        if (refused is not null) return refused;
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > ValidationRules.TextMax || reason.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            return Errors.Invalid("reason", $"'reason' says why the sign-off is withdrawn: 1 to {ValidationRules.TextMax:N0} characters, no control characters.");
        var result = await signoffs.WithdrawAsync(tenant, found!.Value.Indicator, found.Value.Period, reason, ct);
        if (result.Refusal is { } no) return Respond.Problem(no, "indicator " + indicatorId);
        return TypedResults.Ok(result.Value!);
    }

    private static async Task<Results<Ok<Signoff>, ValidationProblem, ProblemHttpResult>> GetSignoff(
        Tenant tenant, Guid indicatorId, string period, IndicatorQueries indicators, SignoffQueries signoffs, CancellationToken ct)
    {
        if (await indicators.GetAsync(tenant, indicatorId, ct) is not { } indicator) return Errors.NotFound("indicator " + indicatorId);
        if (!TryPeriod(indicator, period, out var parsed, out var invalid)) return invalid!;
        return await signoffs.GetAsync(tenant, indicatorId, parsed.Canonical, ct) is { } found
            ? TypedResults.Ok(found)
            : Errors.NotFound($"sign-off of indicator {indicator.Code} for {parsed.Canonical}");
    }

    /// <summary>The indicator and period of a sign-off write, or why the caller may not sign it off.</summary>
    private static async Task<((Indicator Indicator, Period Period)? Found, Results<Ok<Signoff>, ValidationProblem, ProblemHttpResult>? Refused)>
        ResolveAsync(Tenant tenant, Guid indicatorId, string period, IndicatorQueries indicators, CancellationToken ct)
    {
        if (await indicators.GetAsync(tenant, indicatorId, ct) is not { } indicator) return (null, Errors.NotFound("indicator " + indicatorId));
        if (!TryPeriod(indicator, period, out var parsed, out var invalid)) return (null, invalid!);
        var caller = tenant.Caller;
        if (!caller.IsPlatform && !caller.Scopes.Contains(Scopes.Admin) && caller.AgencyId != indicator.SourceAgencyId)
            return (null, TypedResults.Problem(title: "Insufficient scope", statusCode: StatusCodes.Status403Forbidden,
                detail: $"Only keys of the agency that sources indicator {indicator.Code}, or an admin, sign off its values."));
        return ((indicator, parsed), null);
    }

    private static bool TryPeriod(Indicator indicator, string text, out Period period, out ValidationProblem? invalid)
    {
        var parsed = Period.Parse(text, indicator.Frequency.PeriodType());
        period = parsed.Period;
        invalid = parsed.Ok ? null
            : Errors.Invalid("period", $"'{text}' is not a {EnumText<IndicatorFrequency>.Text(indicator.Frequency)} period (e.g. 2024-06, 2024-Q2, 2024, 2024-25).");
        return parsed.Ok;
    }

    /// <summary>The release calendar's filters.</summary>
    internal readonly record struct ReleaseQuery(
        [property: Description("The first release day listed (yyyy-MM-dd, UTC); default today.")] string? From,
        [property: Description("The last release day listed (yyyy-MM-dd, UTC); default 90 days after `from`.")] string? To,
        [property: Description("Page size, 1–200 (default 50).")] int? Limit,
        [property: Description("The nextCursor of the previous page.")] string? Cursor);

    private const int DefaultCalendarDays = 90;

    private static async Task<Results<Ok<Page<Release>>, ValidationProblem>> ListReleases(
        Tenant tenant, [AsParameters] ReleaseQuery query, SignoffQueries signoffs, TimeProvider clock, CancellationToken ct)
    {
        PageRequest.TryCreate(query.Limit, query.Cursor, SignoffQueries.IsKey, out var page, out var errors);
        var from = Day(query.From, "from", errors) ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var to = Day(query.To, "to", errors) ?? from.AddDays(DefaultCalendarDays);
        if (errors.Count == 0 && to < from) errors["to"] = ["'to' is on or after 'from'."];
        if (errors.Count > 0) return Errors.Invalid(errors);
        var rows = await signoffs.CalendarAsync(tenant, new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), page, ct);
        return TypedResults.Ok(page.ToPage(rows, SignoffQueries.Key));

        static DateOnly? Day(string? text, string name, Dictionary<string, string[]> errors)
        {
            if (text is null) return null;
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
            errors[name] = [$"'{name}' is a date (yyyy-MM-dd)."];
            return null;
        }
    }
}
