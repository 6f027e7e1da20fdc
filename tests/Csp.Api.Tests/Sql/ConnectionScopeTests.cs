using System.Data.Common;
using System.Reflection;
using System.Text.RegularExpressions;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Sql;

/// <summary>
/// Every connection the service opens names its scope: one partnership's (<c>Db.OpenAsync(tenant, ct)</c>,
/// <c>Db.BeginWriteAsync(tenant, ct)</c>) or the platform's (<c>Db.OpenPlatformAsync</c>, <c>Db.BeginPlatformWriteAsync</c>).
/// On SQL Server row-level security denies a connection that names neither, so an un-scoped call is either a tenant path
/// that silently sees nothing or a cross-tenant path that should say so. The un-scoped overloads are obsolete (CSP0001, an
/// error); these tests keep the only way around that — a per-file exception in .editorconfig — to the files listed here.
/// </summary>
public sealed partial class ConnectionScopeTests
{
    /// <summary>
    /// Files still calling the un-scoped overloads, each let through by its own .editorconfig section. Its owner is
    /// switching it to the tenant overloads; then it leaves this list and .editorconfig (and, with the last one, the
    /// obsolete overloads leave Db). Never add a file here: name the scope instead.
    /// </summary>
    private static readonly string[] Pending = [];

    /// <summary>Files that may open a connection other than through Db: the migrator runs as the owner, before any request
    /// (DbUp's own connection, a SQLite one to switch the file to WAL, and SqlServerPreflight's, which reads and sets database
    /// options in sys.databases before the scripts); the WAL watch holds a SQLite connection open
    /// only so that the file it maps stays (it reads no table; SQLite has no row-level security); the operator's backup and
    /// restore open the SQLite file itself (no tenant scope exists there), never a service's connections.</summary>
    private static readonly string[] OwnConnections =
        [
            "api/Infrastructure/Data/Db.cs", "api/Infrastructure/Data/Migrator.cs", "api/Infrastructure/Data/SqlServerPreflight.cs",
            "api/Infrastructure/Data/WalChangeWatch.cs", "api/Infrastructure/Data/Backups.cs",
        ];

    // A call with one argument: db.OpenAsync(ct), db.BeginWriteAsync(t), x.OpenAsync(CancellationToken.None).
    [GeneratedRegex(@"\.(?:OpenAsync|BeginWriteAsync)\(\s*[\w.]+\s*\)")]
    private static partial Regex UnscopedCall();

    [GeneratedRegex(@"\bOpenConnection(?:Async)?\(|\bnew\s+(?:Sql|Sqlite)Connection\(|\bCreateConnection\(")]
    private static partial Regex OwnConnection();

    [GeneratedRegex(@"^\[(?<glob>[^\]]+)\]\s*$")]
    private static partial Regex EditorConfigSection();

    private static Dictionary<string, string> ApiSources() =>
        Directory.EnumerateFiles(Repo.PathOf("api"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToDictionary(f => Path.GetRelativePath(Repo.Root, f).Replace('\\', '/'), File.ReadAllText);

    /// <summary>The files whose .editorconfig section changes the severity of CSP0001.</summary>
    private static List<string> LetThrough(string editorConfig)
    {
        var files = new List<string>();
        string? section = null;
        foreach (var line in editorConfig.Split('\n'))
        {
            if (EditorConfigSection().Match(line) is { Success: true } m) section = m.Groups["glob"].Value;
            else if (line.Contains(Db.UnscopedDiagnostic, StringComparison.OrdinalIgnoreCase) && !line.TrimStart().StartsWith('#'))
                files.Add(section ?? "(top of the file)");
        }
        return files;
    }

    [Fact]
    public void No_api_code_opens_an_unscoped_connection_outside_the_pending_files()
    {
        var calls = ApiSources()
            .SelectMany(f => UnscopedCall().Matches(f.Value).Select(m => (File: f.Key, Line: f.Value.AsSpan(0, m.Index).Count('\n') + 1, Call: m.Value)))
            .ToList();

        var offending = calls.Where(c => !Pending.Contains(c.File)).Select(c => $"{c.File}({c.Line}): {c.Call}").ToList();
        Assert.True(offending.Count == 0,
            "Un-scoped connections (use OpenAsync(tenant, ct) / BeginWriteAsync(tenant, ct), or OpenPlatformAsync / " +
            "BeginPlatformWriteAsync for cross-tenant work):\n" + string.Join("\n", offending));
        var done = Pending.Where(p => calls.All(c => c.File != p)).ToList();
        Assert.True(done.Count == 0,
            $"No longer un-scoped, so take them off ConnectionScopeTests.Pending and out of .editorconfig: {string.Join(", ", done)}");
    }

    [Fact]
    public void Only_the_pending_files_are_let_through_and_nothing_else_silences_the_obsolete_overloads()
    {
        Assert.Equal(Pending.Order(), LetThrough(File.ReadAllText(Repo.PathOf(".editorconfig"))).Order());

        var silenced = ApiSources().Where(f => f.Value.Contains(Db.UnscopedDiagnostic, StringComparison.Ordinal)).Select(f => f.Key)
            .Where(f => f != "api/Infrastructure/Data/Db.cs").ToList();
        Assert.True(silenced.Count == 0, "CSP0001 is named (a #pragma or SuppressMessage?) in: " + string.Join(", ", silenced));
        foreach (var props in new[] { "Directory.Build.props", "api/Csp.Api.csproj" })
            Assert.DoesNotContain(Db.UnscopedDiagnostic, File.ReadAllText(Repo.PathOf(props)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_editorconfig_reader_finds_a_section_that_lets_CSP0001_through()
    {
        const string config = """
            [*.cs]
            # dotnet_diagnostic.CSP0001.severity = none   (a comment is not a setting)
            indent_size = 4

            [api/Plans/PlanQueries.cs]
            dotnet_diagnostic.csp0001.severity = suggestion
            """;

        Assert.Equal(["api/Plans/PlanQueries.cs"], LetThrough(config));
    }

    [Fact]
    public void Connections_are_opened_only_by_Db_and_the_migrator()
    {
        var others = ApiSources().Where(f => !OwnConnections.Contains(f.Key) && OwnConnection().IsMatch(f.Value)).Select(f => f.Key).ToList();

        Assert.True(others.Count == 0, "Opens a connection without Db (so without a scope): " + string.Join(", ", others));
    }

    [Fact]
    public void Every_way_Db_opens_a_connection_names_its_scope_or_is_the_obsolete_unscoped_one()
    {
        var openers = typeof(Db).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.ReturnType == typeof(ValueTask<DbConnection>) || m.ReturnType == typeof(Task<WriteUnit>))
            .ToList();

        Assert.Contains(openers, m => m.Name == nameof(Db.OpenPlatformAsync));
        Assert.Contains(openers, m => m.Name == nameof(Db.BeginPlatformWriteAsync));
        Assert.Equal(2, openers.Count(m => m.GetParameters().Any(p => p.ParameterType == typeof(Tenant))));
        foreach (var m in openers)
        {
            var tenant = m.GetParameters().Any(p => p.ParameterType == typeof(Tenant));
            var platform = m.Name.Contains("Platform", StringComparison.Ordinal);
            var obsolete = m.GetCustomAttribute<ObsoleteAttribute>() is { DiagnosticId: Db.UnscopedDiagnostic };
            Assert.True(new[] { tenant, platform, obsolete }.Count(x => x) == 1,
                $"Db.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))}) names no scope (or more than one).");
        }
    }

    [Fact]
    public void On_SQLite_the_scopes_add_no_statement()
    {
        var sqlite = SqlDialect.For(DatabaseProvider.Sqlite);
        var sqlServer = SqlDialect.For(DatabaseProvider.SqlServer);

        Assert.Null(sqlite.ScopeToPartnership);
        Assert.Null(sqlite.ScopeToPlatform);
        Assert.NotNull(sqlServer.ScopeToPartnership);
        Assert.NotNull(sqlServer.ScopeToPlatform);
    }
}
