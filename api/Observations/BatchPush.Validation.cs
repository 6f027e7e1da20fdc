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
    private static List<Accepted> Validate(Tenant tenant, IReadOnlyList<ObservationInput> rows, Dictionary<string, IndicatorRef> indicators,
        List<ObservationConflict> conflicts)
    {
        var accepted = new List<Accepted>(rows.Count);
        var firstOfKey = new Dictionary<Key, int>(rows.Count);
        var agency = tenant.Caller.AgencyId;
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var before = conflicts.Count;
            void Reject(string field, string code, string message) => conflicts.Add(new ObservationConflict(i, field, code, message));

            IndicatorRef? indicator = null;
            if (row.Indicator is null || !indicators.TryGetValue(row.Indicator, out indicator))
                Reject("indicator", ConflictCodes.UnknownIndicator, row.Indicator is null
                    ? "'indicator' (the indicator's code) is required."
                    : $"There is no indicator with code '{row.Indicator}'.");
            else if (agency is { } own && indicator.SourceAgencyId != own)
            {
                Reject("indicator", ConflictCodes.ForbiddenIndicator, $"Indicator '{row.Indicator}' is sourced by another agency; this key may push only its own agency's indicators.");
                indicator = null;
            }

            Period period = default;
            if (indicator is not null)
            {
                var parsed = Period.Parse(row.Period, indicator.PeriodType);
                period = parsed.Period;
                if (parsed.Status == PeriodParseStatus.Invalid)
                    Reject("period", ConflictCodes.InvalidPeriod, $"'{row.Period}' is not a period (e.g. 2024-06, 2024-Q2, 2024, 2024-25, or 202406, 2024Q2, 2024April).");
                else if (parsed.Status == PeriodParseStatus.WrongType)
                    Reject("period", ConflictCodes.PeriodFrequencyMismatch,
                        $"'{row.Period}' is not a {EnumText<IndicatorFrequency>.Text(indicator.Frequency)} period, which '{row.Indicator}' needs.");
            }
            else if (Period.Candidates(row.Period).Count == 0)
                Reject("period", ConflictCodes.InvalidPeriod, $"'{row.Period}' is not a period.");

            var area = row.Area ?? tenant.AreaCode;
            if (!AreaRules.IsCode(area))
                Reject("area", ConflictCodes.InvalidArea, $"'{area}' is not an ONS GSS code (a letter E, W, S or N and 8 digits).");

            var delete = row.Delete == true;
            if (delete)
            {
                if (row.Value is not null)
                    Reject("value", ConflictCodes.InvalidValue, "A delete row sends no value: it retracts the stored one. Send the row without 'value'.");
                if (row.Status is not null)
                    Reject("status", ConflictCodes.InvalidValue, "A delete row sends no status: it retracts the stored value whatever its status.");
            }
            else if (row.Value is not { } value)
                Reject("value", ConflictCodes.InvalidValue, "'value' is required (send no row for no data, or 'delete': true to retract a value).");
            else if (indicator is not null && IndicatorValues.Problem(indicator.Unit, value) is { } problem)
                Reject("value", ConflictCodes.InvalidValue, problem);

            var note = string.IsNullOrEmpty(row.Note) ? null : row.Note;
            if (note is { Length: > NoteMax })
                Reject("note", ConflictCodes.InvalidValue, $"'note' is at most {NoteMax} characters.");

            if (conflicts.Count > before) continue;
            var key = new Key(indicator!.Id, period.Canonical, area);
            if (!firstOfKey.TryAdd(key, i))
            {
                Reject("period", ConflictCodes.DuplicateInBatch,
                    $"Row {firstOfKey[key]} already sends '{row.Indicator}' for {key.Period} in {area}; a batch sends each once.");
                continue;
            }
            var status = row.Status == ObservationStatus.Final ? Final : Provisional;
            accepted.Add(new Accepted(i, key, period, row.Value ?? 0, status, note, delete));
        }
        return accepted;
    }
}
