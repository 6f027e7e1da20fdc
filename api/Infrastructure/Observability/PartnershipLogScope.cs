using System.Collections;
using System.Diagnostics;

namespace Csp.Api.Infrastructure.Observability;

/// <summary>
/// Under /v1/partnerships/{partnership}: every log line of the request carries the partnership's slug (a logging scope,
/// <c>"Partnership": "southwark"</c> in the JSON console format), and its span the <c>csp.partnership</c> tag. The slug is
/// taken from the route as sent, before the tenant check, so lines about a refused request name what was asked for.
/// </summary>
public sealed class PartnershipLogScope(RequestDelegate next, ILogger<PartnershipLogScope> logger)
{
    public const string RouteValue = "partnership";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.RouteValues[RouteValue] is not string slug)
        {
            await next(context);
            return;
        }
        if (Activity.Current is { Recorded: true } activity) activity.SetTag(CspTelemetry.PartnershipTag, slug);
        using (logger.BeginScope(new Scope(slug)))
            await next(context);
    }

    /// <summary>Structured, so formatters write it as a property and not only as text.</summary>
    private sealed class Scope(string slug) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public KeyValuePair<string, object?> this[int index] =>
            index == 0 ? new("Partnership", slug) : throw new ArgumentOutOfRangeException(nameof(index));

        public int Count => 1;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"Partnership:{slug}";
    }
}
