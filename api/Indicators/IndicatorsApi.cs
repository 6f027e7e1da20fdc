using Csp.Api.Agencies;
using Csp.Api.Areas;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Observations;
using Csp.Api.Plans;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Indicators;

internal static class IndicatorsApi
{
    public static RouteGroupBuilder MapIndicators(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/indicators").WithTags("Indicators");
        group.AddEndpointFilter(PublicIndicatorsOnly);

        group.MapGet("/", ListIndicators).WithName("listIndicators").WithSummary("List the partnership's indicators")
            .WithDescription("Indicators (KPIs) in creation order, cursor-paginated; optionally only those linked to a priority, those a " +
                             "source agency pushes, and those whose performance (in the partnership's area) has a status.")
            .RequireScope(Scopes.Read).AllowPublicRead()
            .DocumentEnumFilter<PerformanceStatus>("status");
        group.MapGet("/{indicatorId:guid}", GetIndicator).WithName("getIndicator").WithSummary("Get an indicator")
            .WithDescription("One indicator with its ETag; If-None-Match answers 304.").RequireScope(Scopes.Read).AllowPublicRead()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateIndicator).WithName("createIndicator").WithSummary("Add an indicator")
            .WithRequestExample(IndicatorExamples.Create)
            .WithDescription("Adds an indicator. The code is unique in the partnership; baseline, target and break periods must be of its " +
                             "frequency, and each target's area one of the partnership's areas.")
            .RequireScope(Scopes.PlansWrite).Validate<IndicatorRequest>()
            .DocumentsDeprecation("the request sent the deprecated `target`");
        group.MapPut("/{indicatorId:guid}", UpdateIndicator).WithName("updateIndicator").WithSummary("Replace an indicator")
            .WithDescription("Replaces the indicator and its priority links; its targets, breaks, tolerance, definition and source system " +
                             "when sent (left out, they are kept). Send If-Match with its ETag. " +
                             "The frequency cannot change once it has observations (409).")
            .RequireScope(Scopes.PlansWrite).Validate<IndicatorRequest>()
            .DocumentsDeprecation("the request sent the deprecated `target`")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapDelete("/{indicatorId:guid}", DeleteIndicator).WithName("deleteIndicator").WithSummary("Remove an indicator")
            .WithDescription("Removes an indicator without observations; one with observations answers 409 unless an admin sends force=true, which removes them too.")
            .RequireScope(Scopes.PlansWrite)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        group.MapObservationReads();
        group.MapGet("/{indicatorId:guid}/performance", GetPerformance).WithName("getIndicatorPerformance").WithSummary("How an indicator is doing")
            .WithDescription("For one area (default: the partnership's): the latest value, the previous period, the same period last year, the " +
                             "area's target for the latest period (its own, or the nearest earlier one of its trajectory), a direction-aware " +
                             "status (on_target, near = within the indicator's nearTolerancePercent of target, off_target, or no_target when the " +
                             "area has none) and the trend against the previous period (improving, stable = within 1%, worsening). A value " +
                             "compared across a break in the indicator's series says `comparable: false`, and the trend is then `unknown`. " +
                             "Computed, never stored.")
            .RequireScope(Scopes.Read).AllowPublicRead().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{indicatorId:guid}/chart.svg", GetChart).WithName("getIndicatorChart").WithSummary("An indicator's chart (SVG)")
            .WithDescription("The indicator's series in one area (default: the partnership's) as an accessible SVG chart, 600 px wide: the values, " +
                             "the target trajectory (dashed; today the line from baseline to target), series breaks, UK period labels, a " +
                             "`<title>` and a `<desc>` that say the trend in words, and a link to the same data as CSV. `from` and `to` (a " +
                             "period or a date) bound the periods, as on the observations list; at most the latest " +
                             $"{ChartLimit} periods are drawn. The same data gives the same bytes, so its strong ETag answers If-None-Match with 304.")
            .RequireScope(Scopes.Read).AllowPublicRead()
            .Negotiates(Negotiate.Svg)
            .Produces<string>(StatusCodes.Status200OK, Negotiate.Svg)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var ofPlan = routes.MapGroup("/plans/{planId:guid}/indicators").WithTags("Indicators");
        ofPlan.MapGet("/", ListPlanIndicators).WithName("listPlanIndicators").WithSummary("A plan's indicators and how they are doing")
            .WithDescription("The indicators linked to the plan's priorities, each with its latest observation and performance in the " +
                             "partnership's area, in creation order, cursor-paginated; optionally only those of one priority, of one source " +
                             "agency or of one performance status. With `Accept: text/csv` the page comes as CSV (RFC 4180, header row) and the next page's " +
                             "URL in a `Link: <…>; rel=\"next\"` header. Without a key (public read) only approved and archived plans answer.")
            .RequireScope(Scopes.Read).AllowPublicRead()
            .DocumentEnumFilter<PerformanceStatus>("status").ProducesCsv(PlanIndicatorCsv.Table.Header)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>
    /// Without a key, an indicator (and its observations, performance and chart) is readable only while it measures a priority of an
    /// approved or archived plan; one that belongs only to drafts, or does not exist, answers 401 as any other private read does.
    /// </summary>
    private static async ValueTask<object?> PublicIndicatorsOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Items[Tenant.ItemKey] is Tenant { Caller.IsAnonymous: true } tenant
            && http.Request.RouteValues.TryGetValue("indicatorId", out var raw) && Guid.TryParse(raw as string, out var id)
            && !await http.RequestServices.GetRequiredService<IndicatorQueries>().IsPublicAsync(tenant, id, http.RequestAborted))
            return TypedResults.Problem(title: "Missing or invalid API key", statusCode: StatusCodes.Status401Unauthorized,
                detail: $"This indicator is not published; send a valid, unrevoked key in the {ApiKeys.HeaderName} header.");
        return await next(context);
    }

    /// <summary>The indicator lists' filters.</summary>
    internal readonly record struct IndicatorListQuery(
        [property: System.ComponentModel.Description("Keep indicators linked to this priority.")] Guid? PriorityId,
        [property: System.ComponentModel.Description("Keep indicators whose source agency (the agency whose keys push them) is this one.")] Guid? SourceAgencyId,
        [property: System.ComponentModel.Description("Keep indicators whose performance status (in the partnership's area) is one of these (a comma list): on_target, near, off_target, no_target.")] string? Status,
        [property: System.ComponentModel.Description("Page size, 1–200 (default 50).")] int? Limit,
        [property: System.ComponentModel.Description("The nextCursor of the previous page.")] string? Cursor);

    private static async Task<Results<Ok<Page<PlanIndicator>>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> ListPlanIndicators(
        Tenant tenant, Guid planId, [AsParameters] IndicatorListQuery query, PlanQueries plans, PlanDocumentQueries documents, HttpContext http,
        CancellationToken ct)
    {
        PageRequest.TryCreate(query.Limit, query.Cursor, out var page, out var errors);
        var status = EnumFilter.ParseSet<PerformanceStatus>(query.Status, "status", errors);
        if (errors.Count > 0) return Errors.Invalid(errors);
        if (await plans.GetAsync(tenant, planId, ct) is not { } plan || (tenant.Caller.IsAnonymous && plan.Status == PlanStatus.Draft))
            return Errors.NotFound("plan " + planId);
        // A plan's indicators are few (they are read whole for the plan document too): filter and page in memory.
        var all = await documents.IndicatorsAsync(tenant, planId, query.PriorityId, ct);
        var after = page.AfterId;
        var rows = all.Where(i => (status is null || i.Performance.Status is { } s && status.Contains(s)) && (after is null || i.Indicator.Id.CompareTo(after.Value) > 0)
                && (query.SourceAgencyId is null || i.Indicator.SourceAgencyId == query.SourceAgencyId))
            .OrderBy(i => i.Indicator.Id).Take(page.Fetch).ToList();
        return Csv.PageOr(http, page.ToPage(rows, i => PageRequest.Key(i.Indicator.Id)), PlanIndicatorCsv.Table,
            Csv.FileName(tenant.Slug, "plan", planId.ToString(), "indicators"));
    }

    private static async Task<Results<Ok<Page<Indicator>>, ValidationProblem>> ListIndicators(
        Tenant tenant, [AsParameters] IndicatorListQuery query, IndicatorQueries indicators, CancellationToken ct)
    {
        PageRequest.TryCreate(query.Limit, query.Cursor, out var page, out var errors);
        var status = EnumFilter.ParseSet<PerformanceStatus>(query.Status, "status", errors);
        if (errors.Count > 0) return Errors.Invalid(errors);
        var filter = new IndicatorFilter(query.PriorityId, query.SourceAgencyId);
        if (status is null)
            return TypedResults.Ok(page.ToPage(await indicators.ListAsync(tenant, page, ct, filter), i => PageRequest.Key(i.Id)));
        // Performance is computed, not stored: read candidates a batch at a time and keep those of the status until the page is full.
        var kept = new List<Indicator>();
        var batch = new PageRequest(PageRequest.MaxLimit, page.After);
        while (kept.Count < page.Fetch)
        {
            var candidates = await indicators.ListAsync(tenant, batch, ct, filter);
            var window = candidates.Take(batch.Limit).ToList();
            var performance = await indicators.PerformanceAsync(tenant, window, ct);
            kept.AddRange(window.Where(i => performance[i.Id].Performance.Status is { } s && status.Contains(s)));
            if (candidates.Count <= batch.Limit) break;
            batch = batch with { After = PageRequest.Key(window[^1].Id) };
        }
        return TypedResults.Ok(page.ToPage(kept.Take(page.Fetch).ToList(), i => PageRequest.Key(i.Id)));
    }

    private static async Task<Results<Ok<Indicator>, StatusCodeHttpResult, ProblemHttpResult>> GetIndicator(
        Tenant tenant, Guid indicatorId, IndicatorQueries indicators, HttpContext http, CancellationToken ct)
    {
        var indicator = await indicators.GetAsync(tenant, indicatorId, ct);
        if (indicator is null) return Errors.NotFound("indicator " + indicatorId);
        return Respond.WithETag(http, indicator, indicator.Version);
    }

    private static async Task<Results<Created<Indicator>, ValidationProblem, ProblemHttpResult>> CreateIndicator(
        Tenant tenant, IndicatorRequest request, IndicatorQueries indicators, HttpContext http, CancellationToken ct)
    {
        if (request.Target is not null) Deprecation.Mark(http.Response);
        return Respond.Created(http, await indicators.CreateAsync(tenant, request, ct), "indicator",
            i => $"/v1/partnerships/{tenant.Slug}/indicators/{i.Id}", i => i.Version);
    }

    private static async Task<Results<Ok<Indicator>, ValidationProblem, ProblemHttpResult>> UpdateIndicator(
        Tenant tenant, Guid indicatorId, IndicatorRequest request, IndicatorQueries indicators, HttpContext http, CancellationToken ct)
    {
        if (request.Target is not null) Deprecation.Mark(http.Response);
        return Respond.Written(http, await indicators.UpdateAsync(tenant, indicatorId, request, ETags.IfMatch(http.Request), ct),
            "indicator " + indicatorId, i => i.Version);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteIndicator(
        Tenant tenant, Guid indicatorId,
        [System.ComponentModel.Description("Admin only: delete the indicator with all its observations and revisions.")] bool? force, IndicatorQueries indicators, HttpContext http, CancellationToken ct)
    {
        if (force == true && !tenant.Caller.Has(Scopes.Admin))
            return TypedResults.Problem(title: "Insufficient scope", statusCode: StatusCodes.Status403Forbidden,
                detail: "force=true (deleting an indicator with its observations) needs a key with the 'admin' scope.");
        var outcome = await indicators.DeleteAsync(tenant, indicatorId, ETags.IfMatch(http.Request), force == true, ct);
        return Respond.Deleted(outcome, "indicator " + indicatorId);
    }

    /// <summary>The most periods a chart draws (the latest ones): 10 years of months.</summary>
    public const int ChartLimit = 120;

    /// <summary>The chart's filters.</summary>
    internal readonly record struct ChartQuery(
        [property: System.ComponentModel.Description("An ONS GSS area code (e.g. `E09000028`); defaults to the partnership's area.")] string? Area,
        [property: System.ComponentModel.Description("Draw periods starting on or after this period's start (or this date, yyyy-MM-dd).")] string? From,
        [property: System.ComponentModel.Description("Draw periods ending on or before this period's end (or this date, yyyy-MM-dd).")] string? To);

    private static async Task<Results<Representation, StatusCodeHttpResult, ValidationProblem, ProblemHttpResult>> GetChart(
        Tenant tenant, Guid indicatorId, [AsParameters] ChartQuery query, IndicatorQueries indicators, ObservationQueries observations,
        HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ObservationsApi.TryBound(query.From, start: true, out var from)) errors["from"] = ["'from' is a period (e.g. 2024-06) or a date (yyyy-MM-dd)."];
        if (!ObservationsApi.TryBound(query.To, start: false, out var to)) errors["to"] = ["'to' is a period (e.g. 2024-06) or a date (yyyy-MM-dd)."];
        if (query.Area is { } named && !AreaRules.IsCode(named)) errors["area"] = ["'area' " + AreaRules.CodeMessage];
        if (errors.Count > 0) return Errors.Invalid(errors);
        if (await indicators.GetAsync(tenant, indicatorId, ct) is not { } indicator) return Errors.NotFound("indicator " + indicatorId);
        var area = query.Area ?? tenant.AreaCode;
        // The public's chart draws the published series: released periods, suppressed values left unplotted.
        var series = tenant.Caller.IsAnonymous
            ? await observations.PublishedSeriesAsync(tenant, indicator, area, from, to, ct)
            : await observations.SeriesAsync(tenant, indicatorId, area, from, to, ct);
        var data = ChartData.From(indicator, area, tenant.AreaCode, series.TakeLast(ChartLimit).ToList());
        var svg = IndicatorChart.Svg(data, "chart-" + indicator.Code.ToLowerInvariant(), ChartCsvHref(tenant, data), standalone: true);
        var body = new Representation(System.Text.Encoding.UTF8.GetBytes(svg), Negotiate.Svg + "; charset=utf-8");
        return Respond.NotModified(http, body) ? Errors.NotModified() : body;
    }

    /// <summary>The observations list of the chart's data as CSV (a link cannot send Accept, so it says format=csv).</summary>
    internal static string ChartCsvHref(Tenant tenant, ChartData data)
    {
        var query = new List<KeyValuePair<string, string?>> { new("area", data.Area) };
        if (data.Points.Count > 0)
        {
            query.Add(new("from", data.Points[0].Period.Canonical));
            query.Add(new("to", data.Points[^1].Period.Canonical));
        }
        query.Add(new("limit", Infrastructure.PageRequest.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        query.Add(new("format", "csv"));
        return $"/v1/partnerships/{tenant.Slug}/indicators/{data.IndicatorId}/observations{QueryString.Create(query)}";
    }

    private static async Task<Results<Ok<Performance>, ValidationProblem, ProblemHttpResult>> GetPerformance(
        Tenant tenant, Guid indicatorId, string? area, IndicatorQueries indicators, CancellationToken ct)
    {
        if (area is not null && !AreaRules.IsCode(area)) return Errors.Invalid("area", "'area' " + AreaRules.CodeMessage);
        if (await indicators.GetAsync(tenant, indicatorId, ct) is not { } indicator) return Errors.NotFound("indicator " + indicatorId);
        var performance = await indicators.PerformanceAsync(tenant, [indicator], ct, area);
        return TypedResults.Ok(performance[indicator.Id].Performance);
    }
}
