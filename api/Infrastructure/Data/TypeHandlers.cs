using System.Data;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Infrastructure.Data;

/// <summary>
/// SQLite stores ids, timestamps and decimals as TEXT; SQL Server has native types. These handlers
/// write the engine's form (checked on the parameter type) and read either form back.
/// </summary>
internal static class TypeHandlers
{
    private static int registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1) return;
        // Without RemoveTypeMap Dapper writes built-in types itself and never calls SetValue.
        SqlMapper.RemoveTypeMap(typeof(Guid));
        SqlMapper.RemoveTypeMap(typeof(Guid?));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.RemoveTypeMap(typeof(DateOnly));
        SqlMapper.RemoveTypeMap(typeof(DateOnly?));
        SqlMapper.RemoveTypeMap(typeof(bool));
        SqlMapper.RemoveTypeMap(typeof(decimal));
        SqlMapper.RemoveTypeMap(typeof(decimal?));
        SqlMapper.AddTypeHandler(new DecimalHandler());
        SqlMapper.AddTypeHandler(new NullableDecimalHandler());
        SqlMapper.AddTypeHandler(new BoolHandler());
        SqlMapper.AddTypeHandler(new GuidHandler());
        SqlMapper.AddTypeHandler(new NullableGuidHandler());
        SqlMapper.AddTypeHandler(new TimestampHandler());
        SqlMapper.AddTypeHandler(new NullableTimestampHandler());
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
        SqlMapper.AddTypeHandler(new NullableDateOnlyHandler());
    }

    internal const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    internal static object ToDb(IDbDataParameter p, Guid g) => p is SqliteParameter ? g.ToString("D") : g;

    internal static object ToDb(IDbDataParameter p, DateTimeOffset t) =>
        p is SqliteParameter ? t.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture) : t.ToUniversalTime();

    internal static Guid ReadGuid(object value) => value switch
    {
        Guid g => g,
        string s => Guid.Parse(s),
        byte[] b => new Guid(b),
        _ => throw new DataException($"Cannot read {value.GetType()} as Guid"),
    };

    internal static DateTimeOffset ReadTimestamp(object value) => value switch
    {
        DateTimeOffset d => d.ToUniversalTime(),
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        _ => throw new DataException($"Cannot read {value.GetType()} as DateTimeOffset"),
    };

    internal static DateOnly ReadDate(object value) => value switch
    {
        DateOnly d => d,
        DateTime d => DateOnly.FromDateTime(d),
        string s => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => throw new DataException($"Cannot read {value.GetType()} as DateOnly"),
    };

    /// <summary>Decimals without trailing zeros (187.000000 → 187), so both engines read back the same value and text.</summary>
    internal static decimal Normalize(decimal d) => d / 1.000000000000000000000000000000000m;

    internal static object ToDb(IDbDataParameter p, decimal d) =>
        p is SqliteParameter ? Normalize(d).ToString(CultureInfo.InvariantCulture) : d;

    internal static decimal ReadDecimal(object value) => value switch
    {
        decimal d => Normalize(d),
        string s => Normalize(decimal.Parse(s, NumberStyles.Number, CultureInfo.InvariantCulture)),
        long l => l,
        double f => Normalize((decimal)f),
        _ => throw new DataException($"Cannot read {value.GetType()} as decimal"),
    };

    private static void SetDecimal(IDbDataParameter p, decimal? value)
    {
        Set(p, value is { } d ? ToDb(p, d) : null, DbType.Decimal);
        if (p is not SqliteParameter)
        {
            p.Precision = 19;
            p.Scale = 6;
        }
    }

    private static void Set(IDbDataParameter p, object? value, DbType type)
    {
        p.Value = value ?? DBNull.Value;
        if (p is not SqliteParameter) p.DbType = type;
    }

    // SQLite stores decimals as TEXT (exact); SQL Server as DECIMAL(19,6).
    private sealed class DecimalHandler : SqlMapper.TypeHandler<decimal>
    {
        public override void SetValue(IDbDataParameter p, decimal value) => SetDecimal(p, value);
        public override decimal Parse(object value) => ReadDecimal(value);
    }

    private sealed class NullableDecimalHandler : SqlMapper.TypeHandler<decimal?>
    {
        public override void SetValue(IDbDataParameter p, decimal? value) => SetDecimal(p, value);
        public override decimal? Parse(object value) => value is null or DBNull ? null : ReadDecimal(value);
    }

    // SQLite has no boolean type: flags are INTEGER 0/1 (bit on SQL Server).
    private sealed class BoolHandler : SqlMapper.TypeHandler<bool>
    {
        public override void SetValue(IDbDataParameter p, bool value) => Set(p, value, DbType.Boolean);
        public override bool Parse(object value) => Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0;
    }

    private sealed class GuidHandler : SqlMapper.TypeHandler<Guid>
    {
        public override void SetValue(IDbDataParameter p, Guid value) => Set(p, ToDb(p, value), DbType.Guid);
        public override Guid Parse(object value) => ReadGuid(value);
    }

    private sealed class NullableGuidHandler : SqlMapper.TypeHandler<Guid?>
    {
        public override void SetValue(IDbDataParameter p, Guid? value) => Set(p, value is { } g ? ToDb(p, g) : null, DbType.Guid);
        public override Guid? Parse(object value) => value is null or DBNull ? null : ReadGuid(value);
    }

    private sealed class TimestampHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter p, DateTimeOffset value) => Set(p, ToDb(p, value), DbType.DateTimeOffset);
        public override DateTimeOffset Parse(object value) => ReadTimestamp(value);
    }

    private sealed class NullableTimestampHandler : SqlMapper.TypeHandler<DateTimeOffset?>
    {
        public override void SetValue(IDbDataParameter p, DateTimeOffset? value) => Set(p, value is { } t ? ToDb(p, t) : null, DbType.DateTimeOffset);
        public override DateTimeOffset? Parse(object value) => value is null or DBNull ? null : ReadTimestamp(value);
    }

    private sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override void SetValue(IDbDataParameter p, DateOnly value) =>
            Set(p, p is SqliteParameter ? value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : value.ToDateTime(TimeOnly.MinValue), DbType.Date);
        public override DateOnly Parse(object value) => ReadDate(value);
    }

    private sealed class NullableDateOnlyHandler : SqlMapper.TypeHandler<DateOnly?>
    {
        public override void SetValue(IDbDataParameter p, DateOnly? value) =>
            Set(p, value is { } d ? (p is SqliteParameter ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : d.ToDateTime(TimeOnly.MinValue)) : null, DbType.Date);
        public override DateOnly? Parse(object value) => value is null or DBNull ? null : ReadDate(value);
    }
}
