using Csp.Api.Audit;
using System.Text.Json.Nodes;
using System.Buffers;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Observations;

/// <summary>
/// The batch push: validates every row in memory against the partnership's indicators (loaded once),
/// loads the stored rows of the batch's keys in one query, diffs in memory, then writes inserts,
/// updates and revisions as three executemany statements in one transaction. Either the whole
/// batch's writes commit or none do.
/// </summary>
public sealed class BatchPush(Db db, TimeProvider clock)
{
    public const int MaxRows = 10_000;

    /// <summary>Room for 10,000 rows with generous notes; the row count is limited separately (413).</summary>
    public const long MaxBodyBytes = 16 * 1024 * 1024;

    public const int NoteMax = ValidationRules.TextMax;

    private static readonly string Provisional = EnumText<ObservationStatus>.Text(ObservationStatus.Provisional);
    private static readonly string Final = EnumText<ObservationStatus>.Text(ObservationStatus.Final);

    private sealed record IndicatorRow(Guid Id, string Code, string Unit, string Frequency, Guid SourceAgencyId);

    private sealed record IndicatorRef(Guid Id, IndicatorUnit Unit, PeriodType PeriodType, IndicatorFrequency Frequency, Guid SourceAgencyId);

    private sealed record StoredRow(Guid IndicatorId, string Period, string Area, decimal Value, string Status, string? Note,
        Guid? ClientId, DateTimeOffset UpdatedAt);

    private readonly record struct Key(Guid IndicatorId, string Period, string Area);

    private sealed record Accepted(int Index, Key Key, Period Period, decimal Value, string Status, string? Note);

    private sealed record WriteRow(Guid PartnershipId, Guid IndicatorId, string Period, string Area, DateOnly PeriodStart, DateOnly PeriodEnd,
        decimal Value, string Status, string? Note, Guid? ClientId, DateTimeOffset Now);

    private sealed record RevisionRow(Guid PartnershipId, Guid Id, Guid IndicatorId, string Period, string Area,
        decimal OldValue, string OldStatus, string? OldNote, Guid? OldClientId, DateTimeOffset OldRecordedAt,
        decimal NewValue, string NewStatus, string? NewNote, Guid? NewClientId, DateTimeOffset Now);

    private const string InsertSql = """
        INSERT INTO observations (partnership_id, indicator_id, period, area, period_start, period_end, value, status, note, client_id,
                                  version, created_at, updated_at)
        VALUES (@PartnershipId, @IndicatorId, @Period, @Area, @PeriodStart, @PeriodEnd, @Value, @Status, @Note, @ClientId, 1, @Now, @Now)
        """;

    private const string UpdateSql = """
        UPDATE observations SET value = @Value, status = @Status, note = @Note, client_id = @ClientId, version = version + 1, updated_at = @Now
        WHERE partnership_id = @PartnershipId AND indicator_id = @IndicatorId AND period = @Period AND area = @Area
        """;

    private const string RevisionSql = """
        INSERT INTO observation_revisions (partnership_id, id, indicator_id, period, area, old_value, old_status, old_note, old_client_id,
                                           old_recorded_at, new_value, new_status, new_note, new_client_id, revised_at)
        VALUES (@PartnershipId, @Id, @IndicatorId, @Period, @Area, @OldValue, @OldStatus, @OldNote, @OldClientId,
                @OldRecordedAt, @NewValue, @NewStatus, @NewNote, @NewClientId, @Now)
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
        ("Now", "DATETIMEOFFSET(7)"));

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
                                           old_recorded_at, new_value, new_status, new_note, new_client_id, revised_at)
        SELECT r.PartnershipId, r.Id, r.IndicatorId, r.Period, r.Area, r.OldValue, r.OldStatus, r.OldNote, r.OldClientId,
               r.OldRecordedAt, r.NewValue, r.NewStatus, r.NewNote, r.NewClientId, r.Now
        FROM {revisionRows} r
        """;

    public async Task<BatchResult> PushAsync(Tenant tenant, IReadOnlyList<ObservationInput> rows, PushOptions options, CancellationToken ct)
    {
        var dryRun = options.DryRun == true;
        var atomic = options.Atomic == true;
        var force = options.Force == true;
        var conflicts = new List<ObservationConflict>();

        var indicators = await LoadIndicatorsAsync(tenant, ct);
        var accepted = Validate(tenant, rows, indicators, conflicts);

        if (dryRun)
        {
            await using var c = await db.OpenAsync(tenant, ct);
            var stored = await LoadStoredAsync(c, null, tenant, accepted, ct);
            var plan = Diff(tenant, accepted, stored, force, conflicts);
            return Summarise(rows.Count, plan, conflicts, atomic, dryRun: true);
        }

        var (connection, tx) = await db.BeginWriteAsync(tenant, ct);
        await using (connection)
        await using (tx)
        {
            var stored = await LoadStoredAsync(connection, tx, tenant, accepted, ct);
            var plan = Diff(tenant, accepted, stored, force, conflicts);
            var summary = Summarise(rows.Count, plan, conflicts, atomic, dryRun: false);
            if (summary.Status == BatchStatus.Rejected) return summary;
            if (plan.Inserts.Count > 0)
                await db.Dialect.ExecuteManyAsync(connection, tx, InsertSql, InsertSetSql, plan.Inserts, ct);
            if (plan.Updates.Count > 0)
            {
                await db.Dialect.ExecuteManyAsync(connection, tx, UpdateSql, UpdateSetSql, plan.Updates, ct);
                await db.Dialect.ExecuteManyAsync(connection, tx, RevisionSql, RevisionSetSql, plan.Revisions, ct);
            }
            await RecordAuditAsync(connection, tx, tenant, plan, ct);
            await tx.CommitAsync(ct);
            return summary;
        }
    }

    /// <summary>
    /// One audit event per indicator the batch changed (entity <c>observation</c>, id = the indicator's id),
    /// keyed "period|area" with each value before → after: a 1,000-row push costs a handful of rows,
    /// and a portal following the change feed refetches just those indicators' observations.
    /// </summary>
    private static async Task RecordAuditAsync(DbConnection c, DbTransaction tx, Tenant tenant, Plan plan, CancellationToken ct)
    {
        // Written straight to UTF-8 (this runs inside the write transaction, once per changed row): the same JSON as
        // JsonObject nodes would give, without building them.
        var events = new Dictionary<Guid, (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Json)>();
        Utf8JsonWriter For(Guid indicatorId)
        {
            if (events.TryGetValue(indicatorId, out var e)) return e.Json;
            var buffer = new ArrayBufferWriter<byte>(4096);
            var json = new Utf8JsonWriter(buffer);
            json.WriteStartObject();
            events[indicatorId] = (buffer, json);
            return json;
        }
        static void State(Utf8JsonWriter json, string name, decimal value, string status, string? note)
        {
            json.WriteStartObject(name);
            json.WriteNumber("value", value);
            json.WriteString("status", status);
            if (note is null) json.WriteNull("note"); else json.WriteString("note", note);
            json.WriteEndObject();
        }
        foreach (var w in plan.Inserts)
        {
            var json = For(w.IndicatorId);
            json.WriteStartObject($"{w.Period}|{w.Area}");
            json.WriteNull("before");
            State(json, "after", w.Value, w.Status, w.Note);
            json.WriteEndObject();
        }
        foreach (var r in plan.Revisions)
        {
            var json = For(r.IndicatorId);
            json.WriteStartObject($"{r.Period}|{r.Area}");
            State(json, "before", r.OldValue, r.OldStatus, r.OldNote);
            State(json, "after", r.NewValue, r.NewStatus, r.NewNote);
            json.WriteEndObject();
        }
        var at = plan.Inserts.Count > 0 ? plan.Inserts[0].Now : plan.Revisions.Count > 0 ? plan.Revisions[0].Now : default;
        foreach (var (indicatorId, (buffer, json)) in events)
        {
            json.WriteEndObject();
            json.Flush();
            await json.DisposeAsync();
            await AuditLog.RecordJsonAsync(c, tx, tenant.PartnershipId, tenant.Caller.ClientId, AuditActions.Update, EntityTypes.Observation,
                indicatorId, Encoding.UTF8.GetString(buffer.WrittenSpan), at, ct);
        }
    }

    private async Task<Dictionary<string, IndicatorRef>> LoadIndicatorsAsync(Tenant tenant, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rows = await c.QueryAsync<IndicatorRow>(new CommandDefinition("""
            SELECT id AS Id, code AS Code, unit AS Unit, frequency AS Frequency, source_agency_id AS SourceAgencyId
            FROM indicators WHERE partnership_id = @PartnershipId
            """, new { tenant.PartnershipId }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Code, r =>
        {
            var frequency = EnumText<IndicatorFrequency>.Parse(r.Frequency);
            return new IndicatorRef(r.Id, EnumText<IndicatorUnit>.Parse(r.Unit), frequency.PeriodType(), frequency, r.SourceAgencyId);
        }, StringComparer.Ordinal);
    }

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
            if (!IsAreaCode(area))
                Reject("area", ConflictCodes.InvalidArea, $"'{area}' is not an ONS GSS code (a letter E, W, S or N and 8 digits).");

            if (row.Value is not { } value)
                Reject("value", ConflictCodes.InvalidValue, "'value' is required (send no row for no data).");
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
            accepted.Add(new Accepted(i, key, period, row.Value!.Value, status, note));
        }
        return accepted;
    }

    private static bool IsAreaCode(string area)
    {
        if (area.Length != 9 || area[0] is not ('E' or 'W' or 'S' or 'N')) return false;
        for (var i = 1; i < 9; i++)
            if (area[i] is < '0' or > '9') return false;
        return true;
    }

    /// <summary>
    /// The stored rows of the batch's keys, in one query whatever the batch's size (the keys travel as one
    /// JSON parameter). CROSS JOIN makes SQLite loop over the keys and seek the primary key for each; left
    /// to itself its planner scanned the whole table once per key, which grew with the table.
    /// </summary>
    private async Task<Dictionary<Key, StoredRow>> LoadStoredAsync(DbConnection c, DbTransaction? tx, Tenant tenant, List<Accepted> accepted,
        CancellationToken ct)
    {
        if (accepted.Count == 0) return [];
        var keys = KeysJson(accepted);
        var source = db.Dialect.JsonRows("@keys", ("i", "UNIQUEIDENTIFIER"), ("p", "NVARCHAR(16)"), ("a", "NVARCHAR(9)"));
        var rows = await c.QueryAsync<StoredRow>(new CommandDefinition($"""
            SELECT o.indicator_id AS IndicatorId, o.period AS Period, o.area AS Area, o.value AS Value, o.status AS Status,
                   o.note AS Note, o.client_id AS ClientId, o.updated_at AS UpdatedAt
            FROM {source} k
            CROSS JOIN observations o {db.Dialect.LockForUpdate}
            WHERE o.partnership_id = @PartnershipId AND o.indicator_id = k.i AND o.period = k.p AND o.area = k.a
            """, new { tenant.PartnershipId, keys }, tx, cancellationToken: ct));
        var stored = new Dictionary<Key, StoredRow>(accepted.Count);
        foreach (var r in rows) stored[new Key(r.IndicatorId, r.Period, r.Area)] = r;
        return stored;
    }

    private static string KeysJson(List<Accepted> accepted)
    {
        var buffer = new ArrayBufferWriter<byte>(accepted.Count * 72);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var a in accepted)
            {
                json.WriteStartObject();
                json.WriteString("i", a.Key.IndicatorId.ToString("D"));
                json.WriteString("p", a.Key.Period);
                json.WriteString("a", a.Key.Area);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private sealed record Plan(List<WriteRow> Inserts, List<WriteRow> Updates, List<RevisionRow> Revisions, int Unchanged);

    private Plan Diff(Tenant tenant, List<Accepted> accepted, Dictionary<Key, StoredRow> stored, bool force, List<ObservationConflict> conflicts)
    {
        var now = clock.GetUtcNow();
        var clientId = tenant.Caller.ClientId;
        var inserts = new List<WriteRow>();
        var updates = new List<WriteRow>();
        var revisions = new List<RevisionRow>();
        var unchanged = 0;
        foreach (var a in accepted)
        {
            var write = new WriteRow(tenant.PartnershipId, a.Key.IndicatorId, a.Key.Period, a.Key.Area, a.Period.Start, a.Period.End,
                a.Value, a.Status, a.Note, clientId, now);
            if (!stored.TryGetValue(a.Key, out var old))
            {
                inserts.Add(write);
                continue;
            }
            if (old.Value == a.Value && old.Status == a.Status && old.Note == a.Note)
            {
                unchanged++;
                continue;
            }
            if (old.Status == Final && a.Status == Provisional && !force)
            {
                conflicts.Add(new ObservationConflict(a.Index, "status", ConflictCodes.FinalValueLocked,
                    $"The stored value for {a.Key.Period} in {a.Key.Area} is final; a provisional value does not replace it (an admin may push with ?force=true)."));
                continue;
            }
            updates.Add(write);
            revisions.Add(new RevisionRow(tenant.PartnershipId, Ids.New(), a.Key.IndicatorId, a.Key.Period, a.Key.Area,
                old.Value, old.Status, old.Note, old.ClientId, old.UpdatedAt, a.Value, a.Status, a.Note, clientId, now));
        }
        return new Plan(inserts, updates, revisions, unchanged);
    }

    private static BatchResult Summarise(int total, Plan plan, List<ObservationConflict> conflicts, bool atomic, bool dryRun)
    {
        var ordered = conflicts.OrderBy(c => c.Index).ToList();
        var rejected = ordered.Select(c => c.Index).Distinct().Count();
        if (atomic && rejected > 0 || rejected > 0 && rejected == total)
            return new BatchResult(BatchStatus.Rejected, 0, 0, 0, total, dryRun, ordered);
        return new BatchResult(rejected == 0 ? BatchStatus.Ok : BatchStatus.Partial,
            plan.Inserts.Count, plan.Updates.Count, plan.Unchanged, rejected, dryRun, ordered);
    }
}
