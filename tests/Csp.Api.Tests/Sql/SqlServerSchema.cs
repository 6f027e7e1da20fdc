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

    public static SqlServerSchema FromMigrations() =>
        FromScripts(Directory.EnumerateFiles(Repo.PathOf("db", "sqlserver"), "*.sql").Order(StringComparer.Ordinal).Select(File.ReadAllText));

    public static SqlServerSchema FromScripts(IEnumerable<string> scripts)
    {
        var schema = new SqlServerSchema();
        foreach (var script in scripts)
        {
            var (fragment, errors) = Parse(script);
            if (errors.Count > 0) throw new InvalidOperationException($"A migration does not parse: {errors[0].Message}");
            fragment.Accept(new SchemaReader(schema.Tables));
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
        // alias (or table name) → the columns it offers
        var sources = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, columns) in collector.Derived) sources[alias] = columns;
        var aliases = collector.Tables.Where(t => t.Alias is not null).Select(t => t.Alias!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (table, alias) in collector.Tables)
        {
            if (alias is null && (aliases.Contains(table) || sources.ContainsKey(table))) continue; // UPDATE o … FROM observations o
            if (!Tables.TryGetValue(table, out var columns))
            {
                problems.Add($"table '{table}' does not exist");
                continue;
            }
            sources[alias ?? table] = columns;
            sources.TryAdd(table, columns);
        }
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

    private sealed class SchemaReader(Dictionary<string, HashSet<string>> tables) : TSqlFragmentVisitor
    {
        public override void ExplicitVisit(CreateTableStatement node) =>
            tables[node.SchemaObjectName.BaseIdentifier.Value] = node.Definition.ColumnDefinitions
                .Select(c => c.ColumnIdentifier.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);

        public override void ExplicitVisit(AlterTableAddTableElementStatement node)
        {
            if (tables.TryGetValue(node.SchemaObjectName.BaseIdentifier.Value, out var columns))
                foreach (var c in node.Definition.ColumnDefinitions) columns.Add(c.ColumnIdentifier.Value);
        }

        public override void ExplicitVisit(AlterTableDropTableElementStatement node)
        {
            if (!tables.TryGetValue(node.SchemaObjectName.BaseIdentifier.Value, out var columns)) return;
            foreach (var e in node.AlterTableDropTableElements.Where(e => e.TableElementType == TableElementType.Column))
                columns.Remove(e.Name.Value);
        }

        public override void ExplicitVisit(DropTableStatement node)
        {
            foreach (var o in node.Objects) tables.Remove(o.BaseIdentifier.Value);
        }
    }

    private sealed class References : TSqlFragmentVisitor
    {
        public List<(string Table, string? Alias)> Tables { get; } = [];
        public Dictionary<string, HashSet<string>> Derived { get; } = new(StringComparer.OrdinalIgnoreCase);
        public List<List<string>> Columns { get; } = [];
        public HashSet<string> OutputNames { get; } = new(StringComparer.OrdinalIgnoreCase);

        public override void Visit(NamedTableReference node) =>
            Tables.Add((node.SchemaObject.BaseIdentifier.Value, node.Alias?.Value));

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
