using System.Globalization;
using System.Text;
using Csp.Api.Agencies;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Observations;
using Csp.Api.Plans;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Indicators;

internal static class IndicatorsApi
{
    public static RouteGroupBuilder MapIndicators(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/indicators").WithTags("Indicators");

        group.MapGet("/", ListIndicators).WithName("listIndicators").WithSummary("List the partnership's indicators")
            .WithDescription("Indicators (KPIs) in creation order, cursor-paginated; optionally only those linked to a priority and those " +
                             "whose performance (in the partnership's area) has a status.").RequireScope(Scopes.Read).AllowPublicRead()
            .AddOpenApiOperationTransformer(DocumentPerformanceStatus);
        group.MapGet("/{indicatorId:guid}", GetIndicator).WithName("getIndicator").WithSummary("Get an indicator")
            .WithDescription("One indicator with its ETag; If-None-Match answers 304.").RequireScope(Scopes.Read).AllowPublicRead()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateIndicator).WithName("createIndicator").WithSummary("Add an indicator")
            .WithRequestExample(IndicatorExamples.Create)
            .WithDescription("Adds an indicator. The code is unique in the partnership; baseline and target periods must be of its frequency.")
            .RequireScope(Scopes.PlansWrite).Validate<IndicatorRequest>();
        group.MapPut("/{indicatorId:guid}", UpdateIndicator).WithName("updateIndicator").WithSummary("Replace an indicator")
            .WithDescription("Replaces the indicator and its priority links. Send If-Match with its ETag. The frequency cannot change once it has observations (409).")
            .RequireScope(Scopes.PlansWrite).Validate<IndicatorRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapDelete("/{indicatorId:guid}", DeleteIndicator).WithName("deleteIndicator").WithSummary("Remove an indicator")
            .WithDescription("Removes an indicator without observations; one with observations answers 409 unless an admin sends force=true, which removes them too.")
            .RequireScope(Scopes.PlansWrite)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        group.MapGet("/{indicatorId:guid}/observations", ListObservations).WithName("listObservations").WithSummary("An indicator's observations")
            .WithDescription("Ordered by period, then area; cursor-paginated. `from` and `to` (a period or a date) keep periods inside that range; " +
                             "`area` keeps one area. With `Accept: text/csv` the page comes as CSV (RFC 4180, header row) and the next page's " +
                             "URL in a `Link: <…>; rel=\"next\"` header.")
            .RequireScope(Scopes.Read).AllowPublicRead()
            .ProducesCsv(ObservationCsv.Header)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{indicatorId:guid}/observations/{period}/revisions", ListRevisions).WithName("listObservationRevisions")
            .WithSummary("An observation's revision history")
            .WithDescription("Every change of the value of the indicator at this period and area (default: the partnership's area), oldest first: " +
                             "the old and new value, status and note, and the client that sent each.")
            .RequireScope(Scopes.Read).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{indicatorId:guid}/performance", GetPerformance).WithName("getIndicatorPerformance").WithSummary("How an indicator is doing")
            .WithDescription("For one area (default: the partnership's): the latest value, the previous period, the same period last year, the " +
                             "target, a direction-aware status (on_target, near = within 10% of target, off_target) and the trend against the " +
                             "previous period (improving, stable = within 1%, worsening). Computed, never stored.")
            .RequireScope(Scopes.Read).AllowPublicRead().ProducesProblem(StatusCodes.Status404NotFound);

        var ofPlan = routes.MapGroup("/plans/{planId:guid}/indicators").WithTags("Indicators");
        ofPlan.MapGet("/", ListPlanIndicators).WithName("listPlanIndicators").WithSummary("A plan's indicators and how they are doing")
            .WithDescription("The indicators linked to the plan's priorities, each with its latest observation and performance in the " +
                             "partnership's area, in creation order, cursor-paginated; optionally only those of one priority or of one " +
                             "performance status. With `Accept: text/csv` the page comes as CSV (RFC 4180, header row) and the next page's " +
                             "URL in a `Link: <…>; rel=\"next\"` header. Without a key (public read) only approved and archived plans answer.")
            .RequireScope(Scopes.Read).AllowPublicRead()
            .AddOpenApiOperationTransformer(DocumentPerformanceStatus).ProducesCsv(PlanIndicatorCsv.Header)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>The performance status filter is read as text but documented as the contract's enum.</summary>
    private static Task DocumentPerformanceStatus(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (operation.Parameters?.FirstOrDefault(p => p.Name == "status") is OpenApiParameter parameter)
            parameter.Schema = new OpenApiSchemaReference(nameof(PerformanceStatus), context.Document);
        return Task.CompletedTask;
    }

    /// <summary>The indicator lists' filters.</summary>
    internal readonly record struct IndicatorListQuery(
        [property: System.ComponentModel.Description("Keep indicators linked to this priority.")] Guid? PriorityId,
        [property: System.ComponentModel.Description("Keep indicators whose performance status (in the partnership's area) is this: on_target, near or off_target.")] string? Status,
        [property: System.ComponentModel.Description("Page size, 1–200 (default 50).")] int? Limit,
        [property: System.ComponentModel.Description("The nextCursor of the previous page.")] string? Cursor);

    private static async Task<Results<Ok<Page<PlanIndicator>>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> ListPlanIndicators(
        Tenant tenant, Guid planId, [AsParameters] IndicatorListQuery query, PlanQueries plans, PlanDocumentQueries documents, HttpContext http,
        CancellationToken ct)
    {
        PageRequest.TryCreate(query.Limit, query.Cursor, out var page, out var errors);
        PlanIndicatorCsv.TryParseStatus(query.Status, out var status, errors);
        if (errors.Count > 0) return Errors.Invalid(errors);
        if (await plans.GetAsync(tenant, planId, ct) is not { } plan || (tenant.Caller.IsAnonymous && plan.Status == PlanStatus.Draft))
            return Errors.NotFound("plan " + planId);
        // A plan's indicators are few (they are read whole for the plan document too): filter and page in memory.
        var all = await documents.IndicatorsAsync(tenant, planId, query.PriorityId, ct);
        var after = page.AfterId;
        var rows = all.Where(i => (status is null || i.Performance.Status == status) && (after is null || i.Indicator.Id.CompareTo(after.Value) > 0))
            .OrderBy(i => i.Indicator.Id).Take(page.Fetch).ToList();
        var result = page.ToPage(rows, i => PageRequest.Key(i.Indicator.Id));
        if (!Csv.Wanted(http.Request)) return TypedResults.Ok(result);
        Csv.LinkNext(http, result.NextCursor);
        return Csv.Result(PlanIndicatorCsv.Write(result.Items));
    }

    private static async Task<Results<Ok<Page<Indicator>>, ValidationProblem>> ListIndicators(
        Tenant tenant, [AsParameters] IndicatorListQuery query, IndicatorQueries indicators, CancellationToken ct)
    {
        PageRequest.TryCreate(query.Limit, query.Cursor, out var page, out var errors);
        PlanIndicatorCsv.TryParseStatus(query.Status, out var status, errors);
        if (errors.Count > 0) return Errors.Invalid(errors);
        if (status is null)
            return TypedResults.Ok(page.ToPage(await indicators.ListAsync(tenant, page, ct, query.PriorityId), i => PageRequest.Key(i.Id)));
        // Performance is computed, not stored: read candidates a batch at a time and keep those of the status until the page is full.
        var kept = new List<Indicator>();
        var batch = new PageRequest(PageRequest.MaxLimit, page.After);
        while (kept.Count < page.Fetch)
        {
            var candidates = await indicators.ListAsync(tenant, batch, ct, query.PriorityId);
            var window = candidates.Take(batch.Limit).ToList();
            var performance = await indicators.PerformanceAsync(tenant, window, ct);
            kept.AddRange(window.Where(i => performance[i.Id].Performance.Status == status));
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

    private static async Task<Dictionary<string, string[]>> UnknownReferences(Tenant tenant, IndicatorRequest request, AgencyQueries agencies,
        IndicatorQueries indicators, CancellationToken ct)
    {
        var errors = await agencies.UnknownReferencesAsync(tenant, [("sourceAgencyId", request.SourceAgencyId)], ct);
        var priorityIds = request.PriorityIds ?? [];
        var existing = await indicators.ExistingPrioritiesAsync(tenant, priorityIds, ct);
        var missing = priorityIds.Where(id => !existing.Contains(id)).Select(id => $"There is no priority {id} in this partnership.").ToArray();
        if (missing.Length > 0) errors["priorityIds"] = missing;
        return errors;
    }

    private static async Task<Results<Created<Indicator>, ValidationProblem>> CreateIndicator(
        Tenant tenant, IndicatorRequest request, IndicatorQueries indicators, AgencyQueries agencies, Db db, HttpContext http, CancellationToken ct)
    {
        if (await UnknownReferences(tenant, request, agencies, indicators, ct) is { Count: > 0 } unknown) return Errors.Invalid(unknown);
        try
        {
            var indicator = await indicators.CreateAsync(tenant, request, ct);
            ETags.Set(http.Response, indicator.Version);
            return TypedResults.Created($"/v1/partnerships/{tenant.Slug}/indicators/{indicator.Id}", indicator);
        }
        catch (System.Data.Common.DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return Errors.Invalid("code", $"An indicator with code '{request.Code}' already exists.");
        }
    }

    private static async Task<Results<Ok<Indicator>, ValidationProblem, ProblemHttpResult>> UpdateIndicator(
        Tenant tenant, Guid indicatorId, IndicatorRequest request, IndicatorQueries indicators, AgencyQueries agencies, Db db,
        HttpContext http, CancellationToken ct)
    {
        if (await UnknownReferences(tenant, request, agencies, indicators, ct) is { Count: > 0 } unknown) return Errors.Invalid(unknown);
        try
        {
            var outcome = await indicators.UpdateAsync(tenant, indicatorId, request, ETags.IfMatch(http.Request), ct);
            return Respond.Written(http, outcome, "indicator " + indicatorId, i => i.Version);
        }
        catch (System.Data.Common.DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return Errors.Invalid("code", $"An indicator with code '{request.Code}' already exists.");
        }
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

    /// <summary>The observations list's filters, as a partner sends them.</summary>
    internal readonly record struct ObservationQuery(
        [property: System.ComponentModel.Description("Keep periods starting on or after this period's start (or this date, yyyy-MM-dd).")] string? From,
        [property: System.ComponentModel.Description("Keep periods ending on or before this period's end (or this date, yyyy-MM-dd).")] string? To,
        [property: System.ComponentModel.Description("Keep one area (ONS GSS code).")] string? Area,
        [property: System.ComponentModel.Description("Page size, 1–200 (default 50).")] int? Limit,
        [property: System.ComponentModel.Description("The nextCursor of the previous page.")] string? Cursor);

    private static bool TryBound(string? text, bool start, out DateOnly? date)
    {
        date = null;
        if (text is null) return true;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            date = d;
            return true;
        }
        var candidates = Period.Candidates(text);
        if (candidates.Count == 0) return false;
        date = start ? candidates[0].Start : candidates[0].End;
        return true;
    }

    private static async Task<Results<Ok<Page<Observation>>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> ListObservations(
        Tenant tenant, Guid indicatorId, [AsParameters] ObservationQuery query, IndicatorQueries indicators, HttpContext http, CancellationToken ct)
    {
        ObservationPage.TryCreate(query.Limit, query.Cursor, out var page, out var errors);
        if (!TryBound(query.From, start: true, out var from)) errors["from"] = ["'from' is a period (e.g. 2024-06) or a date (yyyy-MM-dd)."];
        if (!TryBound(query.To, start: false, out var to)) errors["to"] = ["'to' is a period (e.g. 2024-06) or a date (yyyy-MM-dd)."];
        if (errors.Count > 0) return Errors.Invalid(errors);
        if (await indicators.GetAsync(tenant, indicatorId, ct) is not { } indicator) return Errors.NotFound("indicator " + indicatorId);
        var rows = await indicators.ListObservationsAsync(tenant, indicatorId, new ObservationFilter(query.Area, from, to), page, ct);
        var result = page.ToPage(rows);
        if (!Csv.Wanted(http.Request)) return TypedResults.Ok(result);
        Csv.LinkNext(http, result.NextCursor);
        return Csv.Result(ObservationCsv.Write(indicator.Code, result.Items));
    }

    private static async Task<Results<Ok<Page<ObservationRevision>>, ValidationProblem, ProblemHttpResult>> ListRevisions(
        Tenant tenant, Guid indicatorId, string period, string? area, [AsParameters] PageQuery query, IndicatorQueries indicators, CancellationToken ct)
    {
        if (!query.TryGet(out var page, out var errors)) return Errors.Invalid(errors);
        if (await indicators.GetAsync(tenant, indicatorId, ct) is not { } indicator) return Errors.NotFound("indicator " + indicatorId);
        var parsed = Period.Parse(period, indicator.Frequency.PeriodType());
        if (!parsed.Ok) return Errors.Invalid("period", $"'{period}' is not a {EnumText<IndicatorFrequency>.Text(indicator.Frequency)} period.");
        var where = area ?? tenant.AreaCode;
        var canonical = parsed.Period.Canonical;
        if (await indicators.GetObservationAsync(tenant, indicatorId, canonical, where, ct) is null)
            return Errors.NotFound($"observation of indicator {indicator.Code} for {canonical} in {where}");
        var rows = await indicators.ListRevisionsAsync(tenant, indicatorId, canonical, where, page, ct);
        return TypedResults.Ok(page.ToPage(rows, r => PageRequest.Key(r.Id)));
    }

    private static async Task<Results<Ok<Performance>, ProblemHttpResult>> GetPerformance(
        Tenant tenant, Guid indicatorId, string? area, IndicatorQueries indicators, CancellationToken ct)
    {
        if (await indicators.GetAsync(tenant, indicatorId, ct) is not { } indicator) return Errors.NotFound("indicator " + indicatorId);
        var where = area ?? tenant.AreaCode;
        var (latest, others) = await indicators.LatestAsync(tenant, indicatorId, where,
            p => PerformanceRules.ComparedPeriods(indicator.Frequency, p), ct);
        return TypedResults.Ok(PerformanceRules.Compute(indicator, where, latest, others));
    }
}

/// <summary>RFC 4180 CSV of observations: CRLF line ends, a header row, fields quoted when they hold a comma, quote or line break.</summary>
internal static class ObservationCsv
{
    public const string Header = "indicator,period,period_start,period_end,area,value,status,note,updated_at";

    public static string Write(string indicatorCode, IReadOnlyList<Observation> rows)
    {
        var sb = new StringBuilder(Header.Length + 2 + rows.Count * 96);
        sb.Append(Header).Append("\r\n");
        foreach (var o in rows)
        {
            Field(sb, indicatorCode).Append(',');
            Field(sb, o.Period).Append(',');
            sb.Append(o.PeriodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',');
            sb.Append(o.PeriodEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',');
            Field(sb, o.Area).Append(',');
            sb.Append(o.Value.ToString(CultureInfo.InvariantCulture)).Append(',');
            sb.Append(EnumText<ObservationStatus>.Text(o.Status)).Append(',');
            Field(sb, o.Note).Append(',');
            sb.Append(o.UpdatedAt.UtcDateTime.ToString(TypeHandlers.TimestampFormat, CultureInfo.InvariantCulture)).Append("\r\n");
        }
        return sb.ToString();
    }

    private static StringBuilder Field(StringBuilder sb, string? value) => Csv.Field(sb, value);
}
