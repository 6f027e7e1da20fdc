using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Audit;

/// <summary>
/// The one write path (api/Audit/AuditedWriter.cs): every route writes through it, so every route behaves alike where it
/// matters to a client — a write that changes nothing writes nothing, and a database constraint is an answer, never a 500.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class WritePathTests(CspApiFactory factory)
{
    private Task<long> EventsAsync(TestTenant t) =>
        factory.ScalarAsync<long>("SELECT COUNT(*) FROM audit_events WHERE partnership_id = @p", new { p = t.Id.ToString() });

    public static TheoryData<string> Replaceable => ["agency", "plan", "priority", "commitment", "indicator", "framework", "outcome", "partnership"];

    /// <summary>Each route's resource with a body that replaces it with itself: (the resource's path, the body).</summary>
    private static async Task<(string Path, object Body)> ResourceAsync(TestTenant t, string kind)
    {
        var agency = await t.CreateAgencyAsync("MET", "police");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id(), leadAgencyId: agency.Id());
        switch (kind)
        {
            case "agency":
                return ($"/agencies/{agency.Id()}", new { code = "MET", name = "Agency MET", kind = "police" });
            case "plan":
                return ($"/plans/{plan.Id()}", new { title = "Plan 2025-26", periodStart = "2025-04-01", periodEnd = "2026-03-31" });
            case "priority":
                return ($"/priorities/{priority.Id()}", new { code = "P1", title = "Reducing violence", leadAgencyId = agency.Id() });
            case "commitment":
                var commitment = await t.CreateCommitmentAsync(priority.Id(), leadAgencyId: agency.Id(), partnerAgencyIds: [agency.Id()],
                    startDate: "2025-04-01", dueDate: "2026-03-31");
                return ($"/commitments/{commitment.Id()}", new
                {
                    code = "C1", title = "Night-time safety spaces", leadAgencyId = agency.Id(), partnerAgencyIds = new[] { agency.Id() },
                    startDate = "2025-04-01", dueDate = "2026-03-31",
                });
            case "indicator":
                var indicatorBody = new
                {
                    code = "ROB", name = "Personal robbery", unit = "count", direction = "decrease", frequency = "monthly",
                    sourceAgencyId = agency.Id(), priorityIds = new[] { priority.Id() },
                    baseline = new { value = 200m, period = "2024-04" }, target = new { value = 150m, period = "2026-03" },
                };
                var indicator = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), indicatorBody), HttpStatusCode.Created);
                return ($"/indicators/{indicator.Id()}", indicatorBody);
            case "framework":
            case "outcome":
                var frameworkBody = new { code = "S2030", title = "Southwark 2030", publisher = "Southwark Council" };
                var framework = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/frameworks"), frameworkBody), HttpStatusCode.Created);
                if (kind == "framework") return ($"/frameworks/{framework.Id()}", frameworkBody);
                var outcomeBody = new { code = "S2030-3", title = "A safer Southwark", position = 3 };
                var outcome = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/frameworks/{framework.Id()}/outcomes"), outcomeBody),
                    HttpStatusCode.Created);
                return ($"/outcomes/{outcome.Id()}", outcomeBody);
            default:
                return ("", new { name = $"Test {t.Slug}", areaCode = "E09000028", publicRead = false });
        }
    }

    [Theory]
    [MemberData(nameof(Replaceable))]
    public async Task Replacing_a_resource_with_itself_writes_nothing_on_every_route(string kind)
    {
        var t = await TestTenant.CreateAsync(factory);
        var (path, body) = await ResourceAsync(t, kind);
        var version = (await TestTenant.Expect(await t.Admin.GetAsync(t.Path(path)), HttpStatusCode.OK))["version"]!.GetValue<long>();
        var events = await EventsAsync(t);
        var plans = await factory.ScalarAsync<long>("SELECT COALESCE(SUM(version), 0) FROM plans WHERE partnership_id = @p", new { p = t.Id.ToString() });

        var same = await t.Admin.PutAsJsonAsync(t.Path(path), body);

        var answer = await TestTenant.Expect(same, HttpStatusCode.OK);
        Assert.Equal(version, answer["version"]!.GetValue<long>());
        Assert.Equal($"\"{version}\"", same.Headers.ETag!.Tag);
        Assert.Equal(version, (await TestTenant.Expect(await t.Admin.GetAsync(t.Path(path)), HttpStatusCode.OK))["version"]!.GetValue<long>());
        Assert.Equal(events, await EventsAsync(t));
        Assert.Equal(plans, await factory.ScalarAsync<long>("SELECT COALESCE(SUM(version), 0) FROM plans WHERE partnership_id = @p",
            new { p = t.Id.ToString() }));
    }

    [Fact]
    public async Task Revoking_a_revoked_key_again_writes_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (_, _, clientId) = await t.KeyAsync(["read"]);
        await TestTenant.Expect(await t.Admin.DeleteAsync(t.Path($"/clients/{clientId}")), HttpStatusCode.NoContent);
        var events = await EventsAsync(t);
        var revokedAt = (await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/clients/{clientId}")), HttpStatusCode.OK))["revokedAt"]!.ToString();

        await TestTenant.Expect(await t.Admin.DeleteAsync(t.Path($"/clients/{clientId}")), HttpStatusCode.NoContent);

        Assert.Equal(events, await EventsAsync(t));
        var again = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/clients/{clientId}")), HttpStatusCode.OK);
        Assert.Equal(revokedAt, again["revokedAt"]!.ToString());
        Assert.Equal(2, again["version"]!.GetValue<long>());
    }

    /// <summary>No rule check looks for a taken code: the unique index finds it, and the writer turns it into the field's error.</summary>
    [Fact]
    public async Task Concurrent_creates_of_one_code_give_one_201_and_400s_naming_the_field_never_a_500()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();
        var agencies = Enumerable.Range(0, 6).Select(_ => t.Admin.PostAsJsonAsync(t.Path("/agencies"), new { code = "MET", name = "Met", kind = "police" }));
        var priorities = Enumerable.Range(0, 6).Select(_ => t.Admin.PostAsJsonAsync(t.Path($"/plans/{plan.Id()}/priorities"), new { code = "P1", title = "One" }));
        foreach (var batch in new[] { await Task.WhenAll(agencies), await Task.WhenAll(priorities) })
        {
            Assert.Single(batch, r => r.StatusCode == HttpStatusCode.Created);
            foreach (var refused in batch.Where(r => r.StatusCode != HttpStatusCode.Created))
            {
                var problem = await TestTenant.ExpectProblem(refused, HttpStatusCode.BadRequest);
                Assert.NotNull(problem["errors"]?["code"]);
            }
        }
        Assert.Equal(1, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM agencies WHERE partnership_id = @p", new { p = t.Id.ToString() }));
        Assert.Equal(1, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM priorities WHERE partnership_id = @p", new { p = t.Id.ToString() }));
    }

    [Fact]
    public async Task Removing_a_row_others_still_name_is_a_409_and_removes_nothing()
    {
        var t = await TestTenant.CreateAsync(factory);
        var agency = await t.CreateAgencyAsync("MET", "police");
        await t.KeyAsync(["observations:write"], agency.Id());
        var events = await EventsAsync(t);

        var problem = await TestTenant.ExpectProblem(await t.Admin.DeleteAsync(t.Path($"/agencies/{agency.Id()}")), HttpStatusCode.Conflict);

        Assert.Contains("still referred to", problem.Str("detail"), StringComparison.Ordinal);
        await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/agencies/{agency.Id()}")), HttpStatusCode.OK);
        Assert.Equal(events, await EventsAsync(t));
    }

    private static IEnumerable<(string File, string Text)> ApiSources() =>
        Directory.EnumerateFiles(Repo.PathOf("api"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path.GetRelativePath(Repo.Root, f).Replace('\\', '/'), Code(File.ReadAllLines(f))));

    /// <summary>The file without its comment lines (a doc comment may name what the code must not call).</summary>
    private static string Code(string[] lines) => string.Join('\n', lines.Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));

    [GeneratedRegex(@"\.BeginWriteAsync\(")]
    private static partial Regex TenantWriteUnit();

    [GeneratedRegex(@"\.BeginPlatformWriteAsync\(")]
    private static partial Regex PlatformWriteUnit();

    [GeneratedRegex(@"DbException|IsUniqueViolation|IsForeignKeyViolation")]
    private static partial Regex ConstraintErrors();

    [GeneratedRegex(@"[(,]\s*Db\s+\w+\s*[,)]")]
    private static partial Regex DbParameter();

    [Fact]
    public void Only_the_audited_writer_opens_a_partnerships_write_unit()
    {
        var openers = ApiSources().Where(f => TenantWriteUnit().IsMatch(f.Text)).Select(f => f.File).ToList();
        Assert.Equal(["api/Audit/AuditedWriter.cs"], openers);
        // The platform's own bookkeeping (when keys were last used, idempotency records) is no partnership's row.
        var platform = ApiSources().Where(f => PlatformWriteUnit().IsMatch(f.Text)).Select(f => f.File).Order().ToList();
        Assert.Equal(["api/Infrastructure/Auth/KeyUsage.cs", "api/Infrastructure/Idempotency/IdempotencyQueries.cs"], platform);
    }

    [Fact]
    public void No_handler_catches_a_database_error_or_takes_the_database()
    {
        var handlers = ApiSources().Where(f => f.File.EndsWith("Api.cs", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(handlers);
        Assert.Empty(handlers.Where(f => ConstraintErrors().IsMatch(f.Text)).Select(f => f.File));
        Assert.Empty(handlers.Where(f => DbParameter().IsMatch(f.Text)).Select(f => f.File));
        // Constraint errors are read in the writer (and the platform's idempotency claim), defined by the dialect.
        var readers = ApiSources().Where(f => f.Text.Contains("IsUniqueViolation(", StringComparison.Ordinal)
                                               || f.Text.Contains("IsForeignKeyViolation(", StringComparison.Ordinal))
            .Select(f => f.File).Order().ToList();
        Assert.Equal(["api/Audit/AuditedWriter.cs", "api/Infrastructure/Data/SqlDialect.cs", "api/Infrastructure/Idempotency/IdempotencyQueries.cs"],
            readers);
    }
}
