using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.Security;

/// <summary>One method of one route, as the app's endpoint data source has it.</summary>
public sealed record ApiRoute(string Method, string Pattern, RouteEndpoint Endpoint)
{
    public string Key => $"{Method} {Pattern}";

    public bool IsTenant => Pattern == MatrixKit.TenantPrefix || Pattern.StartsWith(MatrixKit.TenantPrefix + "/", StringComparison.Ordinal);

    public IReadOnlyList<string> Parameters => Endpoint.RoutePattern.Parameters.Select(p => p.Name).ToList();

    /// <summary>Route parameters that name a resource (everything but the partnership slug).</summary>
    public bool HasResourceParameters => Parameters.Any(p => p != "partnership");

    public string? Scope => Endpoint.Metadata.GetMetadata<RequiredScope>()?.Scope;

    public string Path(IReadOnlyDictionary<string, string> values)
    {
        var path = Pattern;
        foreach (var name in Parameters)
        {
            if (!values.TryGetValue(name, out var value))
                throw new Xunit.Sdk.XunitException($"{Key}: the matrix has no value for the route parameter {{{name}}}; extend MatrixKit.World.");
            path = path.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }
        return path;
    }

    public override string ToString() => Key;
}

/// <summary>A partnership populated with one of every kind of resource the API has, and the values of every route parameter.</summary>
public sealed class World
{
    public required TestTenant Tenant { get; init; }
    public required Dictionary<string, string> Values { get; init; }
    public Guid AgencyId { get; init; }
    public Guid OtherAgencyId { get; init; }
    public Guid PriorityId { get; init; }
    public string? IndicatorCode { get; init; }
    public string Slug => Tenant.Slug;
    public Guid Id => Tenant.Id;
}

/// <summary>
/// The route list from <see cref="EndpointDataSource"/>, a generic populated partnership, a plausible valid body for
/// every tenant route, and a byte-level snapshot of one partnership's rows.
/// </summary>
public static class MatrixKit
{
    public const string TenantPrefix = "/v1/partnerships/{partnership}";
    public const string Period = "2024-06";

    private static string T(string rest) => TenantPrefix + rest;

    /// <summary>
    /// Every tenant route the matrices know how to call, with a plausible valid body (null: no body).
    /// A route the app maps that is not here fails <c>Every_tenant_route_is_in_the_matrix</c>.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Func<World, int, object?>> TenantRoutes = new Dictionary<string, Func<World, int, object?>>
    {
        ["GET " + T("")] = (_, _) => null,
        ["PUT " + T("")] = (_, n) => new { name = $"Renamed {n}", areaCode = "E09000028", publicRead = false },

        ["GET " + T("/agencies")] = (_, _) => null,
        ["POST " + T("/agencies")] = (_, n) => new { code = $"NEW{n}", name = $"New agency {n}", kind = "voluntary" },
        ["GET " + T("/agencies/{agencyId}")] = (_, _) => null,
        ["PUT " + T("/agencies/{agencyId}")] = (_, n) => new { code = $"HIJACK{n}", name = "Hijacked", kind = "other" },
        ["DELETE " + T("/agencies/{agencyId}")] = (_, _) => null,

        ["GET " + T("/areas")] = (_, _) => null,
        ["POST " + T("/areas")] = (_, n) => new { code = $"E{50_000_000 + n:D8}", name = $"Hijack ward {n}", type = "ward" },
        ["GET " + T("/areas/{areaCode}")] = (_, _) => null,
        ["PUT " + T("/areas/{areaCode}")] = (_, n) => new { name = $"Hijacked ward {n}", type = "ward" },

        ["GET " + T("/clients")] = (_, _) => null,
        ["POST " + T("/clients")] = (_, n) => new { name = $"implant {n}", scopes = new[] { "admin" } },
        ["GET " + T("/clients/{clientId}")] = (_, _) => null,
        ["DELETE " + T("/clients/{clientId}")] = (_, _) => null,

        ["GET " + T("/plans")] = (_, _) => null,
        ["POST " + T("/plans")] = (_, n) => new { title = $"Hijack plan {n}", periodStart = "2030-04-01", periodEnd = "2031-03-31" },
        ["GET " + T("/plans/current")] = (_, _) => null,
        ["GET " + T("/plans/{planId}")] = (_, _) => null,
        ["PUT " + T("/plans/{planId}")] = (_, n) => new { title = $"Hijacked {n}", periodStart = "2030-04-01", periodEnd = "2031-03-31" },
        ["DELETE " + T("/plans/{planId}")] = (_, _) => null,
        ["POST " + T("/plans/{planId}/approve")] = (_, _) => null,
        ["POST " + T("/plans/{planId}/archive")] = (_, _) => null,
        ["GET " + T("/plans/{planId}/priorities")] = (_, _) => null,
        ["POST " + T("/plans/{planId}/priorities")] = (_, n) => new { code = $"PX{n}", title = "Hijack priority" },
        ["GET " + T("/plans/{planId}/commitments")] = (_, _) => null,
        ["GET " + T("/plans/{planId}/indicators")] = (_, _) => null,

        ["GET " + T("/priorities/{priorityId}")] = (_, _) => null,
        ["PUT " + T("/priorities/{priorityId}")] = (_, n) => new { code = $"PX{n}", title = "Hijacked priority" },
        ["DELETE " + T("/priorities/{priorityId}")] = (_, _) => null,
        ["GET " + T("/priorities/{priorityId}/commitments")] = (_, _) => null,
        ["POST " + T("/priorities/{priorityId}/commitments")] = (_, n) => new { code = $"CX{n}", title = "Hijack commitment" },

        ["GET " + T("/commitments/{commitmentId}")] = (_, _) => null,
        ["PUT " + T("/commitments/{commitmentId}")] = (_, n) => new { code = $"CX{n}", title = "Hijacked commitment" },
        ["DELETE " + T("/commitments/{commitmentId}")] = (_, _) => null,
        ["GET " + T("/commitments/{commitmentId}/updates")] = (_, _) => null,
        ["POST " + T("/commitments/{commitmentId}/updates")] = (_, _) => new { status = "off_track", commentary = "Hijacked progress" },

        ["GET " + T("/indicators")] = (_, _) => null,
        ["POST " + T("/indicators")] = (w, n) => IndicatorBody(w, $"HIJACK-{n}"),
        ["GET " + T("/indicators/{indicatorId}")] = (_, _) => null,
        ["PUT " + T("/indicators/{indicatorId}")] = (w, n) => IndicatorBody(w, $"HIJACK-{n}"),
        ["DELETE " + T("/indicators/{indicatorId}")] = (_, _) => null,
        ["GET " + T("/indicators/{indicatorId}/observations")] = (_, _) => null,
        ["GET " + T("/indicators/{indicatorId}/observations/{period}/revisions")] = (_, _) => null,
        ["GET " + T("/indicators/{indicatorId}/performance")] = (_, _) => null,
        ["DELETE " + T("/indicators/{indicatorId}/observations/{period}")] = (_, _) => null,
        ["GET " + T("/indicators/{indicatorId}/chart.svg")] = (_, _) => null,
        ["POST " + T("/indicators/{indicatorId}/periods/{period}/signoff")] = (_, _) => null,
        ["GET " + T("/indicators/{indicatorId}/periods/{period}/signoff")] = (_, _) => null,
        ["DELETE " + T("/indicators/{indicatorId}/periods/{period}/signoff")] = (_, _) => null,
        ["GET " + T("/releases")] = (_, _) => null,

        ["GET " + T("/observations")] = (_, _) => null,
        ["GET " + T("/jobs/{jobId}")] = (_, _) => null,
        ["GET " + T("/jobs/{jobId}/conflicts")] = (_, _) => null,
        ["GET " + T("/jobs/{jobId}/warnings")] = (_, _) => null,
        ["GET " + T("/me")] = (_, _) => null,
        ["POST " + T("/observations")] = (w, n) => new
        {
            observations = new[] { new { indicator = w.IndicatorCode ?? "ROB-PERSONAL", period = Period, area = "E09000028", value = 9000 + n, status = "provisional", note = "hijack" } },
        },

        ["GET " + T("/frameworks")] = (_, _) => null,
        ["POST " + T("/frameworks")] = (_, n) => new { code = $"FWX{n}", title = $"Hijack framework {n}" },
        ["GET " + T("/frameworks/{frameworkId}")] = (_, _) => null,
        ["PUT " + T("/frameworks/{frameworkId}")] = (_, n) => new { code = $"FWX{n}", title = "Hijacked framework" },
        ["DELETE " + T("/frameworks/{frameworkId}")] = (_, _) => null,
        ["POST " + T("/frameworks/{frameworkId}/versions")] = (_, n) => new { title = $"Hijack version {n}" },
        ["GET " + T("/frameworks/{frameworkId}/outcomes")] = (_, _) => null,
        ["POST " + T("/frameworks/{frameworkId}/outcomes")] = (_, n) => new { code = $"OX{n}", title = "Hijack outcome" },
        ["GET " + T("/frameworks/{frameworkId}/coverage")] = (_, _) => null,
        ["GET " + T("/outcomes/{outcomeId}")] = (_, _) => null,
        ["PUT " + T("/outcomes/{outcomeId}")] = (_, n) => new { code = $"OX{n}", title = "Hijacked outcome" },
        ["DELETE " + T("/outcomes/{outcomeId}")] = (_, _) => null,
        ["GET " + T("/alignments")] = (_, _) => null,
        ["POST " + T("/alignments")] = (w, _) => new
        {
            outcomeId = w.Values.GetValueOrDefault("outcomeId") ?? Guid.NewGuid().ToString(), commitmentId = w.Values["commitmentId"], rationale = "Hijack alignment",
        },
        ["GET " + T("/alignments/{alignmentId}")] = (_, _) => null,
        ["DELETE " + T("/alignments/{alignmentId}")] = (_, _) => null,
        ["POST " + T("/plans/{planId}/refresh")] = (_, n) => new { title = $"Hijack refresh {n}", periodStart = "2050-04-01", periodEnd = "2051-03-31" },
        ["GET " + T("/plans/{planId}/diff")] = (_, _) => null,
        ["GET " + T("/plans/{planId}/report")] = (_, _) => null,

        ["GET " + T("/audit")] = (_, _) => null,
        ["GET " + T("/changes")] = (_, _) => null,

        ["GET " + T("/validation-rules")] = (_, _) => null,
        ["POST " + T("/validation-rules")] = (w, n) => new
        {
            code = $"HIJACK-{n}", left = w.IndicatorCode ?? "ROB-PERSONAL", @operator = "greater_than_or_equal_to", right = w.IndicatorCode ?? "ROB-PERSONAL",
        },
        ["GET " + T("/validation-rules/{ruleId}")] = (_, _) => null,
        ["DELETE " + T("/validation-rules/{ruleId}")] = (_, _) => null,
        ["GET " + T("/validation-rules/violations")] = (_, _) => null,
        ["GET " + T("/completeness")] = (_, _) => null,
        ["GET " + T("/completeness/overdue")] = (_, _) => null,
    };

    /// <summary>Routes outside any partnership, and what an anonymous caller or a tenant admin key gets there.</summary>
    public static readonly IReadOnlySet<string> OutsideRoutes = new HashSet<string>
    {
        "POST /v1/partnerships",
        "GET /v1/partnerships",
        "GET /",
        "GET /health/live",
        "GET /health/ready",
        "GET /openapi/{documentName}.json",
        "GET /metrics",
    };

    private static object IndicatorBody(World w, string code) => new
    {
        code,
        name = "Hijack indicator",
        description = (string?)null,
        unit = "count",
        direction = "decrease",
        frequency = "monthly",
        sourceAgencyId = w.AgencyId,
        priorityIds = Array.Empty<Guid>(),
        baseline = (object?)null,
        target = (object?)null,
    };

    public static IReadOnlyList<ApiRoute> Routes(CspApiFactory factory) =>
        factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => new ApiRoute(m, Normalise(e.RoutePattern), e)))
            .OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)
            .ToList();

    /// <summary>The route template without constraints or a trailing slash: <c>/v1/partnerships/{partnership}/agencies/{agencyId}</c>.</summary>
    public static string Normalise(RoutePattern pattern) =>
        "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            _ => "?",
        }))));

    public static bool Has(IEnumerable<ApiRoute> routes, string method, string rest) =>
        routes.Any(r => r.Key == $"{method} {T(rest)}");

    public static HttpRequestMessage Request(HttpMethod method, string path, object? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, options: Csp.Api.Tests.Infrastructure.Json.Options);
        return request;
    }

    /// <summary>
    /// A partnership with agencies, clients (one bound to an agency), a draft plan with a priority, a commitment with
    /// partners and a progress update, an approved current plan, and — when their routes exist — an indicator linked to
    /// the priority with observations pushed through the batch push (one of them revised).
    /// </summary>
    public static async Task<World> PopulateAsync(CspApiFactory factory, string prefix, IReadOnlyList<ApiRoute> routes)
    {
        var t = await TestTenant.CreateAsync(factory, prefix);
        var values = new Dictionary<string, string> { ["partnership"] = t.Slug, ["period"] = Period };

        var met = await t.CreateAgencyAsync("MET", "police", "Met Central South BCU");
        var sbc = await t.CreateAgencyAsync("SBC", "local_authority", "Southwark Council");
        values["agencyId"] = met.Id().ToString();

        // A ward of this partnership's own (its code is not another partnership's area).
        var ward = $"E05{Random.Shared.Next(1_000_000):D6}";
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/areas"), new { code = ward, name = "Test ward", type = "ward" }), HttpStatusCode.Created);
        values["areaCode"] = ward;

        var (_, _, readerId) = await t.KeyAsync(["read"], met.Id());
        var (pusher, _, _) = await t.KeyAsync(["observations:write"], met.Id());
        values["clientId"] = readerId.ToString();

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var current = await t.CreatePlanAsync("Current plan", today.AddMonths(-6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            today.AddMonths(6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await t.CreatePriorityAsync(current.Id(), "P1", "Reducing violence", met.Id());
        await t.ApprovePlanAsync(current.Id());

        var plan = await t.CreatePlanAsync("Draft refresh", "2040-04-01", "2041-03-31");
        var priority = await t.CreatePriorityAsync(plan.Id(), "P1", "Tackling VAWG", met.Id());
        var commitment = await t.CreateCommitmentAsync(priority.Id(), "C1", "Night-time safety spaces", met.Id(), [sbc.Id()], "2040-04-01", "2041-03-31");
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/commitments/{commitment.Id()}/updates"),
            new { status = "on_track", commentary = "71 spaces open" }), HttpStatusCode.Created);
        values["planId"] = plan.Id().ToString();
        values["priorityId"] = priority.Id().ToString();
        values["commitmentId"] = commitment.Id().ToString();

        string? indicatorCode = null;
        if (Has(routes, "POST", "/indicators"))
        {
            indicatorCode = "ROB-PERSONAL";
            var indicator = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), new
            {
                code = indicatorCode, name = "Personal robbery", description = "Police recorded", unit = "count", direction = "decrease",
                frequency = "monthly", sourceAgencyId = met.Id(), priorityIds = new[] { priority.Id() },
                baseline = new { value = 200, period = "2024-01" }, target = new { value = 150, period = "2025-03" },
            }), HttpStatusCode.Created);
            values["indicatorId"] = indicator.Id().ToString();

            if (Has(routes, "POST", "/observations"))
            {
                object Row(string period, int value) => new { indicator = indicatorCode, period, area = "E09000028", value, status = "provisional", note = "CONNECT" };
                var first = await TestTenant.Expect(await pusher.PostAsJsonAsync(t.Path("/observations"),
                    new { observations = new[] { Row("2024-05", 190), Row(Period, 187) } }), HttpStatusCode.OK);
                Assert.Equal(2, first["created"]!.GetValue<int>());
                var restated = await TestTenant.Expect(await pusher.PostAsJsonAsync(t.Path("/observations"),
                    new { observations = new[] { Row(Period, 189) } }), HttpStatusCode.OK);
                Assert.Equal(1, restated["updated"]!.GetValue<int>());

                // A job, finished before the matrices take their snapshots.
                var (_, job) = await Csp.Api.Tests.Jobs.JobKit.SubmitAsync(pusher, t, Csp.Api.Tests.Jobs.JobKit.Json([Row("2024-04", 191)]));
                Assert.Equal("succeeded", (await Csp.Api.Tests.Jobs.JobKit.FinishedAsync(pusher, t, job.Str("id"))).Str("state"));
                values["jobId"] = job.Str("id");
            }

            if (Has(routes, "POST", "/validation-rules"))
            {
                var rule = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/validation-rules"),
                    new { code = "SELF", left = indicatorCode, @operator = "equal_to", right = indicatorCode }), HttpStatusCode.Created);
                values["ruleId"] = rule.Id().ToString();
            }
        }

        if (Has(routes, "POST", "/frameworks"))
        {
            var framework = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/frameworks"),
                new { code = "S2030", title = "Southwark 2030", publisher = "Southwark Council", adoptedOn = "2024-07-17", url = "https://www.southwark.gov.uk/southwark-2030" }),
                HttpStatusCode.Created);
            var outcome = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/frameworks/{framework.Id()}/outcomes"),
                new { code = "S2030-3", title = "A safer Southwark" }), HttpStatusCode.Created);
            var alignment = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/alignments"),
                new { outcomeId = outcome.Id(), priorityId = priority.Id(), rationale = "Women's safety is community safety." }), HttpStatusCode.Created);
            values["frameworkId"] = framework.Id().ToString();
            values["outcomeId"] = outcome.Id().ToString();
            values["alignmentId"] = alignment.Id().ToString();
        }

        return new World
        {
            Tenant = t, Values = values, AgencyId = met.Id(), OtherAgencyId = sbc.Id(), PriorityId = priority.Id(), IndicatorCode = indicatorCode,
        };
    }

    /// <summary>
    /// Every row of every table with a partnership_id column for this partnership (and its partnerships row), every column,
    /// in a total order, serialised with types: equal snapshots mean byte-for-byte equal data.
    /// </summary>
    /// <param name="keyUsage">False to leave out clients.last_used_at, which the caller's own key moves on every request.</param>
    public static async Task<string> SnapshotAsync(CspApiFactory factory, Guid partnershipId, bool keyUsage = true)
    {
        // Key "last used" times are written in timed batches; write them now so none lands between two snapshots.
        await FlushKeyUsageAsync(factory);
        var db = factory.Services.GetRequiredService<Db>();
        await using var c = await db.OpenPlatformAsync(CancellationToken.None);
        var tables = new List<string>();
        foreach (var table in (await Schema.TablesAsync(factory)).Order(StringComparer.Ordinal))
            if ((await Schema.ColumnsAsync(factory, table)).Contains("partnership_id")) tables.Add(table);
        Assert.Contains("agencies", tables);
        var sb = new StringBuilder();
        await Dump(c, sb, "partnerships", "id");
        foreach (var table in tables) await Dump(c, sb, table, "partnership_id");
        return sb.ToString();

        async Task Dump(DbConnection connection, StringBuilder into, string table, string column)
        {
            var columns = await Schema.ColumnsAsync(factory, table);
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT * FROM \"{table}\" WHERE \"{column}\" = @p ORDER BY {string.Join(", ", columns.Select(n => $"\"{n}\""))}";
            var p = cmd.CreateParameter();
            p.ParameterName = "@p";
            p.Value = partnershipId.ToString("D");
            cmd.Parameters.Add(p);
            await using var reader = await cmd.ExecuteReaderAsync();
            var rows = 0;
            into.Append("## ").Append(table).Append('\n');
            while (await reader.ReadAsync())
            {
                rows++;
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (!keyUsage && table == "clients" && reader.GetName(i) == "last_used_at") continue;
                    var value = reader.IsDBNull(i) ? "NULL" : reader.GetValue(i) switch
                    {
                        byte[] bytes => "x'" + Convert.ToHexString(bytes) + "'",
                        var v => $"{v.GetType().Name}:{Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)}",
                    };
                    into.Append(reader.GetName(i)).Append('=').Append(value).Append(i + 1 < reader.FieldCount ? " | " : "\n");
                }
            }
            into.Append('(').Append(rows).Append(" rows)\n");
        }
    }

    /// <summary>Writes pending key-usage times, when the service that batches them exists (found by name: it is optional).</summary>
    public static async Task FlushKeyUsageAsync(CspApiFactory factory)
    {
        var type = typeof(Program).Assembly.GetType("Csp.Api.Infrastructure.Auth.KeyUsage");
        if (type is null) return;
        var service = factory.Services.GetService(type)
            ?? factory.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().FirstOrDefault(s => s.GetType() == type);
        if (service is null || type.GetMethod("FlushAsync", [typeof(CancellationToken)]) is not { } flush) return;
        if (flush.Invoke(service, [CancellationToken.None]) is Task task) await task;
    }

    /// <summary>Sends, never throws: a contract violation or transport error becomes the failure text.</summary>
    public static async Task<(int Status, string? MediaType, string Body, string? Error)> SendAsync(HttpClient client, HttpMethod method, string path, object? body)
    {
        try
        {
            using var response = await client.SendAsync(Request(method, path, body));
            var text = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, null);
        }
        catch (Exception e)
        {
            return (0, null, "", e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>Null when the answer is the expected problem; otherwise what went wrong.</summary>
    public static string? ProblemMismatch((int Status, string? MediaType, string Body, string? Error) r, int expected)
    {
        if (r.Error is not null) return r.Error;
        if (r.Status != expected) return $"answered {r.Status}: {Excerpt(r.Body)}";
        if (r.MediaType != "application/problem+json") return $"answered {r.Status} as {r.MediaType ?? "(no content type)"}, not problem+json";
        try
        {
            var problem = JsonNode.Parse(r.Body) as JsonObject;
            if (problem?["status"]?.GetValue<int>() != expected) return $"problem body status is not {expected}: {Excerpt(r.Body)}";
            if (string.IsNullOrEmpty(problem["title"]?.GetValue<string>())) return $"problem has no title: {Excerpt(r.Body)}";
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            return $"problem body is not JSON: {Excerpt(r.Body)}";
        }
        return null;
    }

    public static string Excerpt(string body) => body.Length <= 300 ? body : body[..300] + "…";
}
