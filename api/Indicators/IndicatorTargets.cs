using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Indicators;

/// <summary>
/// An indicator's targets as a write stores them: the list sent (areas resolved, periods canonical), or the current list when
/// none is sent; the deprecated single <c>target</c> is the partnership-area entry of its period. Checked inside the write
/// that stores them, against the partnership's registered areas.
/// </summary>
internal static class IndicatorTargets
{
    /// <summary>A monthly trajectory for 23 wards and the borough over three years is 864.</summary>
    public const int Max = 1000;

    public static async Task<(IReadOnlyList<Target> Targets, WriteRefusal? Refused)> ResolveAsync(WriteUnit w, IndicatorRequest request,
        Indicator? current)
    {
        var type = request.Frequency!.Value.PeriodType();
        var own = w.Tenant.AreaCode;
        string Canonical(string period) => Period.Parse(period, type).Period.Canonical;
        var errors = new Dictionary<string, string[]>();

        List<Target> targets;
        if (request.Targets is { } sent)
            targets = sent.Select(t => new Target(t!.Area ?? own, Canonical(t.Period!), t.Value!.Value)).ToList();
        else if (current is null)
            targets = [];
        else if (current.Frequency != request.Frequency && current.Targets.Count > 0)
            return ([], WriteRefusal.Invalid("targets",
                "The frequency changes and the targets are of the old one: send the targets of the new frequency, or targets: [] to remove them."));
        else
            targets = [.. current.Targets];

        if (request.Target is { } single)
        {
            var point = new Target(own, Canonical(single.Period!), single.Value!.Value);
            if (request.Targets is null)
                targets = [.. targets.Where(t => t.Area != own || t.Period != point.Period), point];
            else if (!targets.Contains(point))
                errors["target"] = ["'target' is deprecated; when 'targets' is sent too, 'target' must be its partnership-area entry for that period."];
        }

        var known = (await w.QueryAsync<string>("SELECT code FROM areas WHERE partnership_id = @PartnershipId", new { w.PartnershipId }))
            .ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < targets.Count; i++)
        {
            var field = request.Targets is null ? "target" : $"targets[{i}]";
            if (!known.Contains(targets[i].Area))
                errors[request.Targets is null ? field : field + ".area"] =
                    [$"There is no area {targets[i].Area} in this partnership; register it (POST /areas) before giving it targets."];
            else if (!seen.Add((targets[i].Area, targets[i].Period)))
                errors[field + ".period"] = [$"{targets[i].Area} has two targets for {targets[i].Period}; a trajectory has one value per period."];
        }
        var ordered = targets.OrderBy(t => t.Area, StringComparer.Ordinal).ThenBy(t => t.Period, StringComparer.Ordinal).ToList();
        return (ordered, WriteRefusal.InvalidIfAny(errors));
    }
}
