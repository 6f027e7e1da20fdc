using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Tests.Sql;

/// <summary>A command <see cref="RecordingDataSource"/> was asked to run: its text, its parameters, and whether it ran in a transaction.</summary>
public sealed record RecordedCommand(string Text, IReadOnlyDictionary<string, object?> Parameters, bool InTransaction);

/// <summary>
/// An ADO.NET data source that runs nothing and records every command, so what <c>Db</c> sends on SQL Server (the dialect's
/// scoping and locking statements, in order, in or out of the transaction) can be checked without a server.
/// </summary>
public sealed class RecordingDataSource : DbDataSource
{
    public List<RecordedCommand> Commands { get; } = [];

    public override string ConnectionString => "recording";

    protected override DbConnection CreateDbConnection() => new Connection(this);

    private sealed class Connection(RecordingDataSource source) : DbConnection
    {
        private ConnectionState state;

        [System.Diagnostics.CodeAnalysis.AllowNull]
        public override string ConnectionString { get; set; } = "recording";
        public override string Database => "recording";
        public override string DataSource => "recording";
        public override string ServerVersion => "0";
        public override ConnectionState State => state;
        public override void ChangeDatabase(string databaseName) { }
        public override void Close() => state = ConnectionState.Closed;
        public override void Open() => state = ConnectionState.Open;
        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => new Transaction(this);
        protected override DbCommand CreateDbCommand() => new Command(source) { Connection = this };
    }

    private sealed class Transaction(DbConnection connection) : DbTransaction
    {
        public override IsolationLevel IsolationLevel => IsolationLevel.ReadCommitted;
        protected override DbConnection DbConnection => connection;
        public override void Commit() { }
        public override void Rollback() { }
    }

    private sealed class Command(RecordingDataSource source) : DbCommand
    {
        // A real collection to hold what Dapper adds; SqliteCommand's is as good as any.
        private readonly SqliteCommand holder = new();

        [System.Diagnostics.CodeAnalysis.AllowNull]
        public override string CommandText { get; set; } = "";
        public override int CommandTimeout { get; set; }
        public override CommandType CommandType { get; set; }
        public override bool DesignTimeVisible { get; set; }
        public override UpdateRowSource UpdatedRowSource { get; set; }
        protected override DbConnection? DbConnection { get; set; }
        protected override DbParameterCollection DbParameterCollection => holder.Parameters;
        protected override DbTransaction? DbTransaction { get; set; }
        public override void Cancel() { }
        protected override DbParameter CreateDbParameter() => new SqliteParameter();
        public override void Prepare() { }

        public override int ExecuteNonQuery()
        {
            source.Commands.Add(new RecordedCommand(CommandText,
                holder.Parameters.Cast<DbParameter>().ToDictionary(p => p.ParameterName.TrimStart('@'), p => p.Value), DbTransaction is not null));
            return 0;
        }

        public override object? ExecuteScalar() => ExecuteNonQuery();

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) =>
            throw new NotSupportedException("The recording source runs no queries.");
    }
}
