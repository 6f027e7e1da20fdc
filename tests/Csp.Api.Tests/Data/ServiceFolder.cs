using Microsoft.Data.Sqlite;

namespace Csp.Api.Tests.Data;

/// <summary>A folder for a real service's SQLite file (<see cref="Infrastructure.LiveService"/>), read straight from the file, and
/// deleted at the end.</summary>
public sealed class ServiceFolder(string name) : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), name, Guid.NewGuid().ToString("N"));

    public long Scalar(string sql) => Read(sql) is long n ? n : 0;

    public string? Text(string sql) => Read(sql) as string;

    private object? Read(string sql)
    {
        using var c = new SqliteConnection($"Data Source={System.IO.Path.Combine(Path, "csp.db")};Pooling=False");
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    // (Its connections are not pooled, so no pool needs clearing: clearing every pool of the process would pull connections
    // from under tests running beside it.)
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
