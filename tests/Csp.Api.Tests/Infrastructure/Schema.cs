using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Tests.Infrastructure;

/// <summary>The schema a factory's service migrated, read from the engine's own catalogue.</summary>
public static class Schema
{
    /// <summary>The application's tables (the migration journal and the engine's own left out).</summary>
    public static Task<List<string>> TablesAsync(CspApiFactory factory) => factory.QueryAsync<string>(
        factory.Database.Provider == DatabaseProvider.SqlServer
            ? "SELECT name FROM sys.tables WHERE SCHEMA_NAME(schema_id) = 'dbo' AND name <> 'SchemaVersions'"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'SchemaVersions'");

    /// <summary>The columns of <paramref name="table"/> in their declared order.</summary>
    public static Task<List<string>> ColumnsAsync(CspApiFactory factory, string table) => factory.QueryAsync<string>(
        factory.Database.Provider == DatabaseProvider.SqlServer
            ? "SELECT name FROM sys.columns WHERE object_id = OBJECT_ID(N'dbo.' + @table) ORDER BY column_id"
            : "SELECT name FROM pragma_table_info(@table) ORDER BY cid", new { table });

    /// <summary>Each foreign key of <paramref name="table"/> as its column pairs: Id tells the keys apart.</summary>
    public static Task<List<(long Id, string Table, string From, string? To)>> ForeignKeysAsync(CspApiFactory factory, string table) =>
        factory.QueryAsync<(long, string, string, string?)>(
            factory.Database.Provider == DatabaseProvider.SqlServer
                ? """
                  SELECT k.constraint_object_id, OBJECT_NAME(k.referenced_object_id), f.name, t.name
                  FROM sys.foreign_key_columns k
                  JOIN sys.columns f ON f.object_id = k.parent_object_id AND f.column_id = k.parent_column_id
                  JOIN sys.columns t ON t.object_id = k.referenced_object_id AND t.column_id = k.referenced_column_id
                  WHERE k.parent_object_id = OBJECT_ID(N'dbo.' + @table)
                  """
                : "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(@table)", new { table });
}
