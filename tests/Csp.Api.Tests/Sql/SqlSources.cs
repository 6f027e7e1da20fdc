using System.Reflection;
using System.Text.RegularExpressions;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Sql;

/// <summary>A SQL statement the service can send, as the SQL Server dialect renders it, and where it is written.</summary>
public sealed record SqlStatement(string Source, int Line, string Sql)
{
    public override string ToString() => $"{Source}({Line})";
}

/// <summary>
/// Every SQL statement written in api/, rendered for SQL Server, without a server. The service's SQL is C# string
/// literals in its query classes (STYLE: "the SQL is the abstraction"); this finds each literal that is a statement,
/// fills its interpolation holes the way the code does (constants such as column lists, <see cref="SqlServerDialect"/>
/// members, fragments passed to a shared loader) and expands Dapper's <c>IN @list</c>. A hole it cannot fill is
/// reported, never skipped, so a new kind of hole makes the check fail until it is taught here.
/// </summary>
public static partial class SqlSources
{
    [GeneratedRegex("(?<dollar>\\$*)\"\"\"(?<body>.*?)\"\"\"", RegexOptions.Singleline)]
    private static partial Regex RawLiteral();

    [GeneratedRegex("(?<dollar>\\$?)\"(?<body>(?:[^\"\\\\\\n]|\\\\.)*)\"")]
    private static partial Regex RegularLiteral();

    [GeneratedRegex(@"\{(?<expr>[^{}]+)\}")]
    private static partial Regex Hole();

    [GeneratedRegex(@"^\s*(?:(?:SELECT|INSERT|UPDATE|DELETE|MERGE|EXEC)\s|WITH\s+[A-Za-z_]|ALTER\s+DATABASE\s|DECLARE\s)")]
    private static partial Regex StatementStart();

    [GeneratedRegex(@"^\s*FROM\s")]
    private static partial Regex FragmentStart();

    [GeneratedRegex(@"^(?:(?:\w+\.)*(?<type>[A-Z]\w*)\.)?(?<name>[A-Za-z_]\w*)(?:\((?<args>[^()]*)\))?$")]
    private static partial Regex MemberCall();

    [GeneratedRegex(@"\b(?:var|string)\s+(?<name>\w+)\s*=\s*(?<expr>(?:db\.|w\.)?[Dd]ialect\.\w+\((?:[^;])*?\))\s*;", RegexOptions.Singleline)]
    private static partial Regex DialectVariable();

    [GeneratedRegex(@"^(?:db\.|w\.)?[Dd]ialect\.(?<member>\w+)$")]
    private static partial Regex DialectProperty();

    [GeneratedRegex(@"^(?:db\.|w\.)?[Dd]ialect\.(?<member>\w+)\((?<args>.*)\)$", RegexOptions.Singleline)]
    private static partial Regex DialectCall();

    [GeneratedRegex("\"(?<s>[^\"]*)\"")]
    private static partial Regex StringArgument();

    [GeneratedRegex(@"\bIN\s+@(?<name>\w+)")]
    private static partial Regex DapperList();

    private sealed record Literal(string File, int Line, int Index, bool Interpolated, string Body);

    private static readonly SqlServerDialect Dialect = new();

    /// <summary>Files whose SQL only ever runs on a SQLite file (the operator's backup and restore of it), not on SQL Server.</summary>
    private static readonly HashSet<string> SqliteOnly = new(StringComparer.Ordinal) { "api/Infrastructure/Data/Backups.cs" };

    /// <summary>The statements, and the holes that could not be filled (each "file(line): {hole}").</summary>
    public static (List<SqlStatement> Statements, List<string> Unresolved) Collect() => Collect(Repo.PathOf("api"));

    public static (List<SqlStatement> Statements, List<string> Unresolved) Collect(string apiFolder)
    {
        var files = Directory.EnumerateFiles(apiFolder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                        && !SqliteOnly.Contains(Path.GetRelativePath(Repo.Root, f).Replace('\\', '/')))
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => Path.GetRelativePath(Repo.Root, f).Replace('\\', '/'), File.ReadAllText);

        var literals = files.SelectMany(f => Literals(f.Key, f.Value)).ToList();
        var variables = files.ToDictionary(f => f.Key,
            f => DialectVariable().Matches(f.Value).GroupBy(m => m.Groups["name"].Value, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Last().Groups["expr"].Value, StringComparer.Ordinal));

        var statements = new List<SqlStatement>();
        var unresolved = new List<string>();
        foreach (var literal in literals)
        {
            var missing = new List<string>();
            var text = Render(literal, variables[literal.File], missing);
            if (!StatementStart().IsMatch(text)) continue;
            // A hole holding a fragment ("FROM … WHERE …") given to a shared loader: one statement per fragment of the file.
            if (missing is ["from"] && literals.Where(l => l.File == literal.File && FragmentStart().IsMatch(l.Body)).ToList() is { Count: > 0 } fragments)
            {
                foreach (var fragment in fragments)
                {
                    var filled = Render(fragment, variables[literal.File], unresolved);
                    statements.Add(new SqlStatement(literal.File, fragment.Line, ExpandLists(text.Replace($"{{{missing[0]}}}", filled))));
                }
                continue;
            }
            unresolved.AddRange(missing.Select(h => $"{literal.File}({literal.Line}): {{{h}}}"));
            if (missing.Count == 0) statements.Add(new SqlStatement(literal.File, literal.Line, ExpandLists(text)));
        }
        return (statements, unresolved);
    }

    private static IEnumerable<Literal> Literals(string file, string text)
    {
        var blanked = text.ToCharArray();
        foreach (Match m in RawLiteral().Matches(text))
        {
            yield return new Literal(file, LineOf(text, m.Index), m.Index, m.Groups["dollar"].Length > 0, m.Groups["body"].Value);
            for (var i = m.Index; i < m.Index + m.Length; i++) if (blanked[i] != '\n') blanked[i] = ' ';
        }
        var rest = new string(blanked);
        foreach (Match m in RegularLiteral().Matches(rest))
            yield return new Literal(file, LineOf(rest, m.Index), m.Index, m.Groups["dollar"].Length > 0, Unescape(m.Groups["body"].Value));
    }

    private static string Render(Literal literal, Dictionary<string, string> variables, List<string> missing)
    {
        if (!literal.Interpolated) return literal.Body;
        var type = ApiType(Path.GetFileNameWithoutExtension(literal.File));
        return Hole().Replace(literal.Body, m =>
        {
            var expr = m.Groups["expr"].Value.Trim();
            if (variables.TryGetValue(expr, out var variable)) expr = variable;
            var rendered = RenderDialect(expr) ?? RenderMember(type, expr);
            if (rendered is null && Samples.TryGetValue(expr, out var sample)) rendered = sample;
            if (rendered is not null) return rendered;
            missing.Add(m.Groups["expr"].Value);
            return m.Value;
        });
    }

    /// <summary>
    /// Holes filled by a caller elsewhere with a condition (documented at the parameter); one representative value each.
    /// </summary>
    private static readonly Dictionary<string, string> Samples = new(StringComparer.Ordinal)
    {
        ["where"] = "a.priority_id = @id", // AlignmentQueries: "a condition over alias a"
        ["Table"] = "agencies", // References: the table of the rows a request names (References.Agencies, …)
    };

    private static readonly Type[] ApiTypes = typeof(SqlDialect).Assembly.GetTypes();

    private static Type? ApiType(string name) => ApiTypes.FirstOrDefault(t => t.Name == name && !t.IsGenericTypeDefinition);

    /// <summary>A string constant (<c>Columns</c>, <c>PriorityQueries.Columns</c>) or a static method of string arguments
    /// (<c>ObservationColumnsOf("o")</c>) of the file's class or the named class, evaluated by reflection.</summary>
    private static string? RenderMember(Type? fileType, string expr)
    {
        var call = MemberCall().Match(expr);
        if (!call.Success) return null;
        var owner = call.Groups["type"].Success ? ApiType(call.Groups["type"].Value) : fileType;
        if (owner is null) return null;
        const BindingFlags all = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        var name = call.Groups["name"].Value;
        if (!call.Groups["args"].Success)
            return owner.GetField(name, all) is { IsLiteral: true } field ? field.GetRawConstantValue() as string : null;
        return InvokeStringMethod(owner, null, name, call.Groups["args"].Value);
    }

    /// <summary>Calls <paramref name="name"/> of <paramref name="owner"/> (static when <paramref name="target"/> is null)
    /// with the string literals of <paramref name="arguments"/>, when a method of that many string parameters returns one.</summary>
    private static string? InvokeStringMethod(Type owner, object? target, string name, string arguments)
    {
        var args = StringArgument().Matches(arguments).Select(a => (object)a.Groups["s"].Value).ToArray();
        var flags = BindingFlags.Public | BindingFlags.NonPublic | (target is null ? BindingFlags.Static : BindingFlags.Instance);
        var method = owner.GetMethods(flags).FirstOrDefault(x => x.Name == name && x.ReturnType == typeof(string)
            && x.GetParameters().Length == args.Length && x.GetParameters().All(p => p.ParameterType == typeof(string)));
        return method?.Invoke(target, args) as string;
    }

    /// <summary>A <see cref="SqlServerDialect"/> property, or a call of a dialect method with literal arguments.</summary>
    private static string? RenderDialect(string expr)
    {
        if (DialectProperty().Match(expr) is { Success: true } p)
            return typeof(SqlServerDialect).GetProperty(p.Groups["member"].Value)?.GetValue(Dialect) as string;
        if (DialectCall().Match(expr) is { Success: true } call && call.Groups["member"].Value == nameof(SqlDialect.JsonRows))
        {
            var args = StringArgument().Matches(call.Groups["args"].Value).Select(a => a.Groups["s"].Value).ToList();
            var columns = args.Skip(1).Chunk(2).Select(c => (c[0], c[1])).ToArray();
            return Dialect.JsonRows(args[0], columns);
        }
        // Any other dialect method of string arguments (e.g. OnConflictDoNothing("key columns")).
        return DialectCall().Match(expr) is { Success: true } other
            ? InvokeStringMethod(typeof(SqlServerDialect), Dialect, other.Groups["member"].Value, other.Groups["args"].Value)
            : null;
    }

    /// <summary>Dapper expands <c>IN @ids</c> to <c>IN (@ids1, @ids2, …)</c> when it sends the command.</summary>
    private static string ExpandLists(string sql) => DapperList().Replace(sql, m => $"IN (@{m.Groups["name"].Value}1, @{m.Groups["name"].Value}2)");

    private static string Unescape(string s) => s.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;
}
