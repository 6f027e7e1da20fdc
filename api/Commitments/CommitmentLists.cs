using System.ComponentModel;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Commitments;

/// <summary>The commitment lists' query parameters, as a portal sends them.</summary>
internal readonly record struct CommitmentQuery(
    [property: Description("Keep commitments with one of these statuses (a comma list, e.g. off_track,at_risk): not_started, on_track, at_risk, off_track, completed, cancelled.")] string? Status,
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
        var status = EnumFilter.ParseSet<CommitmentStatus>(Status, "status", errors);
        if (DueBefore is { } before && DueAfter is { } after && after > before)
            errors["dueAfter"] = ["'dueAfter' must be on or before 'dueBefore'."];
        filter = new CommitmentFilter(status, LeadAgencyId, DueBefore, DueAfter, Overdue == true, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        return errors.Count == 0;
    }
}

/// <summary>Commitments as CSV, for officers who open them in Excel.</summary>
internal static class CommitmentCsv
{
    public static readonly CsvTable<Commitment> Table = new()
    {
        { "id", c => c.Id },
        { "priority_id", c => c.PriorityId },
        { "code", c => c.Code },
        { "title", c => c.Title },
        { "lead_agency_id", c => c.LeadAgencyId },
        { "partner_agency_ids", c => c.PartnerAgencyIds },
        { "start_date", c => c.StartDate },
        { "due_date", c => c.DueDate },
        { "status", c => c.Status },
        { "latest_update_at", c => c.LatestUpdate?.CreatedAt },
        { "latest_update_commentary", c => c.LatestUpdate?.Commentary },
    };
}
