using System.Buffers;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using Csp.Api.Areas;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Partnerships;
using Dapper;

namespace Csp.Api.Observations;

/// <summary>What a push checks its rows against and compares them with: the partnership's rules (its indicators, its areas,
/// today), the stored rows of the batch's keys, and the plan of writes the comparison makes.</summary>
public sealed partial class BatchPush
{
    /// <summary>What every row is checked against, read once per push with the rows they judge (inside the push's unit).</summary>
    /// <param name="Indicators">The partnership's indicators by code.</param>
    /// <param name="Areas">The partnership's areas by code when its area check is strict; null when it is off.</param>
    /// <param name="Today">The service's date: no value is for a period that starts after it.</param>
    private sealed record Rules(Dictionary<string, IndicatorRef> Indicators, Dictionary<string, Area>? Areas, DateOnly Today);

    private static async Task<Rules> LoadRulesAsync(DbConnection c, DbTransaction? tx, Tenant tenant, DateTimeOffset now, CancellationToken ct)
    {
        var indicators = await LoadIndicatorsAsync(c, tx, tenant, ct);
        var check = await c.ExecuteScalarAsync<string>(new CommandDefinition("SELECT area_check FROM partnerships WHERE id = @PartnershipId",
            new { tenant.PartnershipId }, tx, cancellationToken: ct));
        var areas = check is not null && EnumText<AreaCheck>.Parse(check) == AreaCheck.Strict
            ? await AreaQueries.AllAsync(c, tx, tenant.PartnershipId, ct)
            : null;
        return new Rules(indicators, areas, DateOnly.FromDateTime(now.UtcDateTime));
    }

    /// <summary>The partnership's indicators by code.</summary>
    private static async Task<Dictionary<string, IndicatorRef>> LoadIndicatorsAsync(DbConnection c, DbTransaction? tx, Tenant tenant,
        CancellationToken ct)
    {
        var rows = await c.QueryAsync<IndicatorRow>(new CommandDefinition("""
            SELECT id AS Id, code AS Code, unit AS Unit, frequency AS Frequency, source_agency_id AS SourceAgencyId
            FROM indicators WHERE partnership_id = @PartnershipId
            """, new { tenant.PartnershipId }, tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.Code, r =>
        {
            var frequency = EnumText<IndicatorFrequency>.Parse(r.Frequency);
            return new IndicatorRef(r.Id, EnumText<IndicatorUnit>.Parse(r.Unit), frequency.PeriodType(), frequency, r.SourceAgencyId);
        }, StringComparer.Ordinal);
    }

    /// <summary>
    /// The stored rows of the batch's keys. On SQL Server in one query whatever the batch's size (the keys travel as one
    /// JSON parameter; CROSS JOIN keeps the loop over the keys, each seeking the primary key). On SQLite a scan per run of keys of
    /// one (indicator, period) and a seek per other key, on prepared statements (<see cref="LoadStoredEach"/>).
    /// </summary>
    private async Task<Dictionary<RowKey, StoredRow>> LoadStoredAsync(DbConnection c, DbTransaction? tx, Tenant tenant, List<Accepted> accepted,
        CancellationToken ct)
    {
        if (accepted.Count == 0) return [];
        if (db.Dialect.Provider == DatabaseProvider.Sqlite) return LoadStoredEach(c, tenant, accepted, ct);
        var keys = KeysJson(accepted);
        var source = db.Dialect.JsonRows("@keys", ("i", "UNIQUEIDENTIFIER"), ("p", "NVARCHAR(16)"), ("a", "NVARCHAR(9)"));
        var rows = await c.QueryAsync<StoredRow>(new CommandDefinition($"""
            SELECT o.indicator_id AS IndicatorId, o.period AS Period, o.area AS Area, o.value AS Value, o.status AS Status,
                   o.note AS Note, o.client_id AS ClientId, o.updated_at AS UpdatedAt
            FROM {source} k
            CROSS JOIN observations o {db.Dialect.LockForUpdate}
            WHERE o.partnership_id = @PartnershipId AND o.indicator_id = k.i AND o.period = k.p AND o.area = k.a
            """, new { tenant.PartnershipId, keys }, tx, cancellationToken: ct));
        var stored = new Dictionary<RowKey, StoredRow>(accepted.Count);
        foreach (var r in rows) stored[new RowKey(r.IndicatorId, r.Period, r.Area)] = r;
        return stored;
    }

    private const string StoredOfKeySql = """
        SELECT area, value, status, note, client_id, updated_at FROM observations
        WHERE partnership_id = @PartnershipId AND indicator_id = @IndicatorId AND period = @Period AND area = @Area
        """;

    /// <summary>SQLite: the stored rows of the batch's keys. A run of at least <see cref="RunKeys"/> keys of one (indicator, period)
    /// is read by one scan of the primary key over its areas, from its first to its last (in the order a feed sends a borough's
    /// wards, the CSV download's, the run's areas are all there is in that range); a run whose range holds more than
    /// <see cref="RunRowsPerKey"/> stored rows per key is sparse, and read, as every other key, by one seek per key on a prepared
    /// statement (<see cref="SqliteBulk.QueryEach{T, TResult}"/>), not by one query over a JSON parameter.</summary>
    private Dictionary<RowKey, StoredRow> LoadStoredEach(DbConnection c, Tenant tenant, List<Accepted> accepted, CancellationToken ct)
    {
        var stored = new Dictionary<RowKey, StoredRow>(accepted.Count);
        var runs = new Dictionary<(Guid IndicatorId, string Period), List<int>>();
        for (var i = 0; i < accepted.Count; i++)
        {
            var key = (accepted[i].Key.IndicatorId, accepted[i].Key.Period);
            if (!runs.TryGetValue(key, out var run)) runs[key] = run = [];
            run.Add(i);
        }
        var seeks = new List<int>(accepted.Count);
        var ranges = new List<(AreaRange Range, List<int> Keys)>();
        foreach (var ((indicatorId, period), run) in runs)
        {
            if (run.Count < RunKeys)
            {
                seeks.AddRange(run);
                continue;
            }
            var (low, high) = (accepted[run[0]].Key.Area, accepted[run[0]].Key.Area);
            foreach (var i in run)
            {
                var area = accepted[i].Key.Area;
                if (string.CompareOrdinal(area, low) < 0) low = area;
                if (string.CompareOrdinal(area, high) > 0) high = area;
            }
            ranges.Add((new AreaRange(tenant.PartnershipId, indicatorId, period, low, high, run.Count * RunRowsPerKey + 1), run));
        }
        if (ranges.Count > 0)
        {
            var byKey = new Dictionary<RowKey, int>(accepted.Count);
            for (var i = 0; i < accepted.Count; i++) byKey.TryAdd(accepted[i].Key, i);
            var read = SqliteBulk.QueryEach(c, StoredOfRangeSql, ranges.ConvertAll(r => r.Range), ReadStored, ct, everyRow: true);
            var rowsOf = new int[ranges.Count];
            foreach (var (index, _) in read) rowsOf[index]++;
            foreach (var (index, r) in read)
            {
                var range = ranges[index].Range;
                if (rowsOf[index] >= range.Limit || !byKey.TryGetValue(new RowKey(range.IndicatorId, range.Period, r.Area), out var i)) continue;
                stored[accepted[i].Key] = r.Row(accepted[i].Key);
            }
            for (var index = 0; index < ranges.Count; index++)
                if (rowsOf[index] >= ranges[index].Range.Limit) seeks.AddRange(ranges[index].Keys); // sparse: a seek per key
        }
        var keys = seeks.ConvertAll(i => new KeyRow(tenant.PartnershipId, accepted[i].Key.IndicatorId, accepted[i].Key.Period, accepted[i].Key.Area));
        foreach (var (index, r) in SqliteBulk.QueryEach(c, StoredOfKeySql, keys, ReadStored, ct))
            stored[accepted[seeks[index]].Key] = r.Row(accepted[seeks[index]].Key);
        return stored;
    }

    /// <summary>The fewest keys of one (indicator, period) read by one scan over their areas.</summary>
    private const int RunKeys = 4;

    /// <summary>The most stored rows per key a run's scan reads before it takes the run for sparse.</summary>
    private const int RunRowsPerKey = 4;

    /// <summary>One (indicator, period)'s areas from <paramref name="Low"/> to <paramref name="High"/>, at most <paramref name="Limit"/>
    /// rows of them.</summary>
    private sealed record AreaRange(Guid PartnershipId, Guid IndicatorId, string Period, string Low, string High, int Limit);

    private string StoredOfRangeSql => $"""
        SELECT area, value, status, note, client_id, updated_at FROM observations
        WHERE partnership_id = @PartnershipId AND indicator_id = @IndicatorId AND period = @Period AND area >= @Low AND area <= @High
        ORDER BY area {db.Dialect.Limit}
        """;

    /// <summary>A stored row's columns as both queries read them (area, value, status, note, client_id, updated_at).</summary>
    private readonly record struct StoredText(string Area, string Value, string Status, string? Note, string? ClientId, string UpdatedAt)
    {
        public StoredRow Row(RowKey key) => new(key.IndicatorId, key.Period, key.Area, TypeHandlers.ReadDecimal(Value), Status, Note,
            ClientId is null ? null : Guid.Parse(ClientId), TypeHandlers.ReadTimestamp(UpdatedAt));
    }

    private static StoredText ReadStored(SqliteBulk.Columns row) =>
        new(row.Text(0)!, row.Text(1)!, row.Text(2)!, row.Text(3), row.Text(4), row.Text(5)!);

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

    /// <param name="InsertedAlready">How many of <paramref name="Inserts"/>, from the start, are already written.</param>
    /// <param name="Revisions">The revision of each update and each retraction.</param>
    private sealed record Plan(List<WriteRow> Inserts, List<WriteRow> Updates, List<KeyRow> Deletes, List<RevisionRow> Revisions, int Unchanged,
        int InsertedAlready = 0)
    {
        public bool Writes => Inserts.Count + Updates.Count + Deletes.Count > 0;
    }

    private static WriteRow WriteRowOf(Tenant tenant, Accepted a, DateTimeOffset now) =>
        new(tenant.PartnershipId, a.Key.IndicatorId, a.Key.Period, a.Key.Area, a.Period.Start, a.Period.End, a.Value, a.Status, a.Note,
            tenant.Caller.ClientId, now);

    /// <summary>
    /// SQLite: inserts every accepted row whose key is new (one pass, the key's existence checked by the insert itself), then
    /// reads and diffs only the rows whose key was there, and the retractions. A monthly push of new periods, the usual case,
    /// reads nothing.
    /// </summary>
    private async Task<Plan> InsertNewThenDiffAsync(DbConnection c, DbTransaction tx, Tenant tenant, List<Accepted> accepted, bool force,
        List<ObservationConflict> conflicts, DateTimeOffset now, CancellationToken ct)
    {
        var upserts = accepted.Where(a => !a.Delete).ToList();
        var candidates = upserts.Select(a => WriteRowOf(tenant, a, now)).ToList();
        var inserted = SqliteBulk.ExecuteEach(c, tx, insertNewSql, candidates, ct);
        var inserts = new List<WriteRow>(candidates.Count);
        var existing = accepted.Where(a => a.Delete).ToList();
        for (var i = 0; i < candidates.Count; i++)
            if (inserted[i]) inserts.Add(candidates[i]);
            else existing.Add(upserts[i]);
        if (existing.Count == 0) return new Plan(inserts, [], [], [], 0, inserts.Count);
        var plan = Diff(tenant, existing, await LoadStoredAsync(c, tx, tenant, existing, ct), force, conflicts, now);
        // (A key that was there for the insert is there for the read: this transaction holds the only write lock.)
        return plan with { Inserts = [.. inserts, .. plan.Inserts], InsertedAlready = inserts.Count };
    }

    private static Plan Diff(Tenant tenant, List<Accepted> accepted, Dictionary<RowKey, StoredRow> stored, bool force, List<ObservationConflict> conflicts,
        DateTimeOffset now)
    {
        var clientId = tenant.Caller.ClientId;
        var inserts = new List<WriteRow>();
        var updates = new List<WriteRow>();
        var deletes = new List<KeyRow>();
        var revisions = new List<RevisionRow>();
        var unchanged = 0;
        foreach (var a in accepted)
        {
            if (a.Delete)
            {
                if (!stored.TryGetValue(a.Key, out var gone))
                {
                    unchanged++;
                    continue;
                }
                if (gone.Status == Final && !force)
                {
                    conflicts.Add(new ObservationConflict(a.Index, "delete", ConflictCode.FinalValueLocked,
                        $"The stored value for {a.Key.Period} in {a.Key.Area} is final; only an admin may retract it, with ?force=true."));
                    continue;
                }
                deletes.Add(new KeyRow(tenant.PartnershipId, a.Key.IndicatorId, a.Key.Period, a.Key.Area));
                revisions.Add(new RevisionRow(tenant.PartnershipId, Ids.New(), a.Key.IndicatorId, a.Key.Period, a.Key.Area,
                    gone.Value, gone.Status, gone.Note, gone.ClientId, gone.UpdatedAt, null, null, a.Note, clientId, a.Reason, now));
                continue;
            }
            var write = WriteRowOf(tenant, a, now);
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
                conflicts.Add(new ObservationConflict(a.Index, "status", ConflictCode.FinalValueLocked,
                    $"The stored value for {a.Key.Period} in {a.Key.Area} is final; a provisional value does not replace it (an admin may push with ?force=true)."));
                continue;
            }
            updates.Add(write);
            revisions.Add(new RevisionRow(tenant.PartnershipId, Ids.New(), a.Key.IndicatorId, a.Key.Period, a.Key.Area,
                old.Value, old.Status, old.Note, old.ClientId, old.UpdatedAt, a.Value, a.Status, a.Note, clientId, a.Reason, now));
        }
        return new Plan(inserts, updates, deletes, revisions, unchanged);
    }
}
