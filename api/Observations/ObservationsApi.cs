using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Idempotency;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Csp.Api.Observations;

internal static class ObservationsApi
{
    public static RouteGroupBuilder MapObservations(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/observations").WithTags("Observations");

        group.MapPost("/", PushObservations).WithName("pushObservations").WithSummary("Push a batch of indicator values")
            .WithRequestExample(ObservationExamples.PoliceExtract)
            .WithResponseExample(StatusCodes.Status200OK, ObservationExamples.PoliceExtractResult)
            .WithProblemResponse(ObservationExamples.Forbidden).WithProblemResponse(ObservationExamples.TooLarge)
            .WithDescription("""
                The batch push partners' systems send their data through, modelled on DHIS2's dataValueSets. Each row is an upsert
                on (indicator code, period, area): new rows are created, changed rows updated (the old value is kept as a revision),
                rows equal to the stored value, status and note change nothing. Rows that fail a check are rejected with a conflict
                {index, field, code, message} and the others kept (status `partial`), unless `atomic=true`, where any conflict rejects
                the batch. `dryRun=true` reports without writing. Up to 10,000 rows (413 beyond); the batch's writes commit together
                or not at all. A key bound to an agency may push only that agency's indicators. Send an Idempotency-Key to retry safely.
                """)
            .RequireScope(Scopes.ObservationsWrite)
            .Validate<ObservationBatch>()
            .Idempotent()
            .WithMetadata(new RequestSizeLimitAttribute(BatchPush.MaxBodyBytes))
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    private static async Task<Results<Ok<BatchResult>, ValidationProblem, ProblemHttpResult>> PushObservations(
        Tenant tenant, ObservationBatch batch, [AsParameters] PushOptions options, BatchPush push,
        [FromHeader(Name = IdempotencyFilter.HeaderName)] string? idempotencyKey, CancellationToken ct)
    {
        _ = idempotencyKey; // read by the idempotency filter; declared here so the contract documents it
        var rows = batch.Observations!;
        if (rows.Count > BatchPush.MaxRows)
            return TypedResults.Problem(title: "Batch too large", statusCode: StatusCodes.Status413PayloadTooLarge,
                detail: $"A batch holds at most {BatchPush.MaxRows:N0} rows; this one has {rows.Count:N0}. Split it.");
        if (options.Force == true && !tenant.Caller.Has(Scopes.Admin))
            return TypedResults.Problem(title: "Insufficient scope", statusCode: StatusCodes.Status403Forbidden,
                detail: "force=true (overwriting final values with provisional ones) needs a key with the 'admin' scope.");
        return TypedResults.Ok(await Infrastructure.Data.Retry.TransientAsync(t => push.PushAsync(tenant, rows, options, t), ct));
    }
}

public sealed class ObservationBatchValidator : AbstractValidator<ObservationBatch>
{
    public ObservationBatchValidator()
    {
        RuleFor(x => x.Observations).NotNull().WithMessage("'observations' is required (a list of rows).");
        // One pass rather than RuleForEach: a batch has up to 10,000 rows and this is the hot path.
        RuleFor(x => x.Observations).Must(rows => rows!.All(r => r is not null))
            .When(x => x.Observations is not null).WithMessage("'observations' holds a null row.");
    }
}
