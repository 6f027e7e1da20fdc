using Csp.Api.Infrastructure.Data;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Csp.Api.Tests.Sql;

/// <summary>
/// The row-level security the SQL Server migrations leave in force, checked without a server: the policy covers every
/// tenant-owned table, its predicate denies a connection with no session context, the dialect sets exactly the keys the
/// predicate reads, and no migration reads or writes tenant rows without the platform marker.
/// </summary>
public sealed class RowLevelSecurityTests
{
    private const string Policy = "rls.partnership_isolation";
    private const string Predicate = "rls.partnership_access";

    /// <summary>The first script after which a connection with no session context sees nothing.</summary>
    private const string DefaultDeny = "0006_row_level_security_default_deny.sql";

    private static readonly string[] ExpectedGrants = ["PartnershipId = @partnership_id", "CspScope = 'platform'"];

    private static HashSet<string> TenantOwnedTables() =>
        SqlServerSchema.FromMigrations().Tables.Where(t => t.Value.Contains("partnership_id")).Select(t => t.Key).Append("partnerships")
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void The_policy_in_force_after_every_migration_filters_and_blocks_every_tenant_owned_table_with_the_predicate()
    {
        var rls = RowLevelSecurity.FromMigrations();

        Assert.True(rls.Policies.TryGetValue(Policy, out var predicates), $"No {Policy} after the migrations.");
        foreach (var type in new[] { SecurityPredicateType.Filter, SecurityPredicateType.Block })
        {
            var covered = predicates!.Where(p => p.SecurityPredicateType == type)
                .Select(p => p.TargetObjectName.BaseIdentifier.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var missing = TenantOwnedTables().Where(t => !covered.Contains(t)).Order().ToList();
            Assert.True(missing.Count == 0, $"No {type} predicate on: {string.Join(", ", missing)}");
        }
        Assert.All(predicates!, p => Assert.Equal(Predicate, RowLevelSecurity.FunctionName(p.FunctionCall), ignoreCase: true));
    }

    [Fact]
    public void The_policy_reader_follows_drops_and_alters_in_script_order()
    {
        var rls = RowLevelSecurity.FromScripts([
            "CREATE SECURITY POLICY rls.p ADD FILTER PREDICATE rls.f(id) ON dbo.partnerships, ADD FILTER PREDICATE rls.f(partnership_id) ON dbo.agencies;",
            "ALTER SECURITY POLICY rls.p DROP FILTER PREDICATE ON dbo.agencies;",
            "DROP SECURITY POLICY rls.q;",
        ]);
        Assert.Equal(["partnerships"], rls.Policies["rls.p"].Select(p => p.TargetObjectName.BaseIdentifier.Value));

        var dropped = RowLevelSecurity.FromScripts(["CREATE SECURITY POLICY rls.p ADD FILTER PREDICATE rls.f(id) ON dbo.partnerships;", "DROP SECURITY POLICY rls.p;"]);
        Assert.Empty(dropped.Policies);
    }

    [Fact]
    public void The_predicate_in_force_denies_a_connection_with_no_session_context()
    {
        var function = RowLevelSecurity.FromMigrations().Functions[Predicate];

        var (grants, problems) = RowLevelSecurity.Analyse(RowLevelSecurity.Where(function));

        Assert.True(problems.Count == 0, $"{Predicate} can grant access without a session context:\n{string.Join("\n", problems)}");
        Assert.Equal(ExpectedGrants.Order(), grants.Order());
    }

    [Fact]
    public void The_check_rejects_the_0005_predicate_that_let_a_NULL_context_see_everything()
    {
        var first = RowLevelSecurity.FromScripts(RowLevelSecurity.Migrations().TakeWhile(m => string.CompareOrdinal(m.Name, DefaultDeny) < 0)
            .Select(m => m.Script)).Functions[Predicate];

        var (_, problems) = RowLevelSecurity.Analyse(RowLevelSecurity.Where(first));

        Assert.Contains(problems, p => p.StartsWith("IS NULL: SESSION_CONTEXT(N'PartnershipId') IS NULL", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("a branch that is not an equality", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ISNULL(CAST(SESSION_CONTEXT(N'CspScope') AS NVARCHAR(16)), N'platform') = N'platform'", "ISNULL")]
    [InlineData("COALESCE(CAST(SESSION_CONTEXT(N'PartnershipId') AS UNIQUEIDENTIFIER), @partnership_id) = @partnership_id", "COALESCE")]
    [InlineData("NOT (CAST(SESSION_CONTEXT(N'CspScope') AS NVARCHAR(16)) <> N'platform')", "NOT")]
    [InlineData("@partnership_id = CAST(SESSION_CONTEXT(N'PartnershipId') AS UNIQUEIDENTIFIER) OR 1 = 1", "a branch that is not an equality")]
    [InlineData("CASE WHEN SESSION_CONTEXT(N'PartnershipId') IS NULL THEN 1 ELSE 0 END = 1", "CASE")]
    public void The_check_rejects_predicates_that_turn_a_NULL_context_into_access(string where, string expected)
    {
        var function = RowLevelSecurity.FromScripts([$"""
            CREATE FUNCTION rls.partnership_access(@partnership_id UNIQUEIDENTIFIER) RETURNS TABLE WITH SCHEMABINDING AS
            RETURN SELECT 1 AS access WHERE {where};
            """]).Functions[Predicate];

        var (_, problems) = RowLevelSecurity.Analyse(RowLevelSecurity.Where(function));

        Assert.Contains(problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void The_dialect_sets_the_keys_the_predicate_reads_read_only()
    {
        var dialect = new SqlServerDialect();

        var platform = RowLevelSecurity.SessionKeysSet(dialect.ScopeToPlatform!);
        var partnership = RowLevelSecurity.SessionKeysSet(dialect.ScopeToPartnership!);

        // The platform marker is the value the predicate's platform branch compares with.
        Assert.Equal(("'platform'", true), Assert.Single(platform, k => k.Key == "CspScope").Value);
        Assert.DoesNotContain("PartnershipId", platform.Keys);
        Assert.Contains("CspScope = 'platform'", ExpectedGrants);
        // A partnership's connection carries its partnership, and a scope that is NOT the marker, both for good.
        Assert.Equal(("@PartnershipId", true), partnership["PartnershipId"]);
        Assert.True(partnership["CspScope"] is { ReadOnly: true } scope && scope.Value != "'platform'",
            $"A partnership's connection must lock CspScope to something other than the platform marker, not {partnership["CspScope"]}.");
    }

    [Fact]
    public void No_migration_touches_tenant_rows_without_the_platform_marker_once_access_is_denied_by_default()
    {
        var since = RowLevelSecurity.Migrations().Where(m => string.CompareOrdinal(m.Name, DefaultDeny) >= 0).ToList();

        Assert.Equal(DefaultDeny, since[0].Name);
        var problems = RowLevelSecurity.UnmarkedDataAccess(since, TenantOwnedTables());
        Assert.True(problems.Count == 0, "Set the platform marker at the top of the script (see 0006's header):\n" + string.Join("\n", problems));
    }

    [Fact]
    public void The_marker_check_finds_a_data_fix_that_runs_before_the_marker()
    {
        const string marker = "EXEC sp_set_session_context @key = N'CspScope', @value = N'platform';";
        const string fix = "UPDATE agencies SET name = N'Met' WHERE code = N'MET';";
        var tenantTables = TenantOwnedTables();

        Assert.Single(RowLevelSecurity.UnmarkedDataAccess([("0007_fix.sql", fix)], tenantTables));
        Assert.Single(RowLevelSecurity.UnmarkedDataAccess([("0007_fix.sql", fix + "\nGO\n" + marker)], tenantTables));
        Assert.Single(RowLevelSecurity.UnmarkedDataAccess([("0007_fix.sql", "IF EXISTS (SELECT 1 FROM plans) PRINT 'x';")], tenantTables));
        Assert.Empty(RowLevelSecurity.UnmarkedDataAccess([("0007_fix.sql", marker + "\nGO\n" + fix)], tenantTables));
        Assert.Empty(RowLevelSecurity.UnmarkedDataAccess([("0007_view.sql", "CREATE VIEW dbo.v AS SELECT id FROM dbo.agencies;")], tenantTables));
        Assert.Empty(RowLevelSecurity.UnmarkedDataAccess([("0007_journal.sql", "UPDATE SchemaVersions SET ScriptName = ScriptName;")], tenantTables));
    }
}
