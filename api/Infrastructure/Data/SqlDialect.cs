using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Infrastructure.Data;

/// <summary>
/// The one place where SQLite and SQL Server differ. Feature SQL is written once in the common
/// subset and asks the dialect for the parts that are not common.
/// </summary>
public abstract class SqlDialect
{
    public abstract DatabaseProvider Provider { get; }

    /// <summary>Appended after an ORDER BY to take the first <c>@Limit</c> rows.</summary>
    public abstract string Limit { get; }

    /// <summary>True when the exception is a UNIQUE or PRIMARY KEY violation.</summary>
    public abstract bool IsUniqueViolation(DbException e);

    /// <summary>True when the exception is a FOREIGN KEY violation (a referenced or referencing row).</summary>
    public abstract bool IsForeignKeyViolation(DbException e);

    /// <summary>True when the exception is a write that did not get its turn in time (another writer held the database, or
    /// the partnership, for longer than the wait limit): nothing was written, and the same request can be sent again.</summary>
    public abstract bool IsBusy(DbException e);

    /// <summary>Statements that mark a point inside a transaction, roll back to it, and let it go (a write inside a larger
    /// unit that must be undone on its own).</summary>
    public abstract (string Mark, string RollBack, string Release) Savepoint(string name);

    /// <summary>The storage fault behind <paramref name="e"/> (a full disk, a read-only or unreadable database), or null when
    /// the error is not about the storage.</summary>
    public abstract StorageFault? FaultOf(DbException e);

    /// <summary>
    /// An id column (or <c>@parameter</c>) as a value that sorts in creation order, for ORDER BY and keyset comparisons.
    /// Ids are UUIDv7, which sort in creation order as text: SQLite stores that text. SQL Server stores a
    /// <c>uniqueidentifier</c>, whose own order compares the last six bytes first, so there the id is compared as its text.
    /// </summary>
    public abstract string IdKey(string id);

    /// <summary>The value of a parameter that <see cref="InIds"/> reads: one JSON array of ids, whatever their number (SQL
    /// Server takes at most 2,100 parameters in a statement and caches a plan per list length; SQLite at most 32,766).</summary>
    public static string IdList(IEnumerable<Guid> ids) => System.Text.Json.JsonSerializer.Serialize(ids);

    /// <summary><c>column IN</c> the ids of the JSON array in <paramref name="parameter"/> (a value of <see cref="IdList"/>).</summary>
    public abstract string InIds(string column, string parameter);

    /// <summary>Appended to a WHERE over audit_events: hides events whose transactions may still be
    /// behind an uncommitted earlier one, so a change-feed reader never skips a sequence number.</summary>
    public abstract string CommittedEventsOnly { get; }

    /// <summary>A derived table of rows decoded from a JSON array parameter (one round trip for many keys).</summary>
    public abstract string JsonRows(string parameter, params (string Name, string SqlServerType)[] columns);

    /// <summary>Table hint that keeps rows read in a write transaction locked until it commits.</summary>
    public abstract string LockForUpdate { get; }

    /// <summary>Ends a per-row INSERT so a row whose key (<paramref name="key"/>, the unique columns) already exists is
    /// skipped rather than an error; the caller learns from the affected count which rows went in. Only SQLite runs
    /// per-row writes (<see cref="ExecuteManyAsync{T}"/>); on SQL Server this is empty and no caller runs such a statement.</summary>
    public abstract string OnConflictDoNothing(string key);

    /// <summary>After a table in FROM: read it through <paramref name="index"/>. SQLite's planner, without statistics, prefers the
    /// covering primary key even where another index has more equality terms; SQL Server's optimiser, with statistics, chooses
    /// for itself (empty).</summary>
    public abstract string IndexedBy(string index);

    /// <summary>The statement that scopes a connection to one partnership (parameter <c>@PartnershipId</c>) for
    /// row-level security, or null where the engine has none (SQLite: the partnership_id filters are the only guard).</summary>
    public abstract string? ScopeToPartnership { get; }

    /// <summary>
    /// Run first in every write transaction of one partnership (parameter <c>@PartnershipId</c>): waits for, and holds until
    /// the transaction ends, that partnership's write turn. SQLite lets one writer at a time at the whole file, so features
    /// may read, decide and write (the next position, the next framework version, "is the plan still a draft") without
    /// another writer slipping in between; on SQL Server, where readers do not block (READ_COMMITTED_SNAPSHOT), this gives
    /// the same guarantee per partnership. Null where the engine already serialises writers.
    /// </summary>
    public abstract string? TakePartnershipWriteTurn { get; }

    /// <summary>The statement that marks a connection as the platform's own (cross-tenant) work, which the row-level
    /// security predicate admits to every partnership's rows; null where the engine has no row-level security.</summary>
    public abstract string? ScopeToPlatform { get; }

    /// <summary>
    /// Runs one write for many rows. SQLite runs <paramref name="perRow"/> once per row (Dapper's executemany: in-process,
    /// far faster than one statement with thousands of parameters). SQL Server runs <paramref name="setBased"/> once with
    /// every row in the JSON parameter <c>@rows</c> (read with <see cref="JsonRows"/>): one round trip instead of one per row.
    /// </summary>
    public abstract Task ExecuteManyAsync<T>(DbConnection c, DbTransaction tx, string perRow, string setBased, IReadOnlyCollection<T> rows,
        CancellationToken ct);

    public static SqlDialect For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.SqlServer => new SqlServerDialect(),
        _ => new SqliteDialect(),
    };
}

public sealed class SqliteDialect : SqlDialect
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
    public override string Limit => "LIMIT @Limit";

    // Writers are serialised: events commit in seq order.
    public override string CommittedEventsOnly => "";

    // Ids are stored as lowercase text ('D' format), which is creation order for UUIDv7.
    public override string IdKey(string id) => id;

    // json_each gives each id as text, the lower-case 'D' form the ids are stored in.
    public override string InIds(string column, string parameter) => $"{column} IN (SELECT value FROM json_each({parameter}))";

    public override string JsonRows(string parameter, params (string Name, string SqlServerType)[] columns) =>
        $"(SELECT {string.Join(", ", columns.Select(c => $"json_extract(value, '$.{c.Name}') AS {c.Name}"))} FROM json_each({parameter}))";

    public override string LockForUpdate => "";

    public override string OnConflictDoNothing(string key) => $"ON CONFLICT ({key}) DO NOTHING";

    public override string IndexedBy(string index) => $"INDEXED BY {index}";

    public override string? ScopeToPartnership => null;

    public override string? ScopeToPlatform => null;

    // BEGIN IMMEDIATE and the process's write gate (Db) already give one writer at a time.
    public override string? TakePartnershipWriteTurn => null;

    public override Task ExecuteManyAsync<T>(DbConnection c, DbTransaction tx, string perRow, string setBased, IReadOnlyCollection<T> rows,
        CancellationToken ct) => SqliteBulk.ExecuteAsync(c, tx, perRow, rows, ct);

    // SQLITE_CONSTRAINT_UNIQUE = 2067, SQLITE_CONSTRAINT_PRIMARYKEY = 1555, SQLITE_CONSTRAINT_FOREIGNKEY = 787
    public override bool IsUniqueViolation(DbException e) =>
        e is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 };

    public override bool IsForeignKeyViolation(DbException e) =>
        e is SqliteException { SqliteExtendedErrorCode: 787 };

    // SQLITE_BUSY (the busy timeout, or Db's write turn) and SQLITE_LOCKED.
    public override bool IsBusy(DbException e) => e is SqliteException { SqliteErrorCode: 5 or 6 };

    public override (string Mark, string RollBack, string Release) Savepoint(string name) =>
        ($"SAVEPOINT {name}", $"ROLLBACK TO {name}", $"RELEASE {name}");

    // SQLITE_FULL; SQLITE_READONLY; SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_CANTOPEN, SQLITE_NOTADB.
    public override StorageFault? FaultOf(DbException e) => e is SqliteException s
        ? s.SqliteErrorCode switch
        {
            13 => StorageFault.Full,
            8 => StorageFault.ReadOnly,
            10 or 11 or 14 or 26 => StorageFault.Unavailable,
            _ => null,
        }
        : null;
}

public sealed class SqlServerDialect : SqlDialect
{
    public override DatabaseProvider Provider => DatabaseProvider.SqlServer;
    public override string Limit => "OFFSET 0 ROWS FETCH NEXT @Limit ROWS ONLY";

    public override string CommittedEventsOnly => "AND rv < MIN_ACTIVE_ROWVERSION()";

    // CONVERT(char(36), uniqueidentifier) is the 'D' text in upper case; compared byte by byte (BIN2) it sorts like SQLite's
    // lower-case text. Not an index seek, but every list it orders is one partnership's (or one parent's) rows.
    public override string IdKey(string id) => $"CONVERT(char(36), {id}) COLLATE Latin1_General_BIN2";

    public override string InIds(string column, string parameter) =>
        $"{column} IN (SELECT j.id FROM OPENJSON({parameter}) WITH (id uniqueidentifier '$') j)";

    public override string JsonRows(string parameter, params (string Name, string SqlServerType)[] columns) =>
        $"OPENJSON({parameter}) WITH ({string.Join(", ", columns.Select(c => $"{c.Name} {c.SqlServerType} '$.{c.Name}'"))})";

    // UPDLOCK + HOLDLOCK: rows read (and key ranges found empty) stay locked to the transaction, so
    // two concurrent pushes of the same key serialise instead of both inserting it.
    public override string LockForUpdate => "WITH (UPDLOCK, HOLDLOCK)";

    public override string OnConflictDoNothing(string key) => "";

    public override string IndexedBy(string index) => "";

    // Read by the row-level security predicate (db/sqlserver/0006_row_level_security_default_deny.sql). Both keys are
    // read-only for the rest of the logical connection, so a scoped connection can be neither moved to another partnership
    // nor turned into a platform one; sp_reset_connection clears them before the pool hands the connection out again.
    public override string? ScopeToPartnership => """
        EXEC sp_set_session_context @key = N'PartnershipId', @value = @PartnershipId, @read_only = 1;
        EXEC sp_set_session_context @key = N'CspScope', @value = N'partnership', @read_only = 1;
        """;

    public override string? ScopeToPlatform => "EXEC sp_set_session_context @key = N'CspScope', @value = N'platform', @read_only = 1;";

    // An application lock owned by the transaction (released at commit or rollback), waited for as long as SQLite's busy
    // timeout; a writer that does not get it fails as a SQLite writer does after its timeout.
    public override string? TakePartnershipWriteTurn => """
        DECLARE @turn nvarchar(255) = N'csp/partnership/' + CONVERT(nvarchar(36), @PartnershipId), @granted int;
        EXEC @granted = sp_getapplock @Resource = @turn, @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 30000;
        IF @granted < 0 THROW 51000, N'No write turn for this partnership within 30 s.', 1;
        """;

    // Property names as declared (the JsonRows paths are case-sensitive); dates yyyy-MM-dd, timestamps ISO 8601 with offset
    // and decimals as exact JSON numbers, all of which OPENJSON ... WITH converts to DATE, DATETIMEOFFSET and DECIMAL.
    private static readonly System.Text.Json.JsonSerializerOptions RowsJson = new();

    public override Task ExecuteManyAsync<T>(DbConnection c, DbTransaction tx, string perRow, string setBased, IReadOnlyCollection<T> rows,
        CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(setBased, new { rows = System.Text.Json.JsonSerializer.Serialize(rows, RowsJson) }, tx,
            cancellationToken: ct));

    public override bool IsUniqueViolation(DbException e) =>
        e is SqlException { Number: 2627 or 2601 };

    // 547 is every constraint conflict (FOREIGN KEY, REFERENCE and CHECK alike); the message quotes the constraint's name,
    // in every server language, and the migrations name each foreign key FK_… and nothing else so.
    public override bool IsForeignKeyViolation(DbException e) =>
        e is SqlException { Number: 547 } && NamesForeignKey(e.Message);

    // 51000: TakePartnershipWriteTurn's THROW; 1222: a lock request time-out.
    public override bool IsBusy(DbException e) => e is SqlException { Number: 51000 or 1222 };

    // A savepoint is released by the transaction's end; there is no statement for it.
    public override (string Mark, string RollBack, string Release) Savepoint(string name) =>
        ($"SAVE TRANSACTION {name}", $"ROLLBACK TRANSACTION {name}", "");

    // 1105 a file group is full, 9002 the log is full; 3906 the database is read-only; 4060 it cannot be opened, 945/946 it
    // is offline or its files are missing.
    public override StorageFault? FaultOf(DbException e) => e is SqlException s
        ? s.Number switch
        {
            1105 or 9002 => StorageFault.Full,
            3906 => StorageFault.ReadOnly,
            4060 or 945 or 946 => StorageFault.Unavailable,
            _ => null,
        }
        : null;

    internal static bool NamesForeignKey(string message) => message.Contains("\"FK_", StringComparison.Ordinal);
}
