using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Observations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Completeness;

internal static class CompletenessApi
{
    /// <summary>The longest span one report covers.</summary>
    public const int MaxYears = 5;

    public static RouteGroupBuilder MapCompleteness(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/completeness").WithTags("Data quality");
        group.MapGet("/", GetCompleteness).WithName("getCompleteness").WithSummary("Who has sent their figures, and on time")
            .WithDescription("For each indicator with a due rule (`dueDays`), per source agency, indicator and period that has ended within " +
                             "`from`–`to` (default: the year to today): the values expected (the partnership's area and, for an indicator " +
                             "`dueForWards`, each ward), received, on time, late, missing and pending, with `reportingRate` and " +
                             "`onTimeRate`. A value is due `dueDays` after its period ends; it is on time when its first value arrived " +
                             $"by then (UTC days). Computed from the stored values when asked. At most {MaxYears} years.")
            .RequireScope(Scopes.Read);
        group.MapGet("/overdue", GetOverdue).WithName("getOverdue").WithSummary("What is overdue now")
            .WithDescription("Every value due and not arrived, since `from` (default: a year before today), oldest due date first, with " +
                             "the agency that owes it and how many days it is overdue: the list an officer chases partners with.")
            .RequireScope(Scopes.Read);
        return group;
    }

    private static async Task<Results<Ok<CompletenessReport>, ValidationProblem>> GetCompleteness(
        Tenant tenant, [AsParameters] CompletenessQuery query, CompletenessQueries completeness, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ObservationsApi.TryBound(query.From, start: true, out var from)) errors["from"] = ["'from' is a period (e.g. 2024-06) or a date (yyyy-MM-dd)."];
        if (!ObservationsApi.TryBound(query.To, start: false, out var to)) errors["to"] = ["'to' is a period (e.g. 2024-06) or a date (yyyy-MM-dd)."];
        if (errors.Count > 0) return Errors.Invalid(errors);
        var end = to ?? completeness.Today;
        var start = from ?? end.AddYears(-1);
        if (start > end) return Errors.Invalid("from", "'from' must be on or before 'to'.");
        if (start < end.AddYears(-MaxYears)) return Errors.Invalid("from", $"A report covers at most {MaxYears} years.");
        return TypedResults.Ok(await completeness.ReportAsync(tenant, start, end, query.AgencyId, ct));
    }

    private static async Task<Results<Ok<OverdueReport>, ValidationProblem>> GetOverdue(
        Tenant tenant, [AsParameters] OverdueQuery query, CompletenessQueries completeness, CancellationToken ct)
    {
        if (!ObservationsApi.TryBound(query.From, start: true, out var from))
            return Errors.Invalid("from", "'from' is a period (e.g. 2024-06) or a date (yyyy-MM-dd).");
        var today = completeness.Today;
        var start = from ?? today.AddYears(-1);
        if (start < today.AddYears(-MaxYears)) return Errors.Invalid("from", $"The list looks back at most {MaxYears} years.");
        return TypedResults.Ok(await completeness.OverdueAsync(tenant, start, query.AgencyId, ct));
    }
}
