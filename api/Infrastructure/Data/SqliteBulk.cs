using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Infrastructure.Data;

/// <summary>
/// Runs one statement per row on SQLite through a single prepared command whose parameter values are
/// set directly, in the same text forms as <see cref="TypeHandlers"/> writes. Dapper's executemany
/// converts every value through boxing type handlers and ran about 7× slower than SQLite can insert;
/// the batch push spends most of its time here.
/// </summary>
internal static partial class SqliteBulk
{
    private sealed record Plan(string[] Names, Func<object, object?>[] Getters);

    private static readonly ConcurrentDictionary<(Type, string), Plan> Plans = new();

    public static async Task ExecuteAsync<T>(DbConnection c, DbTransaction tx, string sql, IReadOnlyCollection<T> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var plan = Plans.GetOrAdd((typeof(T), sql), key => Build(key.Item1, key.Item2));
        await using var command = (SqliteCommand)c.CreateCommand();
        command.CommandText = sql;
        command.Transaction = (SqliteTransaction)tx;
        var parameters = new SqliteParameter[plan.Names.Length];
        for (var i = 0; i < parameters.Length; i++) parameters[i] = command.Parameters.Add(new SqliteParameter("@" + plan.Names[i], null));
        command.Prepare();
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            for (var i = 0; i < parameters.Length; i++) parameters[i].Value = ToSqlite(plan.Getters[i](row!));
            command.ExecuteNonQuery();
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
