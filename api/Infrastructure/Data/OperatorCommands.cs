namespace Csp.Api.Infrastructure.Data;

/// <summary>The commands an operator runs instead of the service: <c>migrate</c>, <c>backup FILE</c>, <c>restore FILE</c>.</summary>
public static class OperatorCommands
{
    /// <summary>Runs the command <paramref name="args"/> name, if any; null when they name none (start the service).</summary>
    public static int? Run(WebApplication app, string[] args)
    {
        var verb = args.FirstOrDefault(a => a is "migrate" or "backup" or "restore");
        if (verb is null) return null;
        if (verb == "migrate")
        {
            app.MigrateDatabase();
            return 0;
        }
        var db = app.Services.GetRequiredService<Db>();
        var file = args.SkipWhile(a => a != verb).Skip(1).FirstOrDefault();
        if (file is null || file.StartsWith('-'))
        {
            Console.Error.WriteLine($"Usage: {verb} FILE");
            return 2;
        }
        if (db.FilePath is null)
        {
            Console.Error.WriteLine("backup and restore are for the SQLite database; on SQL Server use its own BACKUP DATABASE / RESTORE DATABASE " +
                                    "(docs/operations.md).");
            return 2;
        }
        try
        {
            Console.WriteLine(verb == "backup"
                ? Backups.Backup(db.FilePath, file)
                : Backups.Restore(db.FilePath, file, app.Services.GetRequiredService<TimeProvider>().GetUtcNow()));
            return 0;
        }
        catch (BackupException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
