using Csp.Api.Tests.Infrastructure;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Csp.Api.Tests.Sql;

/// <summary>
/// The row-level security the SQL Server migrations leave in force, read with ScriptDom in script order: each security
/// policy's predicates (CREATE, ALTER ... ADD / DROP, DROP SECURITY POLICY) and each predicate function's latest
/// definition (CREATE, ALTER, CREATE OR ALTER).
/// </summary>
public sealed class RowLevelSecurity : TSqlFragmentVisitor
{
    public Dictionary<string, List<SecurityPredicateAction>> Policies { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, FunctionStatementBody> Functions { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static RowLevelSecurity FromMigrations() => FromScripts(Migrations().Select(m => m.Script));

    public static RowLevelSecurity FromScripts(IEnumerable<string> scripts)
    {
        var rls = new RowLevelSecurity();
        foreach (var script in scripts) SqlServerSchema.Parse(script).Fragment.Accept(rls);
        return rls;
    }

    /// <summary>The SQL Server migrations in the order DbUp applies them.</summary>
    public static List<(string Name, string Script)> Migrations() =>
        Directory.EnumerateFiles(Repo.PathOf("db", "sqlserver"), "*.sql").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllText(f))).ToList();

    public static string Name(SchemaObjectName name) => $"{name.SchemaIdentifier?.Value ?? "dbo"}.{name.BaseIdentifier.Value}";

    public static string FunctionName(FunctionCall call) =>
        call.CallTarget is MultiPartIdentifierCallTarget target
            ? $"{string.Join('.', target.MultiPartIdentifier.Identifiers.Select(i => i.Value))}.{call.FunctionName.Value}"
            : call.FunctionName.Value;

    /// <summary>The SQL text of a fragment, as written.</summary>
    public static string Text(TSqlFragment f) =>
        string.Concat(Enumerable.Range(f.FirstTokenIndex, f.LastTokenIndex - f.FirstTokenIndex + 1).Select(i => f.ScriptTokenStream[i].Text));

    public override void ExplicitVisit(CreateSecurityPolicyStatement node) => Policies[Name(node.Name)] = [.. node.SecurityPredicateActions];

    public override void ExplicitVisit(AlterSecurityPolicyStatement node)
    {
        if (!Policies.TryGetValue(Name(node.Name), out var predicates)) return;
        foreach (var action in node.SecurityPredicateActions)
        {
            if (action.ActionType != SecurityPredicateActionType.Create)
                predicates.RemoveAll(p => p.SecurityPredicateType == action.SecurityPredicateType
                                          && p.SecurityPredicateOperation == action.SecurityPredicateOperation
                                          && string.Equals(Name(p.TargetObjectName), Name(action.TargetObjectName), StringComparison.OrdinalIgnoreCase));
            if (action.ActionType != SecurityPredicateActionType.Drop) predicates.Add(action);
        }
    }

    public override void ExplicitVisit(DropSecurityPolicyStatement node)
    {
        foreach (var name in node.Objects) Policies.Remove(Name(name));
    }

    public override void ExplicitVisit(CreateFunctionStatement node) => Functions[Name(node.Name)] = node;

    public override void ExplicitVisit(AlterFunctionStatement node) => Functions[Name(node.Name)] = node;

    public override void ExplicitVisit(CreateOrAlterFunctionStatement node) => Functions[Name(node.Name)] = node;

    /// <summary>The WHERE of an inline predicate function (<c>RETURN SELECT 1 AS access WHERE …</c>).</summary>
    public static BooleanExpression Where(FunctionStatementBody function) =>
        (function.ReturnType as SelectFunctionReturnType)?.SelectStatement.QueryExpression is QuerySpecification { WhereClause: { } where }
            ? where.SearchCondition
            : throw new InvalidOperationException($"{Name(function.Name)} is not an inline function returning SELECT … WHERE.");

    /// <summary>
    /// The ways a predicate grants access, each an equality of a session context key with a parameter or a literal
    /// ("PartnershipId = @partnership_id", "CspScope = 'platform'"), and what stops it from denying a NULL context.
    /// </summary>
    /// <remarks>
    /// A WHERE keeps a row only when its condition is TRUE. An equality with a NULL operand is UNKNOWN, never TRUE, and an
    /// OR of branches that are each UNKNOWN is UNKNOWN. So a predicate that is an OR of such equalities, with nothing that
    /// turns NULL into a value (IS NULL, NOT, ISNULL, COALESCE, NULLIF, IIF, CASE, a NULL literal), grants nothing to a
    /// connection whose session context holds none of the keys.
    /// </remarks>
    public static (List<string> Grants, List<string> Problems) Analyse(BooleanExpression where)
    {
        var problems = new NullTurners();
        where.Accept(problems);
        var grants = new List<string>();
        foreach (var branch in Branches(where))
        {
            if (branch is BooleanComparisonExpression { ComparisonType: BooleanComparisonType.Equals } equality
                && (SessionKey(equality.FirstExpression), SessionKey(equality.SecondExpression)) is var (first, second)
                && (first is null) != (second is null)
                && Operand(first is null ? equality.FirstExpression : equality.SecondExpression) is { } other)
                grants.Add($"{first ?? second} = {other}");
            else
                problems.Found.Add($"a branch that is not an equality of one session context key with a parameter or literal: {Text(branch)}");
        }
        return (grants, problems.Found);
    }

    private static IEnumerable<BooleanExpression> Branches(BooleanExpression e) => e switch
    {
        BooleanParenthesisExpression p => Branches(p.Expression),
        BooleanBinaryExpression { BinaryExpressionType: BooleanBinaryExpressionType.Or } or => Branches(or.FirstExpression).Concat(Branches(or.SecondExpression)),
        _ => [e],
    };

    /// <summary>The key of the SESSION_CONTEXT(N'key') an operand reads (through CASTs), else null.</summary>
    private static string? SessionKey(ScalarExpression e) => e switch
    {
        ParenthesisExpression p => SessionKey(p.Expression),
        CastCall cast => SessionKey(cast.Parameter),
        ConvertCall convert => SessionKey(convert.Parameter),
        FunctionCall { FunctionName.Value: var name, Parameters: [StringLiteral key] }
            when name.Equals("SESSION_CONTEXT", StringComparison.OrdinalIgnoreCase) => key.Value,
        _ => null,
    };

    private static string? Operand(ScalarExpression e) => e switch
    {
        VariableReference v => v.Name,
        StringLiteral s => $"'{s.Value}'",
        _ => null,
    };

    private sealed class NullTurners : TSqlFragmentVisitor
    {
        public List<string> Found { get; } = [];

        public override void Visit(BooleanIsNullExpression node) => Found.Add($"IS NULL: {Text(node)}");
        public override void Visit(BooleanNotExpression node) => Found.Add($"NOT: {Text(node)}");
        public override void Visit(NullLiteral node) => Found.Add($"a NULL literal: {Text(node)}");
        public override void Visit(CoalesceExpression node) => Found.Add($"COALESCE: {Text(node)}");
        public override void Visit(NullIfExpression node) => Found.Add($"NULLIF: {Text(node)}");
        public override void Visit(IIfCall node) => Found.Add($"IIF: {Text(node)}");
        public override void Visit(CaseExpression node) => Found.Add($"CASE: {Text(node)}");

        public override void Visit(FunctionCall node)
        {
            if (node.FunctionName.Value.Equals("ISNULL", StringComparison.OrdinalIgnoreCase)) Found.Add($"ISNULL: {Text(node)}");
        }
    }

    /// <summary>The session context keys an <c>EXEC sp_set_session_context …</c> batch sets: key → (value, read-only).</summary>
    public static Dictionary<string, (string Value, bool ReadOnly)> SessionKeysSet(string sql)
    {
        var (fragment, errors) = SqlServerSchema.Parse(sql);
        if (errors.Count > 0) throw new InvalidOperationException(errors[0].Message);
        var set = new Dictionary<string, (string, bool)>(StringComparer.OrdinalIgnoreCase);
        foreach (var exec in ((TSqlScript)fragment).Batches.SelectMany(b => b.Statements).OfType<ExecuteStatement>())
        {
            if (exec.ExecuteSpecification.ExecutableEntity is not ExecutableProcedureReference
                {
                    ProcedureReference.ProcedureReference.Name.BaseIdentifier.Value: var procedure,
                } call
                || !procedure.Equals("sp_set_session_context", StringComparison.OrdinalIgnoreCase)) continue;
            string? Argument(string name) => call.Parameters.FirstOrDefault(p => p.Variable?.Name.Equals(name, StringComparison.OrdinalIgnoreCase) == true)
                ?.ParameterValue is { } v ? Operand(v) ?? Text(v) : null;
            set[Argument("@key")!.Trim('\'')] = (Argument("@value")!, Argument("@read_only") == "1");
        }
        return set;
    }

    /// <summary>
    /// Statements of <paramref name="scripts"/> that read or write a row of a tenant-owned table before their script has
    /// set the platform marker: under the default-deny policy they would see, or change, nothing.
    /// </summary>
    public static List<string> UnmarkedDataAccess(IEnumerable<(string Name, string Script)> scripts, IReadOnlySet<string> tenantTables)
    {
        var problems = new List<string>();
        foreach (var (name, script) in scripts)
        {
            var marked = false;
            foreach (var statement in ((TSqlScript)SqlServerSchema.Parse(script).Fragment).Batches.SelectMany(b => b.Statements))
            {
                if (statement is ExecuteStatement && SessionKeysSet(Text(statement)).TryGetValue("CspScope", out var scope) && scope.Value == "'platform'")
                    marked = true;
                // A view's, function's, procedure's or trigger's body runs later, on its caller's connection.
                if (marked || statement is ViewStatementBody or FunctionStatementBody or ProcedureStatementBody or TriggerStatementBody) continue;
                var tables = new TablesRead();
                statement.Accept(tables);
                foreach (var table in tables.Names.Where(tenantTables.Contains).Distinct(StringComparer.OrdinalIgnoreCase))
                    problems.Add($"{name}: '{Text(statement).Split('\n')[0].Trim()}' touches {table} before the platform marker");
            }
        }
        return problems;
    }

    private sealed class TablesRead : TSqlFragmentVisitor
    {
        public List<string> Names { get; } = [];

        public override void Visit(NamedTableReference node) => Names.Add(node.SchemaObject.BaseIdentifier.Value);
    }
}
