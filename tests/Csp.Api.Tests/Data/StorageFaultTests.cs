using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;

namespace Csp.Api.Tests.Data;

/// <summary>
/// A SQLite database on a small file system of its own (tmpfs, mounted for the test and unmounted after), which a test can
/// fill up or make read-only under the running service: the faults an operator meets, not a mock of them. Mounting needs
/// root (CI runs as root); elsewhere the tests that need it say so and skip.
/// </summary>
public sealed class MountedSqliteDatabase : TestDatabase
{
    public const int SizeMegabytes = 8;

    private readonly string folder = Path.Combine(Path.GetTempPath(), "csp-mounted", Guid.NewGuid().ToString("N"));
    private bool mounted;

    public string Folder => folder;
    public string FilePath => Path.Combine(folder, "csp.db");
    public override Csp.Api.Infrastructure.Data.DatabaseProvider Provider => Csp.Api.Infrastructure.Data.DatabaseProvider.Sqlite;
    public override string ConnectionString => $"Data Source={FilePath}";

    /// <summary>Why the file system cannot be mounted here (not root, no mount), or null when it is.</summary>
    public static string? CannotMount { get; } = Probe();

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "tmpfs mounts need Linux";
        var test = Path.Combine(Path.GetTempPath(), "csp-mount-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(test);
        try
        {
            if (Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", test) is { } error) return $"cannot mount a tmpfs ({error}); run as root";
            Run("umount", test);
            return null;
        }
        finally
        {
            try { Directory.Delete(test); } catch (IOException) { }
        }
    }

    public override void Prepare()
    {
        if (mounted) return;
        Directory.CreateDirectory(folder);
        if (Run("mount", "-t", "tmpfs", "-o", $"size={SizeMegabytes}m", "tmpfs", folder) is { } error)
            throw new InvalidOperationException("mount: " + error);
        mounted = true;
    }

    /// <summary>Remounts the file system read-only (true) or read-write (false) under whatever has it open.</summary>
    public void ReadOnly(bool on) => Check(Run("mount", "-o", on ? "remount,ro" : "remount,rw", folder));

    /// <summary>Fills the file system to the last byte with a filler file; returns its path (delete it to free the space).</summary>
    public string Fill()
    {
        var filler = Path.Combine(folder, "filler");
        // Unbuffered: a buffered stream would hold the last bytes that fit and fail to flush them when disposed.
        using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[64 * 1024];
        try
        {
            while (true) stream.Write(block);
        }
        catch (IOException)
        {
            for (var size = 4096; size >= 1; size /= 2)
                try { stream.Write(block, 0, size); } catch (IOException) { }
        }
        return filler;
    }

    public override async Task<System.Data.Common.DbConnection> OpenConnectionAsync()
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={FilePath};Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    public override void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (mounted) Run("umount", "-l", folder);
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    private static void Check(string? error)
    {
        if (error is not null) throw new InvalidOperationException(error);
    }

    private static string? Run(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"{command} exited {process.ExitCode}: {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return e.Message;
        }
    }
}

/// <summary>The service on a <see cref="MountedSqliteDatabase"/>.</summary>
public sealed class MountedFactory(MountedSqliteDatabase database, string environment = "Testing", params (string Key, string Value)[] settings)
    : CspApiFactory(database, ownsDatabase: true)
{
    public MountedSqliteDatabase Mounted => database;
    protected override string Environment => environment;
    protected override IEnumerable<(string Key, string Value)> Settings => settings;
}

/// <summary>A full disk, a read-only database, files deleted under the service: each is an answer naming the cause (507 or
/// 503 with Retry-After), readiness says so, and nothing acknowledged is lost.</summary>
public sealed class StorageFaultTests
{
    private static async Task<HttpResponseMessage> NewAgencyAsync(TestTenant t, int i) =>
        await t.Admin.PostAsJsonAsync(t.Path("/agencies"), new { code = $"A{i}", name = new string('n', 190) + i, kind = "other" });

    private static async Task AssertRetryLaterAsync(HttpResponseMessage response, HttpStatusCode status, string cause)
    {
        var problem = await TestTenant.ExpectProblem(response, status);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
        Assert.Contains(cause, problem["detail"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task A_full_disk_is_a_507_naming_it_readiness_says_so_and_writes_resume_when_space_is_freed()
    {
        Skip.If(MountedSqliteDatabase.CannotMount is not null, MountedSqliteDatabase.CannotMount);
        using var factory = new MountedFactory(new MountedSqliteDatabase());
        var t = await TestTenant.CreateAsync(factory);
        var anonymous = factory.ClientWithKey(null);
        var filler = factory.Mounted.Fill();

        HttpResponseMessage? refused = null;
        var created = 0;
        for (var i = 0; i < 500 && refused is null; i++)
        {
            var response = await NewAgencyAsync(t, i);
            if (response.StatusCode == HttpStatusCode.Created) created++;
            else refused = response;
        }

        Assert.NotNull(refused);
        await AssertRetryLaterAsync(refused, HttpStatusCode.InsufficientStorage, "no space left");
        await AssertRetryLaterAsync(await anonymous.GetAsync("/health/ready"), HttpStatusCode.ServiceUnavailable, "no space left");

        File.Delete(filler);
        await TestTenant.Expect(await anonymous.GetAsync("/health/ready"), HttpStatusCode.OK);
        await TestTenant.Expect(await NewAgencyAsync(t, 1000), HttpStatusCode.Created);
        // Every write that was acknowledged is there; the refused one is not.
        Assert.Equal(created + 1, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM agencies WHERE partnership_id = @p", new { p = t.Id.ToString() }));
    }

    /// <summary>A database the service's user may only read (a file of another owner, read-only media): on this machine the
    /// tests run as root, whom file modes do not stop, so the file is opened the way SQLite opens such a file, read-only.</summary>
    [Fact]
    public async Task A_read_only_database_is_a_503_naming_it_and_readiness_says_so()
    {
        var database = new SqliteTestDatabase();
        Guid partnership;
        using (var writable = new SqliteFactory(new View(database, ""), "Testing"))
        {
            var t = await TestTenant.CreateAsync(writable);
            partnership = t.Id;
        }
        using var factory = new SqliteFactory(new View(database, ";Mode=ReadOnly"), "Testing", ("Database:MigrateOnStartup", "false"));
        var platform = factory.ClientWithKey(CspApiFactory.PlatformKey);
        var slug = await factory.ScalarAsync<string>("SELECT slug FROM partnerships WHERE id = @partnership", new { partnership = partnership.ToString() });

        await TestTenant.Expect(await platform.GetAsync($"/v1/partnerships/{slug}"), HttpStatusCode.OK); // reads still work
        await AssertRetryLaterAsync(await platform.PostAsJsonAsync($"/v1/partnerships/{slug}/agencies", new { code = "MET", name = "Met", kind = "police" }),
            HttpStatusCode.ServiceUnavailable, "read-only");
        await AssertRetryLaterAsync(await factory.ClientWithKey(null).GetAsync("/health/ready"), HttpStatusCode.ServiceUnavailable, "read-only");
        database.Dispose();
    }

    /// <summary>The database of <paramref name="inner"/> with more connection string settings, left to <paramref name="inner"/>
    /// to remove.</summary>
    private sealed class View(SqliteTestDatabase inner, string settings) : TestDatabase
    {
        public override Csp.Api.Infrastructure.Data.DatabaseProvider Provider => inner.Provider;
        public override string ConnectionString => inner.ConnectionString + settings;
        public override void Prepare() => inner.Prepare();
        public override Task<System.Data.Common.DbConnection> OpenConnectionAsync() => inner.OpenConnectionAsync();
        public override void Dispose() { }
    }

    [Fact]
    public async Task Database_files_deleted_under_the_service_make_it_unready_and_refuse_writes()
    {
        using var factory = new CspApiFactory();
        var t = await TestTenant.CreateAsync(factory);
        var anonymous = factory.ClientWithKey(null);
        await TestTenant.Expect(await NewAgencyAsync(t, 0), HttpStatusCode.Created);
        var file = ((SqliteTestDatabase)factory.Database).FilePath;

        foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);

        await AssertRetryLaterAsync(await NewAgencyAsync(t, 1), HttpStatusCode.ServiceUnavailable, "deleted");
        await AssertRetryLaterAsync(await anonymous.GetAsync("/health/ready"), HttpStatusCode.ServiceUnavailable, "deleted");
    }

    [Fact]
    public async Task A_deleted_database_whose_path_a_new_connection_filled_with_an_empty_file_is_still_deleted()
    {
        using var factory = new CspApiFactory();
        var t = await TestTenant.CreateAsync(factory);
        var file = ((SqliteTestDatabase)factory.Database).FilePath;

        foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
        // What SQLite does when a connection opens the path anew (another pool's, or this one's after its connections closed).
        await using (var opened = new SqliteConnection($"Data Source={file};Pooling=False")) await opened.OpenAsync();
        Assert.True(File.Exists(file));

        await AssertRetryLaterAsync(await NewAgencyAsync(t, 1), HttpStatusCode.ServiceUnavailable, "deleted");
    }

    [Fact]
    public void Production_refuses_to_start_on_a_missing_database_and_creates_nothing()
    {
        var database = new SqliteTestDatabase();
        using var factory = new SqliteFactory(database, "Production", ("Database:CreateIfMissing", "false"));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains($"There is no database at {database.FilePath}", Flatten(error), StringComparison.Ordinal);
        Assert.Contains("Database:CreateIfMissing", Flatten(error), StringComparison.Ordinal);
        Assert.False(File.Exists(database.FilePath));
    }

    [SkippableFact]
    public void A_read_only_data_folder_at_start_up_fails_with_a_message_that_says_so()
    {
        Skip.If(MountedSqliteDatabase.CannotMount is not null, MountedSqliteDatabase.CannotMount);
        var database = new MountedSqliteDatabase();
        database.Prepare();
        database.ReadOnly(true);
        using var factory = new MountedFactory(database);

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("The data folder cannot be written", Flatten(error), StringComparison.Ordinal);
        Assert.Contains("Read-only file system", Flatten(error), StringComparison.Ordinal);
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " " + Flatten(e.InnerException);

    private sealed class SqliteFactory(TestDatabase database, string environment, params (string Key, string Value)[] settings)
        : CspApiFactory(database, ownsDatabase: true)
    {
        protected override string Environment => environment;
        protected override IEnumerable<(string Key, string Value)> Settings => settings;
    }
}
