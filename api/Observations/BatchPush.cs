using System.Data.Common;
using Csp.Api.Audit;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Infrastructure.Idempotency;
using Csp.Api.Infrastructure.Observability;
using Csp.Api.Quality;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Csp.Api.Observations;

/// <summary>
/// The batch push: validates every row in memory against the partnership's indicators (loaded once), then, in one
/// transaction, finds which keys exist, diffs those rows in memory and writes inserts, updates and revisions. On SQLite
/// the new rows are inserted straight away (a row whose key exists is skipped by the insert) and only the rest are read
/// and diffed; on SQL Server the stored rows of the batch's keys are read in one query under update locks and each kind of
/// write is one set-based statement. Either the whole batch's writes commit or none do. On SQLite a push first does all of that
/// but the writes on a reader, before it takes the write turn, and the turn only writes, unless the partnership changed meanwhile
/// (<see cref="PartnershipTurns"/>).
/// </summary>
public sealed partial class BatchPush(Db db, AuditedWriter writer, TimeProvider clock, ILogger<BatchPush> logger, PushQuality quality,
    IOptions<ObservationOptions> settings)
{
    public const int MaxRows = 10_000;

    /// <summary>The most rows one push may hold; beyond <see cref="MaxRows"/> it runs as a job.</summary>
    public const int MaxJobRows = 1_000_000;

    /// <summary>Room for a job of 1,000,000 rows with short notes (~150 bytes a row of JSON); the row count is limited
    /// separately (413).</summary>
    public const long MaxBodyBytes = 256L * 1024 * 1024;

    public const int NoteMax = ValidationRules.TextMax;

    private static readonly string Provisional = EnumText<ObservationStatus>.Text(ObservationStatus.Provisional);
    private static readonly string Final = EnumText<ObservationStatus>.Text(ObservationStatus.Final);

    private sealed record IndicatorRow(Guid Id, string Code, string Unit, string Frequency, Guid SourceAgencyId);

    private sealed record IndicatorRef(Guid Id, IndicatorUnit Unit, PeriodType PeriodType, IndicatorFrequency Frequency, Guid SourceAgencyId);

    private sealed record StoredRow(Guid IndicatorId, string Period, string Area, decimal Value, string Status, string? Note,
        Guid? ClientId, DateTimeOffset UpdatedAt);

    internal readonly record struct RowKey(Guid IndicatorId, string Period, string Area);

    /// <param name="Delete">A retraction: <see cref="Value"/> and <see cref="Status"/> mean nothing.</param>
    /// <param name="Reason">Why the value changes: kept on the revision the row makes, if it makes one.</param>
    private sealed record Accepted(int Index, RowKey Key, Period Period, decimal Value, string Status, string? Note, bool Delete, string? Reason);

    private sealed record KeyRow(Guid PartnershipId, Guid IndicatorId, string Period, string Area);

    private sealed record WriteRow(Guid PartnershipId, Guid IndicatorId, string Period, string Area, DateOnly PeriodStart, DateOnly PeriodEnd,
        decimal Value, string Status, string? Note, Guid? ClientId, DateTimeOffset Now);

    private sealed record RevisionRow(Guid PartnershipId, Guid Id, Guid IndicatorId, string Period, string Area,
        decimal OldValue, string OldStatus, string? OldNote, Guid? OldClientId, DateTimeOffset OldRecordedAt,
        decimal? NewValue, string? NewStatus, string? NewNote, Guid? NewClientId, string? Reason, DateTimeOffset Now)
    {
        /// <summary>A retraction keeps the old value here and has no new one.</summary>
        public bool Retracted => NewStatus is null;
    }

    private const string InsertSql = """
        INSERT INTO observations (partnership_id, indicator_id, period, area, period_start, period_end, value, status, note, client_id,
                                  version, created_at, updated_at)
        VALUES (@PartnershipId, @IndicatorId, @Period, @Area, @PeriodStart, @PeriodEnd, @Value, @Status, @Note, @ClientId, 1, @Now, @Now)
        """;

    // SQLite: inserted first, row by row, skipping keys that exist; only those are then read and diffed.
    private readonly string insertNewSql = $"""
        INSERT INTO observations (partnership_id, indicator_id, period, area, period_start, period_end, value, status, note, client_id,
                                  version, created_at, updated_at)
        VALUES (@PartnershipId, @IndicatorId, @Period, @Area, @PeriodStart, @PeriodEnd, @Value, @Status, @Note, @ClientId, 1, @Now, @Now)
        {db.Dialect.OnConflictDoNothing("partnership_id, indicator_id, period, area")}
        """;

    private const string UpdateSql = """
        UPDATE observations SET value = @Value, status = @Status, note = @Note, client_id = @ClientId, version = version + 1, updated_at = @Now
        WHERE partnership_id = @PartnershipId AND indicator_id = @IndicatorId AND period = @Period AND area = @Area
        """;

    private const string DeleteSql = """
        DELETE FROM observations
        WHERE partnership_id = @PartnershipId AND indicator_id = @IndicatorId AND period = @Period AND area = @Area
        """;

    private const string RevisionSql = """
        INSERT INTO observation_revisions (partnership_id, id, indicator_id, period, area, old_value, old_status, old_note, old_client_id,
                                           old_recorded_at, new_value, new_status, new_note, new_client_id, reason, revised_at)
        VALUES (@PartnershipId, @Id, @IndicatorId, @Period, @Area, @OldValue, @OldStatus, @OldNote, @OldClientId,
                @OldRecordedAt, @NewValue, @NewStatus, @NewNote, @NewClientId, @Reason, @Now)
        """;

    // The same three writes in set form, for engines that take all rows in one JSON parameter (SQL Server: one round
    // trip per statement; the stored rows were read under UPDLOCK, HOLDLOCK, so no concurrent push can slip in between).
    private readonly string writeRows = db.Dialect.JsonRows("@rows", ("PartnershipId", "UNIQUEIDENTIFIER"), ("IndicatorId", "UNIQUEIDENTIFIER"),
        ("Period", "NVARCHAR(16)"), ("Area", "NVARCHAR(9)"), ("PeriodStart", "DATE"), ("PeriodEnd", "DATE"), ("Value", "DECIMAL(19,6)"),
        ("Status", "NVARCHAR(16)"), ("Note", "NVARCHAR(4000)"), ("ClientId", "UNIQUEIDENTIFIER"), ("Now", "DATETIMEOFFSET(7)"));

    private readonly string revisionRows = db.Dialect.JsonRows("@rows", ("PartnershipId", "UNIQUEIDENTIFIER"), ("Id", "UNIQUEIDENTIFIER"),
        ("IndicatorId", "UNIQUEIDENTIFIER"), ("Period", "NVARCHAR(16)"), ("Area", "NVARCHAR(9)"), ("OldValue", "DECIMAL(19,6)"),
        ("OldStatus", "NVARCHAR(16)"), ("OldNote", "NVARCHAR(4000)"), ("OldClientId", "UNIQUEIDENTIFIER"), ("OldRecordedAt", "DATETIMEOFFSET(7)"),
        ("NewValue", "DECIMAL(19,6)"), ("NewStatus", "NVARCHAR(16)"), ("NewNote", "NVARCHAR(4000)"), ("NewClientId", "UNIQUEIDENTIFIER"),
        ("Reason", "NVARCHAR(4000)"), ("Now", "DATETIMEOFFSET(7)"));

    private readonly string keyRows = db.Dialect.JsonRows("@rows", ("PartnershipId", "UNIQUEIDENTIFIER"), ("IndicatorId", "UNIQUEIDENTIFIER"),
        ("Period", "NVARCHAR(16)"), ("Area", "NVARCHAR(9)"));

    private string DeleteSetSql => $"""
        DELETE o FROM observations o
        JOIN {keyRows} r
          ON o.partnership_id = r.PartnershipId AND o.indicator_id = r.IndicatorId AND o.period = r.Period AND o.area = r.Area
        """;

    private string InsertSetSql => $"""
        INSERT INTO observations (partnership_id, indicator_id, period, area, period_start, period_end, value, status, note, client_id,
                                  version, created_at, updated_at)
        SELECT r.PartnershipId, r.IndicatorId, r.Period, r.Area, r.PeriodStart, r.PeriodEnd, r.Value, r.Status, r.Note, r.ClientId, 1, r.Now, r.Now
        FROM {writeRows} r
        """;

    private string UpdateSetSql => $"""
        UPDATE o SET value = r.Value, status = r.Status, note = r.Note, client_id = r.ClientId, version = o.version + 1, updated_at = r.Now
        FROM observations o
        JOIN {writeRows} r
          ON o.partnership_id = r.PartnershipId AND o.indicator_id = r.IndicatorId AND o.period = r.Period AND o.area = r.Area
        """;

    private string RevisionSetSql => $"""
        INSERT INTO observation_revisions (partnership_id, id, indicator_id, period, area, old_value, old_status, old_note, old_client_id,
                                           old_recorded_at, new_value, new_status, new_note, new_client_id, reason, revised_at)
        SELECT r.PartnershipId, r.Id, r.IndicatorId, r.Period, r.Area, r.OldValue, r.OldStatus, r.OldNote, r.OldClientId,
               r.OldRecordedAt, r.NewValue, r.NewStatus, r.NewNote, r.NewClientId, r.Reason, r.Now
        FROM {revisionRows} r
        """;

    public async Task<WriteResult<BatchResult>> PushAsync(Tenant tenant, IReadOnlyList<ObservationInput> rows, PushOptions options, CancellationToken ct)
    {
        var atomic = options.Atomic == true;
        var force = options.Force == true;

        if (options.DryRun == true)
        {
            await using var c = await db.OpenAsync(tenant, ct);
            var checkedRows = await CheckAsync(c, null, tenant, rows, new PushScope(), force, clock.GetUtcNow(), ct, options.FailOn is not null);
            return WriteResult<BatchResult>.Unchanged(Summarise(rows.Count, checkedRows, atomic, dryRun: true));
        }

        // SQLite: the rows are checked on a reader before the write turn (in the partnership's push turn, so after its previous
        // push has committed), and the turn holds only the writes; not inside a larger unit, whose writes a reader cannot see.
        // While the partnership's pushes write nothing (a feed resending what is stored), a push checks first without waiting for
        // the push turn, so resends check side by side; one that turns out to write then takes the turn, and keeps those checks
        // only if nothing of the partnership has changed since.
        var replay = AuditedWriter.InUnit || IdempotencyContext.Current?.CommittedResult is not null;
        var early = replay || !db.PushesQuiet(tenant) ? null : await CheckBeforeTurnAsync(tenant, rows, options.FailOn is not null, ct);
        if (early is not null && AnswerWithoutWriting(tenant, rows.Count, early, atomic, force) is { } resent)
        {
            Record(tenant, resent);
            return WriteResult<BatchResult>.Unchanged(resent);
        }
        using var pushTurn = AuditedWriter.InUnit ? null : await db.PushTurnAsync(tenant, ct);
        var before = pushTurn is null || replay
            ? null
            : early is not null && await UnchangedSinceAsync(tenant, early, ct)
                ? early
                : await CheckBeforeTurnAsync(tenant, rows, options.FailOn is not null, ct);
        if (before is not null && !ReferenceEquals(before, early) && AnswerWithoutWriting(tenant, rows.Count, before, atomic, force) is { } nothingToWrite)
        {
            Record(tenant, nothingToWrite);
            return WriteResult<BatchResult>.Unchanged(nothingToWrite);
        }
        if (Chunked(rows.Count, atomic, before))
        {
            var chunked = await PushInChunksAsync(tenant, rows, before!, force, options.FailOn is not null, ct);
            if (chunked.Value is { } done) Record(tenant, done);
            return chunked;
        }
        var ran = false; // false when the writer replays a committed answer instead of running the push again
        var pushed = await writer.RunAsync(tenant, WriteOp.Plain, async w =>
        {
            ran = true;
            var (checkedBefore, scope) = (before, new PushScope());
            before = null; // used once: a second run of this step checks the rows again
            var part = await WriteAsync(w, rows, scope, force, conflicts => Rejects(rows.Count, conflicts, atomic), options.FailOn is not null,
                checkedBefore, ct);
            var summary = Summarise(rows.Count, part, atomic, dryRun: false);
            // Rejected, or nothing written: nothing commits (on SQLite the new rows already inserted roll back with the transaction).
            return summary.Status == BatchStatus.Rejected || !part.Wrote ? WriteResult<BatchResult>.Unchanged(summary) : WriteResult<BatchResult>.Done(summary);
        }, ct);
        if (ran && pushed.Value is { } result) Record(tenant, result);
        return pushed;
    }

    /// <summary>What a push (or a job's chunk of one) did: its counts and conflicts, and whether it wrote anything.</summary>
    /// <param name="Warnings">The data-quality warnings of its rows (<see cref="PushQuality"/>).</param>
    internal sealed record Part(int Created, int Updated, int Deleted, int Unchanged, List<ObservationConflict> Conflicts, bool Wrote,
        List<ObservationWarning> Warnings);

    /// <summary>Checks <paramref name="rows"/> and compares them with the stored values, writing nothing (a dry run).</summary>
    /// <param name="failOnWarnings">Turn each data-quality warning into a conflict of its code (<c>failOn=warnings</c>).</param>
    internal async Task<Part> CheckAsync(DbConnection c, DbTransaction? tx, Tenant tenant, IReadOnlyList<ObservationInput> rows, PushScope scope,
        bool force, DateTimeOffset now, CancellationToken ct, bool failOnWarnings = false)
    {
        var conflicts = new List<ObservationConflict>();
        var (accepted, warnings, _) = await WarnAsync(quality, c, tx, tenant,
            Validate(tenant, rows, await LoadRulesAsync(c, tx, tenant, now, ct), conflicts, scope), failOnWarnings, conflicts, null, ct);
        var stored = await LoadStoredAsync(c, tx, tenant, accepted, ct);
        var plan = Diff(tenant, accepted, stored, force, conflicts, now);
        return new Part(plan.Inserts.Count, plan.Updates.Count, plan.Deletes.Count, plan.Unchanged, conflicts, Wrote: false, warnings);
    }

    /// <summary>
    /// Checks <paramref name="rows"/> and writes them in <paramref name="w"/> with their audit events, without committing: the
    /// caller commits (the synchronous push, an atomic job after its last chunk) or rolls back. Nothing more is written when
    /// <paramref name="abort"/> says the conflicts reject the rows (rows already inserted are the caller's to roll back).
    /// </summary>
    internal Task<Part> WriteAsync(WriteUnit w, IReadOnlyList<ObservationInput> rows, PushScope scope, bool force,
        Func<List<ObservationConflict>, bool> abort, CancellationToken ct, bool failOnWarnings = false) =>
        WriteAsync(w, rows, scope, force, abort, failOnWarnings, null, ct);

    /// <param name="before">The rows as checked before the write turn (<see cref="CheckBeforeTurnAsync"/>), if they were: used if
    /// nothing of the partnership has changed since and it is still the same day, else the rows are checked again here.</param>
    private async Task<Part> WriteAsync(WriteUnit w, IReadOnlyList<ObservationInput> rows, PushScope scope, bool force,
        Func<List<ObservationConflict>, bool> abort, bool failOnWarnings, CheckedRows? before, CancellationToken ct)
    {
        var (connection, tx, tenant) = (w.Connection, w.Transaction, w.Tenant);
        // The partnership's change token in this transaction: whether the checks made before the turn still hold, and, if they
        // are made again here, the seq the quality checks read their history at.
        var token = await PartnershipTurns.ChangeTokenAsync(connection, tx, tenant.PartnershipId, ct);
        var stillHolds = before is not null && before.Today == DateOnly.FromDateTime(w.Now.UtcDateTime) && token == before.ChangeToken;
        // Checked before the turn in this same scope (a job's chunk): the keys those checks claimed are claimed again below.
        if (!stillHolds && before is not null && ReferenceEquals(before.Scope, scope)) scope.ForgetFrom(scope.Offset);
        var rowsChecked = stillHolds
            ? before!
            : await CheckRowsAsync(connection, tx, tenant, rows, scope, w.Now, failOnWarnings, token, ct);
        var (accepted, conflicts, warnings, lease) = (rowsChecked.Accepted, rowsChecked.Conflicts, rowsChecked.Warnings, rowsChecked.Lease);
        // The data-quality history cache takes what the push read and wrote when its unit ends, still in the write turn, and what
        // it wrote only if it committed (a job's chunk commits with its progress). A lease of checks made before the turn and
        // not used is never published.
        if (lease is not null) w.OnEnd(lease.Publish);
        var plan = rowsChecked.Stored is { } stored
            ? Diff(tenant, accepted, stored, force, conflicts, w.Now) // read before the turn, and nothing has changed since
            : db.Dialect.Provider == DatabaseProvider.Sqlite
                ? await InsertNewThenDiffAsync(connection, tx, tenant, accepted, force, conflicts, w.Now, ct)
                : Diff(tenant, accepted, await LoadStoredAsync(connection, tx, tenant, accepted, ct), force, conflicts, w.Now);
        var part = new Part(plan.Inserts.Count, plan.Updates.Count, plan.Deletes.Count, plan.Unchanged, conflicts, plan.Writes, warnings);
        if (abort(conflicts) || !plan.Writes) return part;
        await WritePlanAsync(w, plan, lease);
        return part;
    }

    /// <summary>Writes <paramref name="plan"/>'s inserts, updates, retractions and revisions with their audit events, and tells
    /// the push's lease on the history cache what it wrote. Returns the partnership's change token after the writes.</summary>
    private async Task<long> WritePlanAsync(WriteUnit w, Plan plan, HistoryLease? lease)
    {
        var (connection, tx, ct) = (w.Connection, w.Transaction, w.Token);
        if (plan.Inserts.Count > plan.InsertedAlready)
            await db.Dialect.ExecuteManyAsync(connection, tx, InsertSql, InsertSetSql, plan.Inserts.Skip(plan.InsertedAlready).ToList(), ct);
        if (plan.Updates.Count > 0)
            await db.Dialect.ExecuteManyAsync(connection, tx, UpdateSql, UpdateSetSql, plan.Updates, ct);
        if (plan.Deletes.Count > 0)
            await db.Dialect.ExecuteManyAsync(connection, tx, DeleteSql, DeleteSetSql, plan.Deletes, ct);
        if (plan.Revisions.Count > 0)
            await db.Dialect.ExecuteManyAsync(connection, tx, RevisionSql, RevisionSetSql, plan.Revisions, ct);
        await RecordAuditAsync(w, plan);
        var token = await PartnershipTurns.ChangeTokenAsync(connection, tx, w.PartnershipId, ct);
        Remember(lease, plan, token);
        return token;
    }

    /// <summary>A push's rows as checked: those accepted, the conflicts and data-quality warnings found, the push's lease on the
    /// history cache; the date they were checked on and, when checked before the write turn, the partnership's change token then
    /// and the stored rows of the accepted keys (null when checked in the turn).</summary>
    private sealed record CheckedRows(List<Accepted> Accepted, List<ObservationConflict> Conflicts, List<ObservationWarning> Warnings,
        HistoryLease? Lease, DateOnly Today, long ChangeToken, Dictionary<RowKey, StoredRow>? Stored = null)
    {
        /// <summary>The keys the rows claimed (each key's first row).</summary>
        public PushScope Scope { get; init; } = new();
    }

    /// <param name="changeToken">The partnership's change token read in <paramref name="tx"/> (<see cref="PartnershipTurns.ChangeTokenAsync"/>).</param>
    private async Task<CheckedRows> CheckRowsAsync(DbConnection c, DbTransaction tx, Tenant tenant, IReadOnlyList<ObservationInput> rows,
        PushScope scope, DateTimeOffset now, bool failOnWarnings, long changeToken, CancellationToken ct)
    {
        var conflicts = new List<ObservationConflict>();
        var rules = await LoadRulesAsync(c, tx, tenant, now, ct);
        var (accepted, warnings, lease) = await WarnAsync(quality, c, tx, tenant, Validate(tenant, rows, rules, conflicts, scope), failOnWarnings,
            conflicts, changeToken, ct);
        return new CheckedRows(accepted, conflicts, warnings, lease, rules.Today, changeToken);
    }

    /// <summary>
    /// SQLite: checks the rows on a reader, in one snapshot, before the push takes the write turn (the partnership's rules and
    /// the data-quality history are most of a push's work), and reads the stored rows of their keys, noting the partnership's
    /// change token in that snapshot. All of it, the lease on the history cache included, is used (and the lease published) only
    /// if the write finds the token unchanged in its turn.
    /// </summary>
    /// <param name="scope">The keys claimed so far (a job's chunks after the first); a new scope when null.</param>
    private async Task<CheckedRows> CheckBeforeTurnAsync(Tenant tenant, IReadOnlyList<ObservationInput> rows, bool failOnWarnings,
        CancellationToken ct, PushScope? scope = null)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        await using var tx = ((SqliteConnection)c).BeginTransaction(deferred: true);
        var token = await PartnershipTurns.ChangeTokenAsync(c, tx, tenant.PartnershipId, ct);
        scope ??= new PushScope();
        var rowsChecked = await CheckRowsAsync(c, tx, tenant, rows, scope, clock.GetUtcNow(), failOnWarnings, token, ct);
        // The stored rows too, from the same snapshot: with the token unchanged in the turn, the turn only writes.
        return rowsChecked with { Stored = await LoadStoredAsync(c, tx, tenant, rowsChecked.Accepted, ct), Scope = scope };
    }

    /// <summary>Whether the partnership's change token is still the one <paramref name="checkedRows"/> were checked at.</summary>
    private async Task<bool> UnchangedSinceAsync(Tenant tenant, CheckedRows checkedRows, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return await PartnershipTurns.ChangeTokenAsync(c, null, tenant.PartnershipId, ct) == checkedRows.ChangeToken;
    }

    /// <summary>
    /// The answer to a push checked before the write turn that would write nothing (every row unchanged or rejected, or the push
    /// rejected as a whole), given without taking the turn: it is the answer as of the snapshot the checks read, as a push that
    /// takes the turn answers as of its own. Null when the push writes. The history the checks read is cached as of that snapshot.
    /// </summary>
    private BatchResult? AnswerWithoutWriting(Tenant tenant, int total, CheckedRows before, bool atomic, bool force)
    {
        if (before.Stored is not { } stored) return null;
        var conflicts = new List<ObservationConflict>(before.Conflicts);
        var plan = Diff(tenant, before.Accepted, stored, force, conflicts, clock.GetUtcNow());
        if (plan.Writes && !Rejects(total, conflicts, atomic)) return null;
        before.Lease?.Publish(committed: false);
        return Summarise(total, new Part(plan.Inserts.Count, plan.Updates.Count, plan.Deletes.Count, plan.Unchanged, conflicts, Wrote: false,
            before.Warnings), atomic, dryRun: false);
    }

    /// <summary>Claims the keys of rows already applied (a resumed job's earlier chunks): a later row with one of them is a
    /// duplicate, as in one push.</summary>
    internal static async Task RememberAsync(DbConnection c, Tenant tenant, IReadOnlyList<ObservationInput> rows, PushScope scope, DateTimeOffset now,
        CancellationToken ct) =>
        Validate(tenant, rows, await LoadRulesAsync(c, null, tenant, now, ct), [], scope);

    /// <summary>Whether these conflicts reject a push of <paramref name="total"/> rows as a whole: any of them when atomic, or
    /// every row.</summary>
    internal static bool Rejects(int total, List<ObservationConflict> conflicts, bool atomic)
    {
        if (conflicts.Count == 0) return false;
        return atomic || conflicts.Select(c => c.Index).Distinct().Count() == total;
    }

    /// <summary>The push's metrics and its one log line (counts only: never a row's values), and whether it wrote, for the
    /// partnership's next push (<see cref="Db.PushesQuiet"/>).</summary>
    private void Record(Tenant tenant, BatchResult result)
    {
        db.NotePush(tenant, wrote: !result.DryRun && result.Status != BatchStatus.Rejected && result.Created + result.Updated + result.Deleted > 0);
        var status = result.Status switch { BatchStatus.Ok => "ok", BatchStatus.Partial => "partial", _ => "rejected" };
        CspTelemetry.ObservationsPushed(tenant.Slug, status, result.Created, result.Updated, result.Unchanged, result.Rejected);
        Log.Pushed(logger, status, result.Created, result.Updated, result.Unchanged, result.Rejected);
    }

    private static partial class Log
    {
        [LoggerMessage(LogLevel.Information, "Observation batch {Status}: {Created} created, {Updated} updated, {Unchanged} unchanged, {Rejected} rejected")]
        public static partial void Pushed(ILogger logger, string status, int created, int updated, int unchanged, int rejected);
    }

    private static BatchResult Summarise(int total, Part part, bool atomic, bool dryRun)
    {
        var ordered = part.Conflicts.OrderBy(c => c.Index).ToList();
        var rejected = ordered.Select(c => c.Index).Distinct().Count();
        if (atomic && rejected > 0 || rejected > 0 && rejected == total)
            return new BatchResult(BatchStatus.Rejected, 0, 0, 0, 0, total, dryRun, ordered, part.Warnings);
        return new BatchResult(rejected == 0 ? BatchStatus.Ok : BatchStatus.Partial,
            part.Created, part.Updated, part.Deleted, part.Unchanged, rejected, dryRun, ordered, part.Warnings);
    }
}
