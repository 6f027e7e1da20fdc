using System.ComponentModel;
using System.Text.Json.Serialization;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Changes;

/// <summary>One change: replaying the feed and fetching each entity reproduces the current state.</summary>
/// <param name="Seq">The change's position in this partnership's feed (1, 2, 3… in commit order; a number may be skipped, never
/// reordered). Pass the last one you saw as <c>after</c>. Other partnerships' writes never move it.</param>
/// <param name="EntityType">What changed. Fetch it at its own path by <c>entityId</c>; a <c>commitment_update</c> is listed under
/// its commitment (<c>parent</c>), an <c>observation</c> event names the indicator whose values changed.</param>
/// <param name="EntityId">The id of the entity that changed (for <c>observation</c>, the indicator's id).</param>
/// <param name="Op"><c>create</c> or <c>update</c>: fetch it again (an <c>observation</c> update: the indicator's values for
/// <c>periods</c> and <c>areas</c>); <c>delete</c>: a tombstone, drop your copy (and, for a plan, priority or commitment, what
/// sits under it). An <c>observation</c> delete is the retraction of one value: drop the indicator's value for <c>period</c> and
/// <c>area</c>, and nothing else. Within one write an entity has one change: created and deleted in the same write, it does not
/// appear at all.</param>
/// <param name="At">When the change was committed (UTC).</param>
/// <param name="Parent">What the entity sits under: a priority's plan, a commitment's priority, an update's commitment, an
/// outcome's framework, an alignment's outcome, an observation event's indicator. Absent for top-level entities.</param>
/// <param name="PlanId">The plan the entity belongs to (priorities, commitments, their updates, alignments of a plan's
/// priority or commitment). Absent otherwise.</param>
/// <param name="Period">On an <c>observation</c> delete: the period of the value taken back. Absent otherwise.</param>
/// <param name="Area">On an <c>observation</c> delete: the ONS GSS code of the area of the value taken back. Absent otherwise.</param>
/// <param name="Periods">On an <c>observation</c> update: the periods of the values it wrote (each in some of <c>areas</c>); absent
/// when it wrote more than 500 (refetch the indicator's values).</param>
/// <param name="Areas">On an <c>observation</c> update: the areas (GSS codes) of the values it wrote; absent when it wrote more
/// than 500 (refetch the indicator's values in every area).</param>
public sealed record Change(long Seq, ChangeEntityType EntityType, Guid EntityId, ChangeOp Op, DateTimeOffset At,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChangeParent? Parent = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? PlanId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Period = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Area = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Periods = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Areas = null);

/// <summary>The entity a change's entity sits under.</summary>
/// <param name="Type">The parent's entity type.</param>
/// <param name="Id">The parent's id.</param>
public sealed record ChangeParent(ChangeEntityType Type, Guid Id);

/// <summary>A page of the feed. <c>next</c> is the <c>after</c> of the next call, even on the last page.</summary>
/// <param name="Items">The changes after <c>after</c>, in commit order; at most <c>limit</c>.</param>
/// <param name="Next">The seq of the last item (or <c>after</c> itself when there are none): send it as <c>after</c> next time.</param>
/// <param name="HasMore">True when more changes follow at once: call again with <c>after=next</c>.</param>
public sealed record ChangePage(IReadOnlyList<Change> Items, long Next, bool HasMore);

internal static class ChangesApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static RouteGroupBuilder MapChanges(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/changes").WithTags("Changes");
        group.MapGet("/", ListChanges).WithName("listChanges").WithSummary("The change feed")
            .WithDescription("Every create, update and delete of every entity, in commit order, for incremental sync. " +
                             "Start with after=0 and keep the returned `next`. A sequence number never appears after a larger one.")
            .RequireScope(Scopes.Read);
        return group;
    }

    private static async Task<Results<Ok<ChangePage>, ValidationProblem>> ListChanges(
        Tenant tenant,
        [Description("Return changes after this seq: 0 (the default) for the start, then the `next` of the previous page.")] long? after,
        [Description("Page size, 1–1000 (default 100).")] int? limit,
        ChangeQueries changes, CancellationToken ct)
    {
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit) return Errors.Invalid("limit", $"limit must be between 1 and {MaxLimit}.");
        if (after is < 0) return Errors.Invalid("after", "after must be 0 or a seq the feed returned.");
        var from = after ?? 0;
        var rows = await changes.AfterAsync(tenant, from, take + 1, ct);
        if (rows.Count == 0 && from > 0 && await changes.LatestAsync(tenant, ct) is var latest && from > latest)
            return Errors.Invalid("after", $"after={from} is beyond the end of this partnership's feed (its latest change is {latest}). " +
                "The feed counts each partnership's changes on its own since December 2026: start again from after=0.");
        var hasMore = rows.Count > take;
        var items = hasMore ? rows.Take(take).ToList() : rows;
        return TypedResults.Ok(new ChangePage(items, items.Count > 0 ? items[^1].Seq : from, hasMore));
    }
}
