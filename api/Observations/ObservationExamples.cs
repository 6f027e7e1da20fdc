using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.OpenApi;

namespace Csp.Api.Observations;

/// <summary>
/// Bodies shown in the contract for the batch push, and the problems it answers in its own words (ExampleTests sends the
/// push to the service and provokes each problem).
/// </summary>
internal static class ObservationExamples
{
    private const string Extract = "CONNECT extract 2024-07-06";

    public static readonly Example<ObservationBatch> PoliceExtract = new("police-extract",
        "The Met's nightly extract: personal robbery, theft from the person and knife crime with injury, one row with a month that does not exist",
        new ObservationBatch(
        [
            Row("ROB-PERSONAL", "2024-01", 212, ObservationStatus.Final),
            Row("ROB-PERSONAL", "2024-02", 198, ObservationStatus.Final),
            Row("ROB-PERSONAL", "2024-03", 224, ObservationStatus.Final),
            Row("ROB-PERSONAL", "2024-04", 205, ObservationStatus.Final),
            Row("ROB-PERSONAL", "2024-05", 203, ObservationStatus.Final),
            Row("ROB-PERSONAL", "2024-06", 187, ObservationStatus.Provisional),
            Row("THEFT-PERSON", "2024-04", 541, ObservationStatus.Final),
            Row("THEFT-PERSON", "2024-05", 566, ObservationStatus.Final),
            Row("THEFT-PERSON", "2024-06", 498, ObservationStatus.Provisional),
            Row("KNIFE-INJURY", "2024-04", 9, ObservationStatus.Final),
            Row("KNIFE-INJURY", "2024-05", 12, ObservationStatus.Final),
            Row("KNIFE-INJURY", "2024-13", 7, ObservationStatus.Provisional),
        ]));

    /// <summary>What <see cref="PoliceExtract"/> gets the first time it is pushed: the eleven good rows kept, the bad one reported.</summary>
    public static readonly Example<BatchResult> PoliceExtractResult = new("police-extract", "Partial: eleven rows created, one rejected (month 13)",
        new BatchResult(BatchStatus.Partial, Created: 11, Updated: 0, Deleted: 0, Unchanged: 0, Rejected: 1, DryRun: false,
        [
            new ObservationConflict(11, "period", ConflictCode.InvalidPeriod,
                "'2024-13' is not a period (e.g. 2024-06, 2024-Q2, 2024, 2024-25, or 202406, 2024Q2, 2024April)."),
        ], []));

    public static readonly ProblemResponse Forbidden = new("PushForbidden", 403,
        $"The key lacks the `{Scopes.ObservationsWrite}` scope, or sends `force=true` without the `{Scopes.Admin}` scope.")
    {
        Examples =
        [
            ProblemResponses.InsufficientScope(Scopes.ObservationsWrite),
            new("force-needs-admin", "Insufficient scope",
                $"force=true (overwriting final values with provisional ones) needs a key with the '{Scopes.Admin}' scope."),
        ],
    };

    public static readonly ProblemResponse RetractForbidden = new("RetractForbidden", 403,
        $"The key lacks the `{Scopes.ObservationsWrite}` scope, is bound to an agency that does not source the indicator, or sends " +
        $"`force=true` without the `{Scopes.Admin}` scope. Nothing was retracted.")
    {
        Examples =
        [
            ProblemResponses.InsufficientScope(Scopes.ObservationsWrite),
            new("force-needs-admin", "Insufficient scope", $"force=true (retracting a final value) needs a key with the '{Scopes.Admin}' scope."),
        ],
    };

    public static readonly ProblemResponse TooLarge = new("PushTooLarge", 413,
        $"The body is over {BatchPush.MaxBodyBytes:N0} bytes, or the push holds more than {BatchPush.MaxJobRows:N0} rows: split it. Nothing was stored.")
    {
        Examples =
        [
            ProblemResponses.BodyTooLarge(BatchPush.MaxBodyBytes),
            new("too-many-rows", "Batch too large",
                $"A push holds at most {BatchPush.MaxJobRows:N0} rows (up to {BatchPush.MaxRows:N0} answered at once, more as a job). Split it."),
        ],
    };

    private static ObservationInput Row(string indicator, string period, decimal value, ObservationStatus status) =>
        new(indicator, period, "E09000028", value, status, Extract);
}
