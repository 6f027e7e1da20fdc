using Csp.Api.Tests.Infrastructure;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Csp.Api.Tests.Sql;

/// <summary>
/// The tables and columns the SQL Server migrations create (CREATE TABLE, ALTER TABLE ADD / DROP COLUMN), read
/// with ScriptDom, and a check that a statement names only those: a schema drift check without a server.
/// </summary>
public sealed class SqlServerSchema
{
    public Dictionary<string, HashSet<string>> Tables { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The catalog views the service reads (SqlServerPreflight), with the documented columns it may use, and DbUp's
    /// journal (dbo.SchemaVersions: Id, ScriptName, Applied), which the readiness probe reads.</summary>
    private static readonly Dictionary<string, HashSet<string>> SystemViews = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sys.databases"] = new(StringComparer.OrdinalIgnoreCase) { "database_id", "name", "collation_name", "is_read_committed_snapshot_on", "compatibility_level" },
        ["SchemaVersions"] = new(StringComparer.OrdinalIgnoreCase) { "Id", "ScriptName", "Applied" },
    };

    /// <summary>The <c>uniqueidentifier</c> columns of each table.</summary>
    public Dictionary<string, HashSet<string>> Guids { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static SqlServerSchema FromMigrations() =>
        FromScripts(Directory.EnumerateFiles(Repo.PathOf("db", "sqlserver"), "*.sql").Order(StringComparer.Ordinal).Select(File.ReadAllText));

    public static SqlServerSchema FromScripts(IEnumerable<string> scripts)
    {
        var schema = new SqlServerSchema();
        foreach (var script in scripts)
        {
            var (fragment, errors) = Parse(script);
            if (errors.Count > 0) throw new InvalidOperationException($"A migration does not parse: {errors[0].Message}");
            fragment.Accept(new SchemaReader(schema.Tables, schema.Guids));
        }
        return schema;
    }

    public static (TSqlFragment Fragment, IList<ParseError> Errors) Parse(string sql)
    {
        var parser = new TSql170Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(sql);
        var fragment = parser.Parse(reader, out var errors);
        return (fragment, errors);
    }

    /// <summary>The tables and columns <paramref name="statement"/> names that the schema does not have.</summary>
    public List<string> Problems(TSqlFragment statement)
    {
        var collector = new References();
        statement.Accept(collector);
        var problems = new List<string>();
        var sources = Sources(collector, guidsOnly: false, problems);
        var all = sources.Values.SelectMany(c => c).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var parts in collector.Columns)
        {
            var column = parts[^1];
            if (parts.Count == 1)
            {
                if (!all.Contains(column) && !collector.OutputNames.Contains(column))
                    problems.Add($"column '{column}' is in none of the statement's tables");
            }
            else if (!sources.TryGetValue(parts[^2], out var columns))
                problems.Add($"'{parts[^2]}' (of {string.Join('.', parts)}) is not a table or alias of the statement");
            else if (!columns.Contains(column))
                problems.Add($"column '{column}' does not exist in '{parts[^2]}'");
        }
        return problems.Distinct().ToList();
    }

    /// <summary>
    /// The <c>uniqueidentifier</c> columns <paramref name="statement"/> sorts by (ORDER BY) or compares with &lt; or &gt;
    /// as they are: SQL Server orders that type by its last six bytes first, which is not creation order for UUIDv7 ids
    /// (SqlDialect.IdKey compares their text instead); and those it looks up in a list of parameters, which cannot be longer
    /// than SQL Server's 2,100 parameters (SqlDialect.InIds sends one JSON parameter instead).
    /// </summary>
    public List<string> GuidProblems(TSqlFragment statement)
    {
        var collector = new References();
        statement.Accept(collector);
        var sources = Sources(collector, guidsOnly: true, []);
        var all = sources.Values.SelectMany(c => c).ToHashSet(StringComparer.OrdinalIgnoreCase);
        bool IsGuid(List<string> parts) => parts.Count == 1
            ? all.Contains(parts[0])
            : sources.TryGetValue(parts[^2], out var guids) && guids.Contains(parts[^1]);
        return collector.Sorted.Where(IsGuid).Select(p => $"ORDER BY {string.Join('.', p)}")
            .Concat(collector.Compared.Where(IsGuid).Select(p => $"{string.Join('.', p)} compared with < or >"))
            .Concat(collector.InLists.Where(IsGuid).Select(p => $"{string.Join('.', p)} IN a list of parameters"))
            .Distinct().ToList();
    }

    /// <summary>Alias (or table name) → the columns it offers (only the <c>uniqueidentifier</c> ones when <paramref name="guidsOnly"/>).</summary>
    private Dictionary<string, HashSet<string>> Sources(References collector, bool guidsOnly, List<string> problems)
    {
        var columnsOf = guidsOnly ? Guids : Tables;
        var sources = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, columns) in collector.Derived) sources[alias] = guidsOnly ? [] : columns;
        var aliases = collector.Tables.Where(t => t.Alias is not null).Select(t => t.Alias!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (table, alias) in collector.Tables)
        {
            if (alias is null && (aliases.Contains(table) || sources.ContainsKey(table))) continue; // UPDATE o … FROM observations o
            if (SystemViews.TryGetValue(table, out var view)) sources[alias ?? table] = guidsOnly ? [] : view;
            else if (!columnsOf.TryGetValue(table, out var columns)) problems.Add($"table '{table}' does not exist");
            else
            {
                sources[alias ?? table] = columns;
                sources.TryAdd(table, columns);
            }
        }
        return sources;
    }

    private sealed class SchemaReader(Dictionary<string, HashSet<string>> tables, Dictionary<string, HashSet<string>> guids) : TSqlFragmentVisitor
    {
        public override void ExplicitVisit(CreateTableStatement node)
        {
            var name = node.SchemaObjectName.BaseIdentifier.Value;
            tables[name] = node.Definition.ColumnDefinitions.Select(c => c.ColumnIdentifier.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
            guids[name] = node.Definition.ColumnDefinitions.Where(IsGuid).Select(c => c.ColumnIdentifier.Value)
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
        }

        public override void ExplicitVisit(AlterTableAddTableElementStatement node)
        {
            var name = node.SchemaObjectName.BaseIdentifier.Value;
            if (!tables.TryGetValue(name, out var columns)) return;
            foreach (var c in node.Definition.ColumnDefinitions)
            {
                columns.Add(c.ColumnIdentifier.Value);
                if (IsGuid(c)) guids[name].Add(c.ColumnIdentifier.Value);
            }
        }

        public override void ExplicitVisit(AlterTableDropTableElementStatement node)
        {
            var name = node.SchemaObjectName.BaseIdentifier.Value;
            if (!tables.TryGetValue(name, out var columns)) return;
            foreach (var e in node.AlterTableDropTableElements.Where(e => e.TableElementType == TableElementType.Column))
            {
                columns.Remove(e.Name.Value);
                guids[name].Remove(e.Name.Value);
            }
        }

        public override void ExplicitVisit(DropTableStatement node)
        {
            foreach (var o in node.Objects)
            {
                tables.Remove(o.BaseIdentifier.Value);
                guids.Remove(o.BaseIdentifier.Value);
            }
        }

        private static bool IsGuid(ColumnDefinition c) =>
            c.DataType is SqlDataTypeReference { SqlDataTypeOption: SqlDataTypeOption.UniqueIdentifier };
    }

    private sealed class References : TSqlFragmentVisitor
    {
        public List<(string Table, string? Alias)> Tables { get; } = [];
        public Dictionary<string, HashSet<string>> Derived { get; } = new(StringComparer.OrdinalIgnoreCase);
        public List<List<string>> Columns { get; } = [];
        public HashSet<string> OutputNames { get; } = new(StringComparer.OrdinalIgnoreCase);
        public List<List<string>> Sorted { get; } = [];
        public List<List<string>> Compared { get; } = [];
        public List<List<string>> InLists { get; } = [];

        public override void Visit(InPredicate node)
        {
            if (node.Subquery is null && node.Values.Any(v => v is VariableReference) && Parts(node.Expression) is { } parts) InLists.Add(parts);
        }

        public override void Visit(ExpressionWithSortOrder node)
        {
            if (Parts(node.Expression) is { } parts) Sorted.Add(parts);
        }

        public override void Visit(BooleanComparisonExpression node)
        {
            if (node.ComparisonType is BooleanComparisonType.Equals or BooleanComparisonType.NotEqualToBrackets
                or BooleanComparisonType.NotEqualToExclamation) return;
            foreach (var side in new[] { node.FirstExpression, node.SecondExpression })
                if (Parts(side) is { } parts) Compared.Add(parts);
        }

        private static List<string>? Parts(ScalarExpression e) =>
            e is ColumnReferenceExpression { ColumnType: ColumnType.Regular, MultiPartIdentifier: { } id }
                ? id.Identifiers.Select(i => i.Value).ToList()
                : null;

        public override void Visit(NamedTableReference node) =>
            Tables.Add((node.SchemaObject.SchemaIdentifier?.Value is "sys" ? "sys." + node.SchemaObject.BaseIdentifier.Value
                : node.SchemaObject.BaseIdentifier.Value, node.Alias?.Value));

        public override void Visit(OpenJsonTableReference node)
        {
            if (node.Alias is null) return;
            Derived[node.Alias.Value] = node.SchemaDeclarationItems.Select(i => i.ColumnDefinition.ColumnIdentifier.Value)
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
        }

        public override void Visit(SelectScalarExpression node)
        {
            if (node.ColumnName?.Value is { } name) OutputNames.Add(name);
        }

        public override void Visit(ColumnReferenceExpression node)
        {
            if (node.ColumnType != ColumnType.Regular || node.MultiPartIdentifier is null) return;
            Columns.Add(node.MultiPartIdentifier.Identifiers.Select(i => i.Value).ToList());
        }
    }
}
