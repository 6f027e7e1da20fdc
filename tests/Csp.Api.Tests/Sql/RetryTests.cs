using System.Data.Common;
using Csp.Api.Infrastructure.Data;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Tests.Sql;

public sealed class RetryTests
{
    /// <summary>Stands in for SqlException, which cannot be constructed outside SqlClient.</summary>
    private sealed class FakeSqlException(int number) : DbException($"SQL error {number}")
    {
        public int Number { get; } = number;
    }

    private static IEnumerable<int> Numbers(DbException e) => e is FakeSqlException f ? [f.Number] : [];

    [Theory]
    [InlineData(1205)]
    [InlineData(-2)]
    [InlineData(4060)]
    [InlineData(40197)]
    [InlineData(40501)]
    [InlineData(40613)]
    [InlineData(49918)]
    [InlineData(49919)]
    [InlineData(49920)]
    [InlineData(10928)]
    [InlineData(10929)]
    public void Deadlocks_failovers_throttling_and_timeouts_are_transient(int number) =>
        Assert.True(Retry.IsTransient(new FakeSqlException(number), Numbers));

    [Theory]
    [InlineData(2627)] // unique violation
    [InlineData(547)]  // foreign key
    [InlineData(208)]  // invalid object name
    [InlineData(0)]
    public void Other_errors_are_not(int number) => Assert.False(Retry.IsTransient(new FakeSqlException(number), Numbers));

    [Fact]
    public void Non_database_and_SQLite_errors_are_not_transient()
    {
        Assert.False(Retry.IsTransient(new InvalidOperationException("x")));
        Assert.False(Retry.IsTransient(new SqliteException("busy", 5)));
        Assert.False(Retry.IsTransient(new FakeSqlException(1205))); // the default reads SqlException only
    }

    [Fact]
    public async Task A_transient_failure_is_retried_until_it_succeeds()
    {
        var calls = 0;
        var result = await Retry.TransientAsync(_ =>
        {
            calls++;
            return calls < 3 ? throw new FakeSqlException(1205) : Task.FromResult(42);
        }, e => Retry.IsTransient(e, Numbers), attempts: 4, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(42, result);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_permanent_failure_is_not_retried()
    {
        var calls = 0;
        await Assert.ThrowsAsync<FakeSqlException>(() => Retry.TransientAsync<int>(_ =>
        {
            calls++;
            throw new FakeSqlException(2627);
        }, e => Retry.IsTransient(e, Numbers), attempts: 4, TimeSpan.Zero, CancellationToken.None));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task The_last_transient_failure_is_thrown_after_the_attempts_run_out()
    {
        var calls = 0;
        var e = await Assert.ThrowsAsync<FakeSqlException>(() => Retry.TransientAsync<int>(_ =>
        {
            calls++;
            throw new FakeSqlException(40613);
        }, x => Retry.IsTransient(x, Numbers), attempts: 3, TimeSpan.Zero, CancellationToken.None));

        Assert.Equal(3, calls);
        Assert.Equal(40613, e.Number);
    }

    [Fact]
    public async Task Cancellation_stops_the_retries()
    {
        using var cts = new CancellationTokenSource();
        var calls = 0;
        await Assert.ThrowsAnyAsync<Exception>(() => Retry.TransientAsync<int>(_ =>
        {
            calls++;
            cts.Cancel();
            throw new FakeSqlException(1205);
        }, x => Retry.IsTransient(x, Numbers), attempts: 4, TimeSpan.FromSeconds(30), cts.Token));

        Assert.Equal(1, calls);
    }
}
