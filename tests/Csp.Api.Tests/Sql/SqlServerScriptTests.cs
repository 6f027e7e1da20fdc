using System.Text.RegularExpressions;
using Csp.Api.Tests.Infrastructure;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Csp.Api.Tests.Sql;

/// <summary>
/// Checks the SQL Server migrations without a server: every SQLite script has a SQL Server twin
/// of the same name, and every SQL Server script parses as T-SQL.
/// </summary>
public sealed partial class SqlServerScriptTests
{
    private static string RepoRoot => Repo.Root;

    private static string SqliteDir => Path.Combine(RepoRoot, "db", "sqlite");

    private static string SqlServerDir => Path.Combine(RepoRoot, "db", "sqlserver");

    [GeneratedRegex(@"^\d{4}_[a-z0-9_]+\.sql$")]
    private static partial Regex NumberedScript();

    public static TheoryData<string> SqlServerScripts()
    {
        var data = new TheoryData<string>();
        foreach (var name in ScriptNames(SqlServerDir)) data.Add(name);
        return data;
    }

    [Fact]
    public void Both_providers_have_the_same_numbered_scripts()
    {
        var sqlite = ScriptNames(SqliteDir);
        var sqlServer = ScriptNames(SqlServerDir);

        Assert.NotEmpty(sqlite);
        Assert.All(sqlite.Concat(sqlServer), name => Assert.Matches(NumberedScript(), name));
        var onlySqlite = sqlite.Except(sqlServer, StringComparer.Ordinal).ToList();
        var onlySqlServer = sqlServer.Except(sqlite, StringComparer.Ordinal).ToList();
        Assert.True(onlySqlite.Count == 0 && onlySqlServer.Count == 0,
            $"Only in db/sqlite: [{string.Join(", ", onlySqlite)}]; only in db/sqlserver: [{string.Join(", ", onlySqlServer)}]");
    }

    [Theory]
    [MemberData(nameof(SqlServerScripts))]
    public void SqlServer_script_parses_as_TSql(string fileName)
    {
        var path = Path.Combine(SqlServerDir, fileName);
        var errors = Parse(File.ReadAllText(path));

        Assert.True(errors.Count == 0,
            $"{errors.Count} T-SQL parse error(s):{Environment.NewLine}" +
            string.Join(Environment.NewLine, errors.Select(e => $"db/sqlserver/{fileName}({e.Line},{e.Column}): {e.Number}: {e.Message}")));
    }

    [Fact]
    public void Parser_reports_errors_for_broken_TSql()
    {
        var errors = Parse("CREATE TABLE x (id INT");

        var error = Assert.Single(errors);
        Assert.Equal(1, error.Line);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    private static IList<ParseError> Parse(string script)
    {
        var parser = new TSql170Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(script);
        parser.Parse(reader, out var errors);
        return errors;
    }

    private static List<string> ScriptNames(string directory) =>
        Directory.EnumerateFiles(directory, "*.sql")
            .Select(p => Path.GetFileName(p))
            .Order(StringComparer.Ordinal)
            .ToList();
}
