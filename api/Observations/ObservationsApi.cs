using System.ComponentModel;
using System.Globalization;
using Csp.Api.Areas;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Jobs;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Csp.Api.Observations;

internal static class ObservationsApi
{
    public static RouteGroupBuilder MapObservations(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/observations").WithTags("Observations");

        group.MapPost("/", PushObservations).WithName("pushObservations").WithSummary("Push a batch of indicator values")
            .WithRequestExample(ObservationExamples.PoliceExtract)
            .WithResponseExample(StatusCodes.Status200OK, ObservationExamples.PoliceExtractResult)
            .WithProblemResponse(ObservationExamples.Forbidden).WithProblemResponse(ObservationExamples.TooLarge)
            .WithDescription("""
                The batch push partners' systems send their data through, modelled on DHIS2's dataValueSets. Each row is an upsert
                on (indicator code, period, area): new rows are created, changed rows updated (the old value is kept as a revision),
                rows equal to the stored value, status and note change nothing. A row with `delete: true` (and no value) retracts the
                stored value, keeping it as a revision; the change feed shows a tombstone. A row's `reason` (why the value changes, e.g.
                "CONNECT re-extract") is kept on the revision it makes; a row that creates a value or changes nothing keeps none. Rows
                that fail a check are rejected with a conflict {index, field, code, message} and the others kept (status `partial`),
                unless `atomic=true`, where any conflict rejects the batch. `dryRun=true` reports without writing. Up to 10,000 rows
                are answered at once. With `atomic=true` the batch's writes commit together or not at all; without it, a batch of
                more rows than the service's chunk size (2,000 unless its operator set another) may commit in chunks of that size, so
                that other partnerships' writes are not held up behind it: a push that fails part way has kept its earlier chunks, and
                sending it again is safe (their rows come back `unchanged`). A key bound to an agency may push only that agency's
                indicators. Send an Idempotency-Key to retry safely.
                A push of more than 10,000 rows (up to 1,000,000), or one sent with `Prefer: respond-async`, runs as a job: the answer
                is 202 with the job in the body and its URL in `Location` (`GET /jobs/{id}`); dryRun and atomic hold for the whole
                job. The same Idempotency-Key returns the same job.
                """)
            .RequireScope(Scopes.ObservationsWrite)
            .AcceptsPushBodies()
            .WithMetadata(new RequestSizeLimitAttribute(BatchPush.MaxBodyBytes))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/", ListSentObservations).WithName("listSentObservations").WithSummary("Read back values across indicators")
            .WithDescription("The stored values of the indicators named by code (`indicator=ROB-PERSONAL,THEFT-PERSON`; every indicator when " +
                             "omitted), as a feed checks what it sent: ordered by indicator code, period and area, cursor-paginated. `period` " +
                             "keeps one period (in any accepted form), `from` and `to` (a period or a date) a range; `area` keeps one area, the " +
                             "partnership's own unless another is named (`area=*`: every area). With `Accept: text/csv` the page comes as CSV " +
                             "(RFC 4180, header row) and the next page's URL in a `Link: <…>; rel=\"next\"` header. An unknown code is a 400 " +
                             "naming it.")
            .RequireScope(Scopes.Read)
            .ProducesCsv(ObservationCsv.Sent.Header);
        return group;
    }

    /// <summary>The read-back's filters, as a partner sends them.</summary>
    internal readonly record struct SentQuery(
        [property: Description("Indicator codes, comma-separated (e.g. `ROB-PERSONAL,THEFT-PERSON`), at most 100; every indicator when omitted.")] string? Indicator,
        [property: Description("Keep one period, e.g. `2024-06` (or `202406`); of each indicator's own frequency.")] string? Period,
        [property: Description("Keep periods starting on or after this period's start (or this date, yyyy-MM-dd).")] string? From,
        [property: Description("Keep periods ending on or before this period's end (or this date, yyyy-MM-dd).")] string? To,
        [property: Description("Keep one area (ONS GSS code); the partnership's own area when omitted; `*` for every area.")] string? Area,
        [property: Description("Page size, 1–200 (default 50).")] int? Limit,
        [property: Description("The nextCursor of the previous page.")] string? Cursor);

    private const int MaxCodes = 100;

    private static async Task<Results<Ok<Page<SentObservation>>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> ListSentObservations(
        Tenant tenant, [AsParameters] SentQuery query, IndicatorQueries indicators, ObservationQueries observations, HttpContext http,
        CancellationToken ct)
    {
        PageRequest.TryCreate(query.Limit, query.Cursor, ObservationQueries.IsSentKey, out var page, out var errors);
        if (!TryBound(query.From, start: true, out var from)) errors["from"] = ["'from' is a period (e.g. 2024-06) or a date (yyyy-MM-dd)."];
        if (!TryBound(query.To, start: false, out var to)) errors["to"] = ["'to' is a period (e.g. 2024-06) or a date (yyyy-MM-dd)."];
        var area = AreaFilter(tenant, query.Area, errors);
        List<string>? periods = null;
        if (query.Period is not null)
        {
            periods = Period.Candidates(query.Period).Select(p => p.Canonical).ToList();
            if (periods.Count == 0) errors["period"] = [$"'{query.Period}' is not a period (e.g. 2024-06, 2024-Q2, 2024, 2024-25, or 202406, 2024Q2, 2024April)."];
        }
        var codes = query.Indicator?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        if (codes is { Count: 0 } || codes?.Count > MaxCodes)
            errors["indicator"] = [$"'indicator' is 1 to {MaxCodes} indicator codes, comma-separated."];
        if (errors.Count > 0) return Errors.Invalid(errors);

        IReadOnlyCollection<Guid>? ids = null;
        if (codes is not null)
        {
            var byCode = await indicators.IdsByCodeAsync(tenant, ct);
            var unknown = codes.Where(code => !byCode.ContainsKey(code)).ToList();
            if (unknown.Count > 0)
                return Errors.Invalid("indicator", $"There is no indicator with code {string.Join(", ", unknown.Select(u => $"'{u}'"))} in this partnership.");
            ids = codes.Select(code => byCode[code]).ToList();
        }
        var rows = await observations.ListSentAsync(tenant, ids, periods, new ObservationFilter(area, from, to), page, ct);
        return Csv.PageOr(http, page.ToPage(rows, ObservationQueries.SentKey), ObservationCsv.Sent, Csv.FileName(tenant.Slug, "observations"));
    }

    /// <summary>An indicator's observations are read under it (<c>/indicators/{id}/observations</c>): the indicators group mounts these.</summary>
    public static RouteGroupBuilder MapObservationReads(this RouteGroupBuilder indicators)
    {
        indicators.MapGet("/{indicatorId:guid}/observations", ListObservations).WithName("listObservations").WithSummary("An indicator's observations")
            .WithDescription("Ordered by period, then area; cursor-paginated. `from` and `to` (a period or a date) keep periods inside that range; " +
                             "`area` keeps one area, the partnership's own unless another is named (`area=*`: every area). With `Accept: text/csv` the page comes as CSV (RFC 4180, header row) and the next page's " +
                             "URL in a `Link: <…>; rel=\"next\"` header. Each value says whether its figure was ever `revised` (changed, or retracted and " +
                             "sent again; not a status or note change alone) and when last (`revisedAt`). `asOf` (keyed callers only: 401 without a key) " +
                             "answers what was stored at that instant, with the same filters and paging: a value since changed shows as it was then, " +
                             "one retracted since is there, one that arrived later is not.")
            .RequireScope(Scopes.Read).AllowPublicRead()
            .ProducesCsv(ObservationCsv.Header)
            .ProducesProblem(StatusCodes.Status404NotFound);
        indicators.MapGet("/{indicatorId:guid}/observations/{period}/revisions", ListRevisions).WithName("listObservationRevisions")
            .WithSummary("An observation's revision history")
            .WithDescription("Every change of the value of the indicator at this period and area (default: the partnership's area), oldest first: " +
                             "the old and new value, status and note, the change (`delta`, new − old), the `reason` the sender gave, the client that " +
                             "sent each (and the new one's name) and when. A retraction is a revision with `retracted: true`, no new value and no " +
                             "delta; the history of a retracted value stays readable.")
            .RequireScope(Scopes.Read).ProducesProblem(StatusCodes.Status404NotFound);
        indicators.MapDelete("/{indicatorId:guid}/observations/{period}", RetractObservation).WithName("retractObservation")
            .WithSummary("Retract one value")
            .WithDescription("Takes back the value of the indicator for this period and area (default: the partnership's area), as a batch " +
                             "row with `delete: true` does: it is removed from every read, kept as a revision, and the change feed shows a " +
                             "tombstone naming the indicator, period and area; `reason` is kept on the revision. A key bound to an agency may retract only that agency's " +
                             "indicators (403). A `final` value is retracted only by an admin with `force=true` (409). 404 when there is no " +
                             "value to retract.")
            .RequireScope(Scopes.ObservationsWrite).WithProblemResponse(ObservationExamples.RetractForbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return indicators;
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RetractObservation(
        Tenant tenant, Guid indicatorId, string period,
        [Description("The area's ONS GSS code; defaults to the partnership's area.")] string? area,
        [Description("Admin only: retract a final value.")] bool? force,
        [Description("Why the value is taken back, e.g. \"sent for the wrong month\"; kept on the revision; at most 4,000 characters.")] string? reason,
        IndicatorQueries indicators, BatchPush push, CancellationToken ct)
    {
        if (force == true && !tenant.Caller.Has(Scopes.Admin))
            return TypedResults.Problem(title: "Insufficient scope", statusCode: StatusCodes.Status403Forbidden,
                detail: $"force=true (retracting a final value) needs a key with the '{Scopes.Admin}' scope.");
        if (await indicators.GetAsync(tenant, indicatorId, ct) is not { } indicator) return Errors.NotFound("indicator " + indicatorId);
        // The push's own row checks and write: the same rules (source agency, final values) and the same tombstone.
        var row = new ObservationInput(indicator.Code, period, area, null, null, null, Delete: true, Reason: reason);
        var result = await Infrastructure.Data.Retry.TransientAsync(t => push.PushAsync(tenant, [row], new PushOptions(null, null, force), t), ct);
        if (result.Refusal is { } refused) return Respond.Problem(refused, "indicator " + indicatorId);
        var outcome = result.Value!;
        if (outcome.Deleted == 1) return TypedResults.NoContent();
        if (outcome.Conflicts is [var conflict, ..])
            return conflict.Code switch
            {
                ConflictCode.ForbiddenIndicator => TypedResults.Problem(title: "Insufficient scope", statusCode: StatusCodes.Status403Forbidden,
                    detail: conflict.Message),
                ConflictCode.FinalValueLocked => Errors.Conflict(conflict.Message),
                _ => Errors.Invalid(conflict.Field, conflict.Message),
            };
        return Errors.NotFound($"value of indicator {indicator.Code} for {period} in {area ?? tenant.AreaCode}");
    }

    private static async Task<Results<Ok<BatchResult>, Accepted<Job>, ValidationProblem, ProblemHttpResult>> PushObservations(
        Tenant tenant, PushBody body, [AsParameters] PushOptions options, BatchPush push, PushJobs jobs, HttpContext http, CancellationToken ct)
    {
        if (options.Force == true && !tenant.Caller.Has(Scopes.Admin))
            return TypedResults.Problem(title: "Insufficient scope", statusCode: StatusCodes.Status403Forbidden,
                detail: "force=true (overwriting final values with provisional ones) needs a key with the 'admin' scope.");
        var respondAsync = Prefer.RespondAsync(http.Request);
        if (respondAsync || body.Rows is not { } rows)
        {
            var submitted = await jobs.SubmitAsync(tenant, body, options, ct);
            if (submitted.Refusal is { } refusedJob) return Respond.Problem(refusedJob, "partnership");
            if (respondAsync) http.Response.Headers[Prefer.Applied] = Prefer.RespondAsyncToken;
            http.Response.Headers.RetryAfter = JobsApi.PollSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Accepted(JobsApi.PathOf(tenant, submitted.Value!.Id), submitted.Value);
        }
        var result = await Infrastructure.Data.Retry.TransientAsync(t => push.PushAsync(tenant, rows, options, t), ct);
        return result.Refusal is { } refused ? Respond.Problem(refused, "partnership") : TypedResults.Ok(result.Value!);
    }

    /// <summary>The observations list's filters, as a partner sends them.</summary>
    internal readonly record struct ObservationQuery(
        [property: Description("Keep periods starting on or after this period's start (or this date, yyyy-MM-dd).")] string? From,
        [property: Description("Keep periods ending on or before this period's end (or this date, yyyy-MM-dd).")] string? To,
        [property: Description("Keep one area (ONS GSS code); the partnership's own area when omitted; `*` for every area.")] string? Area,
        [property: Description("Page size, 1–200 (default 50).")] int? Limit,
        [property: Description("The nextCursor of the previous page.")] string? Cursor,
        [property: Description("Answer what was stored at this instant: a date (yyyy-MM-dd) means the end of that day (UTC), an instant " +
                               "carries its offset (e.g. `2024-08-01T12:00:00Z`); a future one means now. Needs a key.")] string? AsOf = null);

    /// <summary>The area a series read keeps: the one named, the partnership's own when none is, or every area (null) for <c>*</c>.</summary>
    internal static string? AreaFilter(Tenant tenant, string? area, Dictionary<string, string[]> errors)
    {
        if (area == "*") return null;
        if (area is null) return tenant.AreaCode;
        if (!AreaRules.IsCode(area)) errors["area"] = ["'area' " + AreaRules.CodeMessage + " Or * for every area."];
        return area;
    }

    internal static bool TryBound(string? text, bool start, out DateOnly? date)
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
        Tenant tenant, Guid indicatorId, [AsParameters] ObservationQuery query, IndicatorQueries indicators, ObservationQueries observations,
        ObservationHistoryQueries history, HttpContext http, CancellationToken ct)
    {
        PageRequest.TryCreate(query.Limit, query.Cursor, ObservationQueries.IsKey, out var page, out var errors);
        if (!TryBound(query.From, start: true, out var from)) errors["from"] = ["'from' is a period (e.g. 2024-06) or a date (yyyy-MM-dd)."];
        if (!TryBound(query.To, start: false, out var to)) errors["to"] = ["'to' is a period (e.g. 2024-06) or a date (yyyy-MM-dd)."];
        var area = AreaFilter(tenant, query.Area, errors);
        if (errors.Count > 0) return Errors.Invalid(errors);
        if (await indicators.GetAsync(tenant, indicatorId, ct) is not { } indicator) return Errors.NotFound("indicator " + indicatorId);
        if (query.AsOf is not null) return await history.ListAsync(tenant, indicator, query.AsOf, new ObservationFilter(area, from, to), page, http, ct);
        IReadOnlyList<Observation> rows;
        if (tenant.Caller.IsAnonymous)
        {
            // The public's series is released and disclosure-controlled as a whole (secondary suppression looks across areas), then
            // paged; an indicator's series is a few thousand rows at most. The CSV has no withheld columns but the note: it is empty.
            var published = await observations.PublishedSeriesAsync(tenant, indicator, area, from, to, ct);
            rows = published.Where(o => page.After is not [var p, var a] || string.CompareOrdinal(o.Period, p) > 0
                    || (o.Period == p && string.CompareOrdinal(o.Area, a) > 0))
                .Take(page.Fetch).Select(o => o with { Note = null, ClientId = null }).ToList();
            rows = await observations.WithRevisedAsync(tenant, indicatorId, rows, ct);
        }
        else
        {
            rows = await observations.ListAsync(tenant, indicatorId, new ObservationFilter(area, from, to), page, ct);
            var embargoed = await observations.EmbargoedAsync(tenant, indicatorId, ct);
            rows = rows.Select(o => embargoed(o) ? o with { Embargoed = true } : o).ToList();
        }
        return Csv.PageOr(http, page.ToPage(rows, ObservationQueries.Key), ObservationCsv.Of(indicator.Code),
            Csv.FileName(tenant.Slug, indicator.Code, "observations"));
    }

    private static async Task<Results<Ok<Page<ObservationRevision>>, ValidationProblem, ProblemHttpResult>> ListRevisions(
        Tenant tenant, Guid indicatorId, string period, string? area, [AsParameters] PageQuery query, IndicatorQueries indicators,
        ObservationQueries observations, CancellationToken ct)
    {
        if (!query.TryGet(out var page, out var errors)) return Errors.Invalid(errors);
        if (await indicators.GetAsync(tenant, indicatorId, ct) is not { } indicator) return Errors.NotFound("indicator " + indicatorId);
        var parsed = Period.Parse(period, indicator.Frequency.PeriodType());
        if (!parsed.Ok) return Errors.Invalid("period", $"'{period}' is not a {EnumText<IndicatorFrequency>.Text(indicator.Frequency)} period.");
        var where = area ?? tenant.AreaCode;
        var canonical = parsed.Period.Canonical;
        if (!await observations.HasHistoryAsync(tenant, indicatorId, canonical, where, ct))
            return Errors.NotFound($"observation of indicator {indicator.Code} for {canonical} in {where}");
        var rows = await observations.ListRevisionsAsync(tenant, indicatorId, canonical, where, page, ct);
        return TypedResults.Ok(page.ToPage(rows, r => PageRequest.Key(r.Id)));
    }
}

/// <summary>The observations lists as CSV, one table for an indicator's list and the read-back across indicators: each row names its
/// indicator by code. An indicator's list also says whether each figure was revised (the read-back shows what was sent).</summary>
internal static class ObservationCsv
{
    public static readonly string Header = Of("").Header;

    public static CsvTable<Observation> Of(string indicatorCode) => new()
    {
        { "indicator", _ => indicatorCode },
        { "period", o => o.Period },
        { "period_start", o => o.PeriodStart },
        { "period_end", o => o.PeriodEnd },
        { "area", o => o.Area },
        { "area_name", o => o.AreaName },
        { "value", o => o.Value },
        { "status", o => o.Status },
        { "note", o => o.Note },
        { "updated_at", o => o.UpdatedAt },
        { "suppressed", o => o.Suppressed ? "true" : "false" },
        { "disclosure", o => o.Disclosure is { } d ? $"{EnumText<DisclosureRule>.Text(d.Rule)} v{d.Version}" : null },
        { "revised", o => o.Revised ? "true" : "false" },
        { "revised_at", o => o.RevisedAt },
    };

    public static readonly CsvTable<SentObservation> Sent = new()
    {
        { "indicator", o => o.Indicator },
        { "period", o => o.Period },
        { "period_start", o => o.PeriodStart },
        { "period_end", o => o.PeriodEnd },
        { "area", o => o.Area },
        { "area_name", o => o.AreaName },
        { "value", o => o.Value },
        { "status", o => o.Status },
        { "note", o => o.Note },
        { "updated_at", o => o.UpdatedAt },
    };
}

/// <summary>The body's one rule, which <see cref="PushFormats"/> enforces as it reads a JSON body (the rows are read one at a
/// time, never bound as a whole): the contract's <c>required</c> is taken from here.</summary>
public sealed class ObservationBatchValidator : AbstractValidator<ObservationBatch>
{
    public ObservationBatchValidator()
    {
        RuleFor(x => x.Observations).NotNull().WithMessage("'observations' is required (a list of rows).");
    }
}
