using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Infrastructure.Idempotency;

/// <summary>Whose keys: a client of a partnership (the operator key uses the empty GUID for both).</summary>
public readonly record struct IdempotencyScope(Guid PartnershipId, Guid ClientId);

/// <summary>What an earlier request with the same key did. <see cref="Committed"/>: its write committed but its response was
/// never stored (its process died in between), so the request runs again and the writer answers with that result.</summary>
public enum BeginStatus { Started, Replay, InFlight, Mismatch, Committed }

/// <param name="Headers">The response headers a replay repeats (Location, ETag; the summary marker of a bounded answer).</param>
public sealed record StoredResponse(int Status, string? ContentType, byte[] Body, IReadOnlyDictionary<string, string> Headers);

/// <param name="ResultJson">With <see cref="BeginStatus.Committed"/>: the committed write's result.</param>
public readonly record struct BeginOutcome(BeginStatus Status, StoredResponse? Response = null, string? ResultJson = null);

/// <summary>This process: the instance (stable across restarts on one host: <c>Service:InstanceName</c>, default the machine
/// name) and this run of it (new at every start).</summary>
public sealed record ServiceInstance(string Name, Guid Run)
{
    public static ServiceInstance From(IConfiguration configuration) =>
        new(configuration["Service:InstanceName"] is { Length: > 0 } name ? name : Environment.MachineName, Guid.NewGuid());
}

/// <summary>The idempotency_keys table: one row per (partnership, client, key), kept 24 h.</summary>
/// <remarks>Platform connections (<see cref="Db.OpenPlatformAsync"/>): the operator's key has no partnership and the purge
/// spans them all; every statement names the partnership and client of its <see cref="IdempotencyScope"/>.</remarks>
public sealed class IdempotencyQueries(Db db, TimeProvider clock, ServiceInstance instance)
{
    /// <summary>How long a key is remembered.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>An in-flight record older than this belongs to a request that died (a crash or a restart); a retry may take it over.</summary>
    public static readonly TimeSpan InFlightLease = TimeSpan.FromMinutes(5);

    private const string InFlight = "in_flight";
    private const string Committed = "committed";
    private const string Complete = "complete";

    // A class with setters, not a positional record: Dapper matches a record's constructor on the
    // column types of the first row, and SQLite reports an untyped NULL (an in-flight claim's
    // CAST(response_status ...)) as a blob, which no constructor takes.
    private sealed class Row
    {
        public byte[] RequestHash { get; init; } = [];
        public string Status { get; init; } = "";
        public long? ResponseStatus { get; init; }
        public string? ResponseContentType { get; init; }
        public byte[]? ResponseBody { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public string? OwnerInstance { get; init; }
        public string? OwnerRun { get; init; }
        public string? ResultJson { get; init; }
        public string? ResponseHeaders { get; init; }
    }

    /// <summary>Claims the key for this request, or says what an earlier request with the same key did.</summary>
    /// <remarks>Every write here runs in a write transaction (<see cref="Db.BeginPlatformWriteAsync"/>), so on SQLite it takes
    /// its turn behind a batch push instead of sleeping in the driver's busy loop.</remarks>
    public async Task<BeginOutcome> BeginAsync(IdempotencyScope scope, string key, byte[] requestHash, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = clock.GetUtcNow();
            await using var w = await db.BeginPlatformWriteAsync(ct);
            var outcome = await ClaimAsync(w.Connection, w.Transaction, scope, key, requestHash, now, ct);
            await w.CommitAsync();
            if (outcome is { } claimed) return claimed;
        }
        return new BeginOutcome(BeginStatus.InFlight);
    }

    /// <summary>One attempt: the outcome, or null to try again (the record was purged, abandoned or expired meanwhile).</summary>
    private async Task<BeginOutcome?> ClaimAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, IdempotencyScope scope,
        string key, byte[] requestHash, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO idempotency_keys (partnership_id, client_id, idempotency_key, request_hash, status, created_at, owner_instance, owner_run)
                VALUES (@PartnershipId, @ClientId, @key, @requestHash, @InFlight, @now, @Name, @Run)
                """, new { scope.PartnershipId, scope.ClientId, key, requestHash, InFlight, now, instance.Name, instance.Run },
                tx, cancellationToken: ct));
            return new BeginOutcome(BeginStatus.Started);
        }
        catch (System.Data.Common.DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
        }

        var row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition("""
            SELECT request_hash AS RequestHash, status AS Status, CAST(response_status AS BIGINT) AS ResponseStatus,
                   response_content_type AS ResponseContentType, response_body AS ResponseBody, created_at AS CreatedAt,
                   owner_instance AS OwnerInstance, CAST(owner_run AS NVARCHAR(36)) AS OwnerRun, result_json AS ResultJson,
                   response_headers AS ResponseHeaders
            FROM idempotency_keys WHERE partnership_id = @PartnershipId AND client_id = @ClientId AND idempotency_key = @key
            """, new { scope.PartnershipId, scope.ClientId, key }, tx, cancellationToken: ct));
        if (row is null) return null; // purged or abandoned meanwhile: claim it again
        var expired = row.CreatedAt < now - Retention || (row.Status == InFlight && row.CreatedAt < now - InFlightLease);
        if (expired)
        {
            await c.ExecuteAsync(new CommandDefinition("""
                DELETE FROM idempotency_keys
                WHERE partnership_id = @PartnershipId AND client_id = @ClientId AND idempotency_key = @key AND created_at = @CreatedAt
                """, new { scope.PartnershipId, scope.ClientId, key, row.CreatedAt }, tx, cancellationToken: ct));
            return null;
        }
        // A claim of an earlier run of this instance: that process is gone (a crash, a kill), so nothing will finish it.
        var orphaned = row.Status != Complete && row.OwnerInstance == instance.Name
                       && !string.Equals(row.OwnerRun, instance.Run.ToString(), StringComparison.OrdinalIgnoreCase);
        // In flight first: until the first request has answered, every retry is told to wait.
        if (row.Status == InFlight && !orphaned) return new BeginOutcome(BeginStatus.InFlight);
        if (!row.RequestHash.AsSpan().SequenceEqual(requestHash)) return new BeginOutcome(BeginStatus.Mismatch);
        if (row.Status == Complete)
            return new BeginOutcome(BeginStatus.Replay, new StoredResponse((int)(row.ResponseStatus ?? 200), row.ResponseContentType,
                row.ResponseBody ?? [], row.ResponseHeaders is { } headers
                    ? System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(headers)!
                    : new Dictionary<string, string>()));
        // Taken over by this run: an orphaned in-flight claim runs again; a committed one answers with its stored result.
        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE idempotency_keys SET owner_instance = @Name, owner_run = @Run
            WHERE partnership_id = @PartnershipId AND client_id = @ClientId AND idempotency_key = @key
            """, new { scope.PartnershipId, scope.ClientId, key, instance.Name, instance.Run }, tx, cancellationToken: ct));
        return row.Status == Committed && row.ResultJson is { } result
            ? new BeginOutcome(BeginStatus.Committed, ResultJson: result)
            : new BeginOutcome(BeginStatus.Started);
    }

    /// <summary>Records the response that later requests with the key replay.</summary>
    public async Task CompleteAsync(IdempotencyScope scope, string key, StoredResponse response, CancellationToken ct)
    {
        await WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("""
            UPDATE idempotency_keys SET status = @Complete, response_status = @Status, response_content_type = @ContentType, response_body = @Body,
                   response_headers = @headers
            WHERE partnership_id = @PartnershipId AND client_id = @ClientId AND idempotency_key = @key
            """,
            new
            {
                scope.PartnershipId, scope.ClientId, key, Complete, response.Status, response.ContentType, response.Body,
                headers = System.Text.Json.JsonSerializer.Serialize(response.Headers),
            },
            tx, cancellationToken: ct)), ct);
    }

    /// <summary>Inside the write's own transaction: the write committed with this result, so a retry after a crash before
    /// the response was stored answers with it (<see cref="BeginStatus.Committed"/>).</summary>
    public static Task MarkCommittedAsync(WriteUnit w, IdempotencyScope scope, string key, string resultJson) =>
        w.ExecuteAsync("""
            UPDATE idempotency_keys SET status = @Committed, result_json = @resultJson
            WHERE partnership_id = @PartnershipId AND client_id = @ClientId AND idempotency_key = @key AND status <> @Complete
            """, new { scope.PartnershipId, scope.ClientId, key, Committed, Complete, resultJson });

    /// <summary>At start-up: the claims an earlier run of this instance left in flight belong to nobody now; they are
    /// released so a retry runs again at once (committed ones stay, to be replayed). Returns how many.</summary>
    public async Task<int> ReleaseOrphansAsync(CancellationToken ct) =>
        await WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("""
            DELETE FROM idempotency_keys WHERE status = @InFlight AND owner_instance = @Name
            """, new { InFlight, instance.Name }, tx, cancellationToken: ct)), ct);

    /// <summary>Forgets a claim whose request failed, so a retry runs it again.</summary>
    public async Task AbandonAsync(IdempotencyScope scope, string key, CancellationToken ct)
    {
        await WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("""
            DELETE FROM idempotency_keys
            WHERE partnership_id = @PartnershipId AND client_id = @ClientId AND idempotency_key = @key AND status = @InFlight
              AND owner_run = @Run
            """, new { scope.PartnershipId, scope.ClientId, key, InFlight, instance.Run }, tx, cancellationToken: ct)), ct);
    }

    /// <summary>Deletes every record older than the retention; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow() - Retention;
        return await WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("DELETE FROM idempotency_keys WHERE created_at < @cutoff",
            new { cutoff }, tx, cancellationToken: ct)), ct);
    }

    private async Task<T> WriteAsync<T>(Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, Task<T>> write, CancellationToken ct)
    {
        await using var w = await db.BeginPlatformWriteAsync(ct);
        var result = await write(w.Connection, w.Transaction);
        await w.CommitAsync();
        return result;
    }
}
