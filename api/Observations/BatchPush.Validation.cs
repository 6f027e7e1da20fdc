using Csp.Api.Areas;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Observations;

/// <summary>The batch push's checks of each row, made in memory before any write (split from BatchPush.cs).</summary>
public sealed partial class BatchPush
{
    /// <summary>Checks every row on its own and against the batch (duplicates); returns the rows that may be written.</summary>
    /// <param name="scope">The keys of earlier rows of the same push (a job's earlier chunks); <paramref name="rows"/> start at
    /// its <see cref="PushScope.Offset"/>.</param>
    private static List<Accepted> Validate(Tenant tenant, IReadOnlyList<ObservationInput> rows, Rules rules, List<ObservationConflict> conflicts,
        PushScope scope)
    {
        var indicators = rules.Indicators;
        var accepted = new List<Accepted>(rows.Count);
        var firstOfKey = scope.FirstOfKey;
        var agency = tenant.Caller.AgencyId;
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var i = scope.Offset + r;
            var before = conflicts.Count;
            void Reject(string field, ConflictCode code, string message) => conflicts.Add(new ObservationConflict(i, field, code, message));

            IndicatorRef? indicator = null;
            if (row.Indicator is null || !indicators.TryGetValue(row.Indicator, out indicator))
                Reject("indicator", ConflictCode.UnknownIndicator, row.Indicator is null
                    ? "'indicator' (the indicator's code) is required."
                    : $"There is no indicator with code '{row.Indicator}'.");
            else if (agency is { } own && indicator.SourceAgencyId != own)
            {
                Reject("indicator", ConflictCode.ForbiddenIndicator, $"Indicator '{row.Indicator}' is sourced by another agency; this key may push only its own agency's indicators.");
                indicator = null;
            }

            Period period = default;
            if (indicator is not null)
            {
                var parsed = Period.Parse(row.Period, indicator.PeriodType);
                period = parsed.Period;
                if (parsed.Status == PeriodParseStatus.Invalid)
                    Reject("period", ConflictCode.InvalidPeriod, $"'{row.Period}' is not a period (e.g. 2024-06, 2024-Q2, 2024, 2024-25, or 202406, 2024Q2, 2024April).");
                else if (parsed.Status == PeriodParseStatus.WrongType)
                    Reject("period", ConflictCode.PeriodFrequencyMismatch,
                        $"'{row.Period}' is not a {EnumText<IndicatorFrequency>.Text(indicator.Frequency)} period, which '{row.Indicator}' needs.");
            }
            else if (Period.Candidates(row.Period).Count == 0)
                Reject("period", ConflictCode.InvalidPeriod, $"'{row.Period}' is not a period.");

            var delete = row.Delete == true;
            var periodOk = indicator is not null && conflicts.Count == before;
            // A retraction may take back whatever was stored, whenever and wherever it was sent for.
            if (periodOk && !delete && period.Start > rules.Today)
                Reject("period", ConflictCode.FuturePeriod,
                    $"{period.Canonical} starts on {period.Start:yyyy-MM-dd}, after today ({rules.Today:yyyy-MM-dd}): send a value once its period has begun.");

            var area = row.Area ?? tenant.AreaCode;
            if (!AreaRules.IsCode(area))
                Reject("area", ConflictCode.InvalidArea, $"'{area}' is not an ONS GSS code (a letter E, W, S or N and 8 digits).");
            else if (rules.Areas is { } areas && !delete)
            {
                if (!areas.TryGetValue(area, out var known))
                    Reject("area", ConflictCode.AreaOutsidePartnership,
                        $"{area} is not one of this partnership's areas (GET /areas lists them; an admin registers more with POST /areas).");
                else if (periodOk && !known.OverlapsPeriod(period.Start, period.End))
                    Reject("area", ConflictCode.AreaNotValidForPeriod,
                        $"{area} ({known.Name}) exists {Validity(known)}, not during {period.Canonical} ({period.Start:yyyy-MM-dd} to {period.End:yyyy-MM-dd}).");
            }

            if (delete)
            {
                if (row.Value is not null)
                    Reject("value", ConflictCode.InvalidValue, "A delete row sends no value: it retracts the stored one. Send the row without 'value'.");
                if (row.Status is not null)
                    Reject("status", ConflictCode.InvalidValue, "A delete row sends no status: it retracts the stored value whatever its status.");
            }
            else if (row.Value is not { } value)
                Reject("value", ConflictCode.InvalidValue, "'value' is required (send no row for no data, or 'delete': true to retract a value).");
            else if (indicator is not null && IndicatorValues.Problem(indicator.Unit, value) is { } problem)
                Reject("value", ConflictCode.InvalidValue, problem);

            var note = string.IsNullOrEmpty(row.Note) ? null : row.Note;
            if (note is { Length: > NoteMax })
                Reject("note", ConflictCode.InvalidValue, $"'note' is at most {NoteMax} characters.");
            var reason = string.IsNullOrEmpty(row.Reason) ? null : row.Reason;
            if (reason is { Length: > NoteMax })
                Reject("reason", ConflictCode.InvalidValue, $"'reason' is at most {NoteMax} characters.");

            if (conflicts.Count > before) continue;
            var key = new RowKey(indicator!.Id, scope.Shared(period.Canonical), scope.Shared(area));
            if (!firstOfKey.TryAdd(key, i))
            {
                Reject("period", ConflictCode.DuplicateInBatch,
                    $"Row {firstOfKey[key]} already sends '{row.Indicator}' for {key.Period} in {area}; a batch sends each once.");
                continue;
            }
            var status = row.Status == ObservationStatus.Final ? Final : Provisional;
            accepted.Add(new Accepted(i, key, period, row.Value ?? 0, status, note, delete, reason));
        }
        return accepted;
    }

    private static string Validity(Area area) => (area.ValidFrom, area.ValidTo) switch
    {
        ({ } from, { } to) => $"from {from:yyyy-MM-dd} to {to:yyyy-MM-dd}",
        ({ } from, null) => $"from {from:yyyy-MM-dd}",
        (null, { } to) => $"until {to:yyyy-MM-dd}",
        _ => "always",
    };
}
