using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Csp.Api.Tests.Sql;

/// <summary>
/// Every statement the SQL Server path can send (the migrations and every query, rendered by the SQL Server
/// dialect) parses as T-SQL and names only tables and columns the SQL Server migrations create.
/// </summary>
public sealed class SqlServerStatementTests
{
    private static readonly Lazy<List<SqlStatement>> Statements = new(() => SqlSources.Collect().Statements);

    [Fact]
    public void Every_data_access_file_has_its_statements_collected_and_every_hole_rendered()
    {
        var (statements, unresolved) = SqlSources.Collect();

        Assert.True(unresolved.Count == 0, "Interpolation holes the collector cannot render (teach SqlSources):\n" + string.Join("\n", unresolved));
        var dataFiles = Directory.EnumerateFiles(Repo.PathOf("api"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/") && File.ReadAllText(f).Contains("new CommandDefinition(\"", StringComparison.Ordinal)
                        || f.EndsWith("Queries.cs", StringComparison.Ordinal) && !f.Contains("/obj/"))
            .Select(f => Path.GetRelativePath(Repo.Root, f).Replace('\\', '/'))
            .ToList();
        var covered = statements.Select(s => s.Source).ToHashSet();
        var uncovered = dataFiles.Where(f => !covered.Contains(f)).ToList();
        Assert.True(uncovered.Count == 0, "No statement collected from: " + string.Join(", ", uncovered));
        Assert.Contains(statements, s => s.Sql.Contains("OFFSET 0 ROWS FETCH NEXT @Limit ROWS ONLY", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Sql.Contains("OPENJSON(@rows)", StringComparison.Ordinal) && s.Sql.Contains("INSERT INTO observations"));
        Assert.Contains(statements, s => s.Sql.Contains("sp_set_session_context", StringComparison.Ordinal));
        // The platform marker (SqlDialect.ScopeToPlatform) is parsed and schema-checked with the rest.
        Assert.Contains(statements, s => s.Sql.Contains("@key = N'CspScope', @value = N'platform'", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Sql.Contains("sp_getapplock", StringComparison.Ordinal));
        // The migrator's preflight: the database options it reads and the one it sets.
        Assert.Contains(statements, s => s.Sql.Contains("FROM sys.databases", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Sql.StartsWith("ALTER DATABASE CURRENT SET READ_COMMITTED_SNAPSHOT ON", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_statement_parses_as_TSql()
    {
        var failures = Statements.Value
            .Select(s => (Statement: s, Errors: SqlServerSchema.Parse(s.Sql).Errors))
            .Where(x => x.Errors.Count > 0)
            .Select(x => $"{x.Statement}: {x.Errors[0].Message} (line {x.Errors[0].Line})\n{x.Statement.Sql}")
            .ToList();

        Assert.True(Statements.Value.Count > 50, $"Only {Statements.Value.Count} statements collected.");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public void Every_statement_names_only_tables_and_columns_of_the_SqlServer_migrations()
    {
        var schema = SqlServerSchema.FromMigrations();

        var problems = Statements.Value
            .SelectMany(s => schema.Problems(SqlServerSchema.Parse(s.Sql).Fragment).Select(p => $"{s}: {p}"))
            .ToList();

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Drift_check_catches_a_misspelt_column_a_misspelt_table_and_an_unknown_alias()
    {
        var schema = SqlServerSchema.FromMigrations();

        Assert.Empty(schema.Problems(SqlServerSchema.Parse("SELECT o.value, period FROM observations o WHERE o.area = @a").Fragment));
        Assert.Contains("column 'valeu' does not exist in 'o'",
            schema.Problems(SqlServerSchema.Parse("SELECT o.valeu FROM observations o").Fragment));
        Assert.Contains("column 'peroid' is in none of the statement's tables",
            schema.Problems(SqlServerSchema.Parse("UPDATE observations SET value = 1 WHERE peroid = @p").Fragment));
        Assert.Contains("table 'observation' does not exist",
            schema.Problems(SqlServerSchema.Parse("SELECT value FROM observation").Fragment));
        Assert.Contains("'x' (of x.value) is not a table or alias of the statement",
            schema.Problems(SqlServerSchema.Parse("SELECT x.value FROM observations o").Fragment));
    }

    [Fact]
    public void No_statement_orders_pages_or_looks_up_a_list_of_uniqueidentifiers_as_they_are()
    {
        var schema = SqlServerSchema.FromMigrations();

        var problems = Statements.Value
            .SelectMany(s => schema.GuidProblems(SqlServerSchema.Parse(s.Sql).Fragment).Select(p => $"{s}: {p}"))
            .ToList();

        Assert.True(problems.Count == 0, "Use SqlDialect.IdKey or InIds:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void The_uniqueidentifier_check_catches_a_raw_id_sort_keyset_and_parameter_list_and_passes_the_dialects_forms()
    {
        var schema = SqlServerSchema.FromMigrations();
        var dialect = new SqlServerDialect();

        Assert.Equal(["ORDER BY c.id", "c.id compared with < or >"], schema.GuidProblems(SqlServerSchema.Parse(
            "SELECT c.code FROM commitments c WHERE c.id > @After ORDER BY c.id").Fragment));
        Assert.Equal(["ORDER BY indicator_id", "ORDER BY priority_id"], schema.GuidProblems(SqlServerSchema.Parse(
            "SELECT indicator_id FROM indicator_priorities ORDER BY indicator_id, priority_id").Fragment));
        Assert.Equal(["a.id IN a list of parameters"], schema.GuidProblems(SqlServerSchema.Parse(
            "SELECT a.rationale FROM alignments a WHERE a.id IN (@ids1, @ids2) AND a.rationale IN (@r1, @r2)").Fragment));
        Assert.Empty(schema.GuidProblems(SqlServerSchema.Parse(
            $"SELECT a.rationale FROM alignments a WHERE {dialect.InIds("a.id", "@ids")}").Fragment));
        // Text columns and equality are fine; the dialect's key is not a raw uniqueidentifier.
        Assert.Empty(schema.GuidProblems(SqlServerSchema.Parse(
            "SELECT code FROM commitments WHERE id = @id AND code > @c ORDER BY code, created_at").Fragment));
        Assert.Empty(schema.GuidProblems(SqlServerSchema.Parse(
            $"SELECT code FROM commitments WHERE {dialect.IdKey("id")} > {dialect.IdKey("@After")} ORDER BY {dialect.IdKey("id")}").Fragment));
    }

    [Fact]
    public void A_column_renamed_in_the_SqlServer_migrations_fails_the_real_queries()
    {
        var scripts = Directory.EnumerateFiles(Repo.PathOf("db", "sqlserver"), "*.sql").Order(StringComparer.Ordinal)
            .Select(File.ReadAllText)
            .Select(s => s.Replace("    period_start   DATE              NOT NULL,\n    period_end     DATE              NOT NULL,\n    value ",
                "    period_start   DATE              NOT NULL,\n    period_end     DATE              NOT NULL,\n    amount ", StringComparison.Ordinal))
            .ToList();
        var renamed = SqlServerSchema.FromScripts(scripts);
        Assert.Contains("amount", renamed.Tables["observations"]);

        var problems = Statements.Value.SelectMany(s => renamed.Problems(SqlServerSchema.Parse(s.Sql).Fragment)).ToList();

        Assert.Contains(problems, p => p.Contains("'value'", StringComparison.Ordinal));
    }

    [Fact]
    public void Both_engines_migrations_create_the_same_tables_and_columns()
    {
        var file = Path.Combine(Path.GetTempPath(), $"csp-schema-{Guid.NewGuid():N}.db");
        try
        {
            var cs = $"Data Source={file};Pooling=False";
            Migrator.Migrate(DatabaseProvider.Sqlite, cs, NullLogger.Instance);
            using var c = new SqliteConnection(cs);
            var sqlite = c.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'SchemaVersions'")
                .ToDictionary(t => t, t => c.Query<string>("SELECT name FROM pragma_table_info(@t)", new { t }).Order().ToList());
            var sqlServer = SqlServerSchema.FromMigrations().Tables.ToDictionary(t => t.Key, t => t.Value.Order().ToList());

            // SQL Server only: audit_events.rv, the rowversion that keeps the change feed from skipping uncommitted events.
            sqlServer["audit_events"].Remove("rv");
            Assert.Equal(sqlite.Keys.Order(), sqlServer.Keys.Order());
            Assert.All(sqlite, t => Assert.True(t.Value.SequenceEqual(sqlServer[t.Key]),
                $"{t.Key}: SQLite [{string.Join(", ", t.Value)}] vs SQL Server [{string.Join(", ", sqlServer[t.Key])}]"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
