using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Csp.Api.Infrastructure.Data;

/// <summary>
/// Runs one statement per row on SQLite through a single prepared statement on the connection's native handle
/// (SQLitePCLRaw, which Microsoft.Data.Sqlite itself runs on), binding each value by position in the same text forms
/// as <see cref="TypeHandlers"/> writes. Dapper's executemany converted every value through boxing type handlers and
/// ran about 7× slower than SQLite can insert; SqliteCommand, even prepared, looks every parameter up by name on every
/// execution. The batch push spends most of its time here.
/// </summary>
internal static partial class SqliteBulk
{
    private sealed record Plan(string[] Names, Func<object, object?>[] Getters);

    private static readonly ConcurrentDictionary<(Type, string), Plan> Plans = new();

    public static Task ExecuteAsync<T>(DbConnection c, DbTransaction tx, string sql, IReadOnlyCollection<T> rows, CancellationToken ct)
    {
        Run(c, tx, sql, rows, null, ct);
        return Task.CompletedTask;
    }

    /// <summary>
    /// As <see cref="ExecuteAsync{T}"/>, and says for each row whether its statement changed a row: an
    /// <c>INSERT ... ON CONFLICT DO NOTHING</c> reports false for a row whose key was already there.
    /// </summary>
    public static bool[] ExecuteEach<T>(DbConnection c, DbTransaction tx, string sql, IReadOnlyCollection<T> rows, CancellationToken ct)
    {
        var changed = new bool[rows.Count];
        Run(c, tx, sql, rows, changed, ct);
        return changed;
    }

    private static void Run<T>(DbConnection c, DbTransaction tx, string sql, IReadOnlyCollection<T> rows, bool[]? changed, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        if (((SqliteTransaction)tx).Connection != c)
            throw new InvalidOperationException("The transaction belongs to another connection.");
        var plan = Plans.GetOrAdd((typeof(T), sql), key => Build(key.Item1, key.Item2));
        var db = ((SqliteConnection)c).Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        using (statement)
        {
            var binder = new Binder(plan, statement);
            var index = 0;
            foreach (var row in rows)
            {
                ct.ThrowIfCancellationRequested();
                binder.Bind(row!);
                var rc = raw.sqlite3_step(statement);
                if (rc != raw.SQLITE_DONE)
                {
                    var error = Error(db, rc);
                    raw.sqlite3_reset(statement);
                    throw error;
                }
                if (changed is not null) changed[index] = raw.sqlite3_changes(db) > 0;
                index++;
                raw.sqlite3_reset(statement);
            }
        }
    }

    /// <summary>
    /// Runs a query once per key through a single prepared statement (as <see cref="ExecuteEach{T}"/> runs a write), and reads the
    /// first row each key finds with <paramref name="read"/> (or every row, with <paramref name="everyRow"/>): the index of the key
    /// and what was read, for the keys that found one, in the order found. One seek per key with nothing to convert between them;
    /// a set of keys sent as one JSON parameter costs SQLite a parse and a join, and the driver a boxed value per column.
    /// </summary>
    public static List<(int Index, TResult Row)> QueryEach<T, TResult>(DbConnection c, string sql, IReadOnlyList<T> keys,
        Func<Columns, TResult> read, CancellationToken ct, bool everyRow = false)
    {
        var found = new List<(int, TResult)>(keys.Count);
        if (keys.Count == 0) return found;
        var plan = Plans.GetOrAdd((typeof(T), sql), key => Build(key.Item1, key.Item2));
        var db = ((SqliteConnection)c).Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        using (statement)
        {
            var binder = new Binder(plan, statement);
            for (var index = 0; index < keys.Count; index++)
            {
                ct.ThrowIfCancellationRequested();
                binder.Bind(keys[index]!);
                var rc = raw.sqlite3_step(statement);
                for (; everyRow && rc == raw.SQLITE_ROW; rc = raw.sqlite3_step(statement)) found.Add((index, read(new Columns(statement))));
                if (rc == raw.SQLITE_ROW) found.Add((index, read(new Columns(statement))));
                else if (rc != raw.SQLITE_DONE)
                {
                    var error = Error(db, rc);
                    raw.sqlite3_reset(statement);
                    throw error;
                }
                raw.sqlite3_reset(statement);
            }
        }
        return found;
    }

    /// <summary>The current row's columns, by position, as text.</summary>
    internal readonly struct Columns(sqlite3_stmt statement)
    {
        public string? Text(int column) =>
            raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL ? null : raw.sqlite3_column_text(statement, column).utf8_to_string();
    }

    /// <summary>Binds each row's values to a prepared statement by position. SQLite keeps a statement's bindings across
    /// sqlite3_reset, so a value equal to the previous row's (the partnership, the push's timestamp, a month's dates: most
    /// columns of a batch) is neither converted nor bound again.</summary>
    private sealed class Binder
    {
        private readonly Plan plan;
        private readonly sqlite3_stmt statement;
        private readonly int[] positions;
        private readonly object?[] previous;
        private bool bound;

        public Binder(Plan plan, sqlite3_stmt statement)
        {
            (this.plan, this.statement) = (plan, statement);
            positions = new int[plan.Names.Length];
            for (var i = 0; i < positions.Length; i++)
                positions[i] = raw.sqlite3_bind_parameter_index(statement, "@" + plan.Names[i]);
            previous = new object?[positions.Length];
        }

        public void Bind(object row)
        {
            for (var i = 0; i < positions.Length; i++)
            {
                var value = plan.Getters[i](row);
                if (bound && Equals(value, previous[i])) continue;
                SqliteBulk.Bind(statement, positions[i], ToSqlite(value));
                previous[i] = value;
            }
            bound = true;
        }
    }

    /// <summary>The stored form of a value: exactly what the Dapper type handlers write on SQLite.</summary>
    internal static object ToSqlite(object? value) => value switch
    {
        null => DBNull.Value,
        Guid g => g.ToString("D"),
        DateTimeOffset t => t.UtcDateTime.ToString(TypeHandlers.TimestampFormat, CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        decimal m => TypeHandlers.Normalize(m).ToString(CultureInfo.InvariantCulture),
        bool b => b ? 1L : 0L,
        _ => value,
    };

    private static void Bind(sqlite3_stmt statement, int position, object value)
    {
        var rc = value switch
        {
            DBNull => raw.sqlite3_bind_null(statement, position),
            string s => raw.sqlite3_bind_text(statement, position, s),
            long l => raw.sqlite3_bind_int64(statement, position, l),
            int i => raw.sqlite3_bind_int64(statement, position, i),
            double d => raw.sqlite3_bind_double(statement, position, d),
            byte[] b => raw.sqlite3_bind_blob(statement, position, b),
            _ => throw new NotSupportedException($"No SQLite binding for {value.GetType().Name}."),
        };
        if (rc != raw.SQLITE_OK) throw new SqliteException($"Could not bind parameter {position} (SQLite error {rc}).", rc);
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK) throw Error(db, rc);
    }

    // The same exception Microsoft.Data.Sqlite raises, so the dialect's unique/foreign-key checks still recognise it.
    private static SqliteException Error(sqlite3 db, int rc) =>
        new(raw.sqlite3_errmsg(db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(db));

    private static Plan Build(Type type, string sql)
    {
        var names = ParameterName().Matches(sql).Select(m => m.Groups[1].Value).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var getters = names.Select(name =>
        {
            var property = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)
                ?? throw new InvalidOperationException($"{type.Name} has no property for parameter @{name}.");
            var row = Expression.Parameter(typeof(object));
            var body = Expression.Convert(Expression.Property(Expression.Convert(row, type), property), typeof(object));
            return Expression.Lambda<Func<object, object?>>(body, row).Compile();
        }).ToArray();
        return new Plan(names, getters);
    }

    [GeneratedRegex(@"@(\w+)")]
    private static partial Regex ParameterName();
}
