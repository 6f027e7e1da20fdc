using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Tests.Sql;

/// <summary>
/// On SQL Server every write transaction of a partnership first takes that partnership's write turn (an application lock
/// owned by the transaction), as SQLite lets one writer at a time at the file: reads and platform work do not.
/// What Db sends is recorded without a server; the lock's behaviour under concurrency is in the SQL Server suite.
/// </summary>
public sealed class WriteTurnSqlServerTests
{
    private static readonly Tenant Tenant = new(Guid.CreateVersion7(), "t", "E09000028", false, Caller.Anonymous);

    private static (Db Db, RecordingDataSource Source) SqlServerDb()
    {
        var source = new RecordingDataSource();
        return (new Db(source, new SqlServerDialect(), "recording"), source);
    }

    [Fact]
    public async Task A_partnership_write_scopes_its_connection_then_takes_the_partnerships_turn_inside_its_transaction()
    {
        var (db, source) = SqlServerDb();

        await (await db.BeginWriteAsync(Tenant, CancellationToken.None)).DisposeAsync();

        var command = Assert.Single(source.Commands);
        Assert.True(command.InTransaction);
        // (the recording parameters are SQLite's, which the type handlers give text)
        Assert.Equal(Tenant.PartnershipId.ToString("D"), command.Parameters["PartnershipId"]?.ToString());
        var scope = command.Text.IndexOf("sp_set_session_context @key = N'PartnershipId'", StringComparison.Ordinal);
        var turn = command.Text.IndexOf("sp_getapplock", StringComparison.Ordinal);
        Assert.True(scope >= 0 && turn > scope, command.Text);
        Assert.Contains("@LockOwner = N'Transaction'", command.Text, StringComparison.Ordinal);
        Assert.Contains("N'csp/partnership/' + CONVERT(nvarchar(36), @PartnershipId)", command.Text, StringComparison.Ordinal);
        Assert.Contains("THROW", command.Text, StringComparison.Ordinal); // a turn not granted is an error, never a write without it
    }

    [Fact]
    public async Task Reads_and_platform_writes_take_no_partnership_turn()
    {
        var (db, source) = SqlServerDb();

        await (await db.OpenAsync(Tenant, CancellationToken.None)).DisposeAsync();
        await (await db.BeginPlatformWriteAsync(CancellationToken.None)).DisposeAsync();

        Assert.Equal(2, source.Commands.Count);
        Assert.All(source.Commands, command => Assert.DoesNotContain("sp_getapplock", command.Text, StringComparison.Ordinal));
        Assert.False(source.Commands[0].InTransaction);
        Assert.True(source.Commands[1].InTransaction);
        Assert.Contains("N'platform'", source.Commands[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void SQLite_needs_no_statement_for_it()
    {
        Assert.Null(new SqliteDialect().TakePartnershipWriteTurn);
        Assert.Null(new SqliteDialect().ScopeToPartnership);
    }
}
