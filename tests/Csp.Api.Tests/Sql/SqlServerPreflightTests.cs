using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Sql;

/// <summary>What SQL Server must be set to before the migrations run, so that it compares text like SQLite and its readers do
/// not wait for writers (SqlServerPreflight). The SQL itself is parsed and schema-checked with every other statement.</summary>
public sealed class SqlServerPreflightTests
{
    [Theory]
    [InlineData("Latin1_General_100_BIN2_UTF8", 0)]
    [InlineData("Latin1_General_BIN", 0)]
    public void A_binary_collation_is_accepted(string collation, int comparisonStyle) =>
        Assert.Null(SqlServerPreflight.Problem(new SqlServerPreflight.Settings(collation, comparisonStyle, ReadCommittedSnapshot: false)));

    [Theory]
    [InlineData("SQL_Latin1_General_CP1_CI_AS", 196609)] // the usual server default: ignore case, kana and width
    [InlineData("Latin1_General_100_CS_AS", 196608)]     // case-sensitive, but 'ａ' (full width) = 'a'
    [InlineData("Latin1_General_100_CS_AI", 196610)]     // 'é' = 'e'
    public void A_collation_that_equates_different_text_is_refused_with_the_fix(string collation, int comparisonStyle)
    {
        var problem = SqlServerPreflight.Problem(new SqlServerPreflight.Settings(collation, comparisonStyle, ReadCommittedSnapshot: true));

        Assert.NotNull(problem);
        Assert.Contains(collation, problem, StringComparison.Ordinal);
        Assert.Contains($"COLLATE {SqlServerPreflight.Collation}", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(120, false)]
    [InlineData(130, true)]
    [InlineData(160, true)]
    public void OPENJSON_needs_compatibility_level_130(int level, bool usable)
    {
        var problem = SqlServerPreflight.Problem(new SqlServerPreflight.Settings("Latin1_General_100_BIN2_UTF8", 0, true, level));

        Assert.Equal(usable, problem is null);
        if (!usable) Assert.Contains("COMPATIBILITY_LEVEL", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_migrator_creates_a_SqlServer_database_binary_and_checks_it_before_any_script()
    {
        var migrator = File.ReadAllText(Repo.PathOf("api", "Infrastructure", "Data", "Migrator.cs"));

        var ensure = migrator.IndexOf("EnsureDatabase.For.SqlDatabase(connectionString, new DbUpLogger(logger), collation: SqlServerPreflight.Collation)",
            StringComparison.Ordinal);
        var preflight = migrator.IndexOf("SqlServerPreflight.Run(connectionString, logger)", StringComparison.Ordinal);
        var upgrade = migrator.IndexOf("PerformUpgrade()", StringComparison.Ordinal);
        Assert.True(ensure >= 0 && preflight > ensure && upgrade > preflight, "create (binary) → preflight → scripts");
    }

    [Fact]
    public void The_SqlServer_suite_creates_its_databases_with_the_same_collation()
    {
        var suite = File.ReadAllText(Repo.PathOf("tests", "Csp.Api.SqlServer.Tests", "SuiteDatabase.cs"));

        Assert.Contains("COLLATE {SqlServerPreflight.Collation}", suite, StringComparison.Ordinal);
    }
}
