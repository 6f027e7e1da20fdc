using System.ComponentModel;
using System.Text.Json.Serialization;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Changes;

/// <summary>One change: replaying the feed and fetching each entity reproduces the current state.</summary>
/// <param name="Seq">Commit-ordered position; pass the last one you saw as <c>after</c>.</param>
/// <param name="EntityType">What changed: <c>partnership</c>, <c>agency</c>, <c>client</c>, <c>plan</c>, <c>priority</c>,
/// <c>commitment</c>, <c>commitment_update</c>, <c>indicator</c>, <c>observation</c>, <c>framework</c>, <c>outcome</c> or
/// <c>alignment</c>.</param>
/// <param name="EntityId">The id of the entity that changed. For <c>observation</c>, the id of the indicator whose values changed:
/// refetch its observations on a create or update.</param>
/// <param name="Op"><c>create</c>, <c>update</c> or <c>delete</c> (a tombstone: fetch nothing, drop your copy). An <c>observation</c>
/// delete is the retraction of one value: drop the value of the indicator <c>entityId</c> for <c>period</c> and <c>area</c>, and
/// nothing else.</param>
/// <param name="At">When the change was committed (UTC).</param>
/// <param name="Period">On an <c>observation</c> delete: the period of the value taken back. Absent otherwise.</param>
/// <param name="Area">On an <c>observation</c> delete: the ONS GSS code of the area of the value taken back. Absent otherwise.</param>
public sealed record Change(long Seq, string EntityType, Guid EntityId, string Op, DateTimeOffset At,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Period = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Area = null);

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
        var hasMore = rows.Count > take;
        var items = hasMore ? rows.Take(take).ToList() : rows;
        return TypedResults.Ok(new ChangePage(items, items.Count > 0 ? items[^1].Seq : from, hasMore));
    }
}
