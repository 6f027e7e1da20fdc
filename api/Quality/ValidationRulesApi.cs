using System.ComponentModel;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Observations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Quality;

internal static class ValidationRulesApi
{
    public static RouteGroupBuilder MapValidationRules(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/validation-rules").WithTags("Data quality");

        group.MapGet("/", ListRules).WithName("listValidationRules").WithSummary("List the partnership's validation rules")
            .WithDescription("Validation rules in creation order, cursor-paginated.")
            .RequireScope(Scopes.Read);
        group.MapGet("/{ruleId:guid}", GetRule).WithName("getValidationRule").WithSummary("Get a validation rule")
            .WithDescription("One rule with its ETag; If-None-Match answers 304.").RequireScope(Scopes.Read)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateRule).WithName("createValidationRule").WithSummary("Add a validation rule")
            .WithDescription("Adds a rule the values of the same period and area must keep, e.g. `KNIFE-INJURY` `less_than_or_equal_to` " +
                             "`KNIFE-CRIME`; each side is an indicator code or a sum of them (`A + B`), all indicators of the partnership and " +
                             "of one frequency. Or, with `aggregate: children_sum_equals_parent` (no operator, no right side), the left side " +
                             "summed over the areas inside an area (its wards) equals its value there. Every push then warns " +
                             "(`rule_violation`) about the rows whose period and area break it; `/validation-rules/violations` lists them.")
            .RequireScope(Scopes.PlansWrite).Validate<ValidationRuleRequest>();
        group.MapDelete("/{ruleId:guid}", DeleteRule).WithName("deleteValidationRule").WithSummary("Remove a validation rule")
            .WithDescription("Removes the rule; pushes no longer check it. Send If-Match with its ETag to avoid removing one changed since you read it.")
            .RequireScope(Scopes.PlansWrite)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapGet("/violations", ListViolations).WithName("listRuleViolations").WithSummary("Where the validation rules do not hold")
            .WithDescription("Every period, area and rule where the stored values break a rule, by period, area and rule, cursor-paginated; " +
                             "for one `period`, or the periods within `from`–`to` (periods or dates). Computed from the stored values " +
                             "when asked. With `Accept: text/csv` the page comes as CSV (RFC 4180, header row) and the next page's URL " +
                             "in a `Link: <…>; rel=\"next\"` header.")
            .RequireScope(Scopes.Read).ProducesCsv(ViolationCsv.Table.Header);
        return group;
    }

    /// <summary>The rules list's paging.</summary>
    internal readonly record struct RuleListQuery(
        [property: Description("Page size, 1–200 (default 50).")] int? Limit,
        [property: Description("The nextCursor of the previous page.")] string? Cursor);

    private static async Task<Results<Ok<Page<ValidationRule>>, ValidationProblem>> ListRules(
        Tenant tenant, [AsParameters] RuleListQuery query, ValidationRuleQueries rules, CancellationToken ct)
    {
        if (!PageRequest.TryCreate(query.Limit, query.Cursor, out var page, out var errors)) return Errors.Invalid(errors);
        return TypedResults.Ok(page.ToPage(await rules.ListAsync(tenant, page, ct), r => PageRequest.Key(r.Id)));
    }

    private static async Task<Results<Ok<ValidationRule>, StatusCodeHttpResult, ProblemHttpResult>> GetRule(
        Tenant tenant, Guid ruleId, ValidationRuleQueries rules, HttpContext http, CancellationToken ct)
    {
        if (await rules.GetAsync(tenant, ruleId, ct) is not { } rule) return Errors.NotFound("validation rule " + ruleId);
        return Respond.WithETag(http, rule, rule.Version);
    }

    private static async Task<Results<Created<ValidationRule>, ValidationProblem, ProblemHttpResult>> CreateRule(
        Tenant tenant, ValidationRuleRequest request, ValidationRuleQueries rules, HttpContext http, CancellationToken ct) =>
        Respond.Created(http, await rules.CreateAsync(tenant, request, ct), "validation rule",
            r => $"/v1/partnerships/{tenant.Slug}/validation-rules/{r.Id}", r => r.Version);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteRule(
        Tenant tenant, Guid ruleId, ValidationRuleQueries rules, HttpContext http, CancellationToken ct) =>
        Respond.Deleted(await rules.DeleteAsync(tenant, ruleId, ETags.IfMatch(http.Request), ct), "validation rule " + ruleId);

    /// <summary>The violations list is ordered by period, area and rule: its cursor's key.</summary>
    private static string[] Key(RuleViolation v) => [v.Period, v.Area, v.Rule];

    private static async Task<Results<Ok<Page<RuleViolation>>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> ListViolations(
        Tenant tenant, [AsParameters] ViolationQuery query, ValidationRuleQueries rules, HttpContext http, CancellationToken ct)
    {
        PageRequest.TryCreate(query.Limit, query.Cursor, parts => parts.Length == 3, out var page, out var errors);
        if (!ObservationsApi.TryBound(query.From, start: true, out var from)) errors["from"] = ["'from' is a period (e.g. 2024-06) or a date (yyyy-MM-dd)."];
        if (!ObservationsApi.TryBound(query.To, start: false, out var to)) errors["to"] = ["'to' is a period (e.g. 2024-06) or a date (yyyy-MM-dd)."];
        List<string>? periods = null;
        if (query.Period is not null)
        {
            periods = Period.Candidates(query.Period).Select(p => p.Canonical).Distinct().ToList();
            if (periods.Count == 0) errors["period"] = [$"'{query.Period}' is not a period (e.g. 2024-06, 2024-Q2, 2024, 2024-25, or 202406, 2024Q2, 2024April)."];
        }
        if (errors.Count > 0) return Errors.Invalid(errors);
        var all = await rules.ViolationsAsync(tenant, periods, from, to, ct);
        var after = page.After;
        var rows = all.Where(v => after is null || Compare(Key(v), after) > 0).Take(page.Fetch).ToList();
        return Csv.PageOr(http, page.ToPage(rows, Key), ViolationCsv.Table, Csv.FileName(tenant.Slug, "rule-violations"));
    }

    private static int Compare(string[] a, string[] b)
    {
        for (var i = 0; i < a.Length; i++)
            if (string.CompareOrdinal(a[i], b[i]) is var c and not 0) return c;
        return 0;
    }
}

/// <summary>The violations list as CSV.</summary>
internal static class ViolationCsv
{
    public static readonly CsvTable<RuleViolation> Table = new()
    {
        { "rule_id", v => v.RuleId },
        { "rule", v => v.Rule },
        { "period", v => v.Period },
        { "area", v => v.Area },
        { "left_value", v => v.LeftValue },
        { "right_value", v => v.RightValue },
        { "message", v => v.Message },
    };
}
