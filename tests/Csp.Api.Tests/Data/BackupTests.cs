using System.Diagnostics;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Tests.Data;

/// <summary>The operator's <c>backup FILE</c> and <c>restore FILE</c> commands, run as an operator runs them: the service's own
/// executable with the command, beside (backup) or instead of (restore) the running service.</summary>
public sealed class BackupTests : IDisposable
{
    private const string Police = "csp_demopolice_southwark-demo-met-feed-key-not-secret";
    private readonly string root = Path.Combine(Path.GetTempPath(), "csp-backup", Guid.NewGuid().ToString("N"));

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(root, name)).FullName;

    private static async Task<(int Exit, string Output)> CommandAsync(string databaseFolder, params string[] args)
    {
        var assembly = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.ArgumentList.Add(assembly);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Csp"] = $"Data Source={Path.Combine(databaseFolder, "csp.db")}";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output + await error);
    }

    /// <summary>Every table's rows, in a stable order, as text.</summary>
    private static Dictionary<string, List<string>> Tables(string file)
    {
        using var c = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name";
        var names = new List<string>();
        using (var r = command.ExecuteReader()) while (r.Read()) names.Add(r.GetString(0));
        var tables = new Dictionary<string, List<string>>();
        foreach (var name in names)
        {
            command.CommandText = $"SELECT * FROM \"{name}\"";
            var rows = new List<string>();
            using (var r = command.ExecuteReader())
                while (r.Read())
                    rows.Add(string.Join('|', Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "∅" : Convert.ToString(r.GetValue(i) is byte[] b
                        ? Convert.ToHexString(b) : r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            rows.Sort(StringComparer.Ordinal);
            tables[name] = rows;
        }
        return tables;
    }

    private static void AssertSameTables(string expected, string actual)
    {
        var (a, b) = (Tables(expected), Tables(actual));
        Assert.Equal(a.Keys, b.Keys);
        foreach (var (table, rows) in a) Assert.True(rows.SequenceEqual(b[table]), $"table {table} differs");
    }

    /// <summary>The values of the rows every push restates: one value per push, so a torn snapshot shows two.</summary>
    private static List<string> RestatedValues(string file)
    {
        using var c = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var command = c.CreateCommand();
        // The pushes' periods (2000–2006), well before the demo's own values (the 24 months before today).
        command.CommandText = "SELECT DISTINCT value FROM observations WHERE period < '2010' ORDER BY value";
        var values = new List<string>();
        using var r = command.ExecuteReader();
        while (r.Read()) values.Add(r.GetString(0));
        return values;
    }

    [Fact]
    public async Task A_backup_under_write_load_is_consistent_and_restores_table_for_table()
    {
        var live = Folder("live");
        var backup = Path.Combine(root, "under-load.db");
        var quiet = Path.Combine(root, "quiet.db");
        var codes = new[] { "ROB-PERSONAL", "THEFT-PERSON", "VAWG-OFFENCES", "ASB-CALLS" };
        await using (var service = await LiveService.StartAsync(folder: live))
        {
            using var http = new HttpClient { BaseAddress = service.BaseAddress };
            http.DefaultRequestHeaders.Add("X-Api-Key", Police);
            using var stop = new CancellationTokenSource();
            var pushes = 0;
            var load = Task.Run(async () =>
            {
                for (var n = 1; !stop.IsCancellationRequested; n++)
                {
                    var rows = codes.SelectMany(code => Enumerable.Range(0, 75).Select(m => new
                    {
                        indicator = code, period = $"{2000 + m / 12:D4}-{m % 12 + 1:D2}", area = "E09000028", value = n, status = "provisional",
                    }));
                    var response = await http.PostAsJsonAsync("/v1/partnerships/southwark/observations", new { observations = rows });
                    response.EnsureSuccessStatusCode();
                    pushes = n;
                }
            });
            while (pushes < 3) await Task.Delay(20);

            var (exit, output) = await CommandAsync(live, "backup", backup);

            var during = pushes;
            while (pushes < during + 3) await Task.Delay(20); // the service kept writing while and after the backup ran
            await stop.CancelAsync();
            await load;
            Assert.True(exit == 0, output);
            Assert.Contains("integrity ok", output, StringComparison.Ordinal);
            var (quietExit, quietOutput) = await CommandAsync(live, "backup", quiet);
            Assert.True(quietExit == 0, quietOutput);
        }

        // Consistent: the snapshot holds every row of each push it holds, never part of one.
        Assert.Single(RestatedValues(backup));
        // Taken with nothing writing, a backup holds exactly what the database holds.
        AssertSameTables(Path.Combine(live, "csp.db"), quiet);

        // Restored to a stopped service's path, the database is the backup, table for table; the one it replaced is kept.
        var restored = Folder("restored");
        File.Copy(Path.Combine(live, "csp.db"), Path.Combine(restored, "csp.db"));
        var (restoreExit, restoreOutput) = await CommandAsync(restored, "restore", backup);
        Assert.True(restoreExit == 0, restoreOutput);
        AssertSameTables(backup, Path.Combine(restored, "csp.db"));
        Assert.Single(Directory.GetFiles(restored, "csp.db.before-restore-*"));
        await using (var again = await LiveService.StartAsync(folder: restored))
        {
            using var http = new HttpClient { BaseAddress = again.BaseAddress };
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
        }
    }

    [Fact]
    public async Task Restore_refuses_a_running_service_and_a_damaged_backup()
    {
        var live = Folder("live");
        var backup = Path.Combine(root, "backup.db");
        await using (var service = await LiveService.StartAsync(folder: live))
        {
            Assert.Equal(0, (await CommandAsync(live, "backup", backup)).Exit);
            var (exit, output) = await CommandAsync(live, "restore", backup);
            Assert.Equal(1, exit);
            Assert.Contains("A service is running", output, StringComparison.Ordinal);
            var (overwriteExit, overwriteOutput) = await CommandAsync(live, "backup", backup);
            Assert.Equal(1, overwriteExit);
            Assert.Contains("never overwrites", overwriteOutput, StringComparison.Ordinal);
        }
        var damaged = Path.Combine(root, "damaged.db");
        var bytes = await File.ReadAllBytesAsync(backup);
        Array.Fill(bytes, (byte)0x5A, 100, 4096); // the header's tail and the first pages
        await File.WriteAllBytesAsync(damaged, bytes);
        var before = Tables(Path.Combine(live, "csp.db"));

        var (damagedExit, damagedOutput) = await CommandAsync(live, "restore", damaged);

        Assert.Equal(1, damagedExit);
        Assert.Contains("damaged.db", damagedOutput, StringComparison.Ordinal);
        Assert.Equal(before.Keys, Tables(Path.Combine(live, "csp.db")).Keys); // the database was left alone
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
    }
}
