using System.ComponentModel;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Csp.Api.Commitments;

/// <summary>The commitment lists' query parameters, as a portal sends them.</summary>
internal readonly record struct CommitmentQuery(
    [property: Description("Keep commitments with this status: not_started, on_track, at_risk, off_track, completed or cancelled.")] string? Status,
    [property: Description("Keep commitments this agency leads.")] Guid? LeadAgencyId,
    [property: Description("Keep commitments due on or before this date (yyyy-MM-dd).")] DateOnly? DueBefore,
    [property: Description("Keep commitments due on or after this date (yyyy-MM-dd).")] DateOnly? DueAfter,
    [property: Description("true: keep commitments past their due date (before today) that are neither completed nor cancelled.")] bool? Overdue,
    [property: Description("Page size, 1–200 (default 50).")] int? Limit,
    [property: Description("The nextCursor of the previous page.")] string? Cursor)
{
    public bool TryGet(TimeProvider clock, out CommitmentFilter filter, out PageRequest page, out Dictionary<string, string[]> errors)
    {
        PageRequest.TryCreate(Limit, Cursor, out page, out errors);
        CommitmentStatus? status = null;
        if (!string.IsNullOrEmpty(Status))
        {
            if (EnumText<CommitmentStatus>.TryParse(Status, out var parsed)) status = parsed;
            else errors["status"] = [$"'status' must be one of: {string.Join(", ", EnumText<CommitmentStatus>.All)}."];
        }
        if (DueBefore is { } before && DueAfter is { } after && after > before)
            errors["dueAfter"] = ["'dueAfter' must be on or before 'dueBefore'."];
        filter = new CommitmentFilter(status, LeadAgencyId, DueBefore, DueAfter, Overdue == true, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        return errors.Count == 0;
    }

    /// <summary>The status filter is read as text (minimal APIs bind enums by C# name) but documented as the contract's enum.</summary>
    public static Task DocumentStatus(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (operation.Parameters?.FirstOrDefault(p => p.Name == "status") is OpenApiParameter parameter)
            parameter.Schema = new OpenApiSchemaReference(nameof(CommitmentStatus), context.Document);
        return Task.CompletedTask;
    }
}

/// <summary>Commitments as CSV (RFC 4180, header row) for officers who open them in Excel.</summary>
internal static class CommitmentCsv
{
    public const string Header =
        "id,priority_id,code,title,lead_agency_id,partner_agency_ids,start_date,due_date,status,latest_update_at,latest_update_commentary";

    public static string Write(IEnumerable<Commitment> rows) => Csv.Write(Header, rows, (sb, c) =>
    {
        Csv.Field(sb, c.Id).Append(',');
        Csv.Field(sb, c.PriorityId).Append(',');
        Csv.Field(sb, c.Code).Append(',');
        Csv.Field(sb, c.Title).Append(',');
        Csv.Field(sb, c.LeadAgencyId).Append(',');
        Csv.Field(sb, string.Join(' ', c.PartnerAgencyIds.Select(id => id.ToString("D")))).Append(',');
        Csv.Field(sb, c.StartDate).Append(',');
        Csv.Field(sb, c.DueDate).Append(',');
        sb.Append(EnumText<CommitmentStatus>.Text(c.Status)).Append(',');
        if (c.LatestUpdate is { } u) sb.Append(u.CreatedAt.UtcDateTime.ToString(TypeHandlers.TimestampFormat, System.Globalization.CultureInfo.InvariantCulture));
        sb.Append(',');
        Csv.Field(sb, c.LatestUpdate?.Commentary);
    });

    public static Results<Ok<Page<Commitment>>, ContentHttpResult, ValidationProblem, ProblemHttpResult> PageOrCsv(HttpContext http, Page<Commitment> page)
    {
        if (!Negotiate.Prefers(http.Request, Csv.MediaType)) return TypedResults.Ok(page);
        Csv.LinkNext(http, page.NextCursor);
        return Csv.Result(Write(page.Items));
    }
}
