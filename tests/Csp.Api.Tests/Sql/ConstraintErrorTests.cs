using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace Csp.Api.Tests.Sql;

/// <summary>
/// SQL Server reports every constraint conflict as error 547, a CHECK as much as a FOREIGN KEY; the dialect tells a foreign
/// key from the constraint name the message quotes, which holds only while the migrations name foreign keys FK_… and
/// nothing else so.
/// </summary>
public sealed class ConstraintErrorTests
{
    [Theory]
    [InlineData("The DELETE statement conflicted with the REFERENCE constraint \"FK_clients_agencies\". The conflict occurred in database \"Csp\", table \"dbo.clients\", column 'agency_id'.", true)]
    [InlineData("The INSERT statement conflicted with the FOREIGN KEY constraint \"FK_commitments_agencies\". The conflict occurred in database \"Csp\", table \"dbo.agencies\".", true)]
    [InlineData("Die DELETE-Anweisung steht in Konflikt mit der REFERENCE-Einschränkung \"FK_clients_agencies\".", true)]
    [InlineData("The INSERT statement conflicted with the CHECK constraint \"CK_alignments_one_target\". The conflict occurred in database \"Csp\", table \"dbo.alignments\".", false)]
    public void A_547_is_a_foreign_key_violation_only_when_it_names_a_foreign_key(string message, bool foreignKey) =>
        Assert.Equal(foreignKey, SqlServerDialect.NamesForeignKey(message));

    [Fact]
    public void Every_SqlServer_constraint_named_FK_is_a_foreign_key_and_every_foreign_key_is_named_so()
    {
        var constraints = new Constraints();
        foreach (var file in Directory.EnumerateFiles(Repo.PathOf("db", "sqlserver"), "*.sql"))
            SqlServerSchema.Parse(File.ReadAllText(file)).Fragment.Accept(constraints);

        Assert.True(constraints.ForeignKeys.Count > 20, $"Only {constraints.ForeignKeys.Count} foreign keys found.");
        Assert.All(constraints.ForeignKeys, name => Assert.StartsWith("FK_", name, StringComparison.Ordinal));
        Assert.All(constraints.Others, name => Assert.False(name.StartsWith("FK_", StringComparison.Ordinal), name));
        Assert.Contains("CK_alignments_one_target", constraints.Others);
    }

    private sealed class Constraints : TSqlFragmentVisitor
    {
        public List<string> ForeignKeys { get; } = [];
        public List<string> Others { get; } = [];

        public override void Visit(ConstraintDefinition node)
        {
            var name = node.ConstraintIdentifier?.Value ?? "(unnamed)";
            (node is ForeignKeyConstraintDefinition ? ForeignKeys : Others).Add(name);
        }
    }
}
