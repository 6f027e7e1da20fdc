using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Security;

/// <summary>
/// Issue 3, point 2 (OWASP API5, function-level authorisation; API2, broken authentication): the scope each endpoint
/// declares is the only thing that opens it, a revoked key opens nothing, and an agency's key pushes only its own indicators.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class ScopeMatrixTests(CspApiFactory factory)
{
    private static readonly string[] SingleScopes = [Scopes.Read, Scopes.PlansWrite, Scopes.ObservationsWrite, Scopes.ObservationsSignoff, Scopes.Admin];

    /// <summary>admin implies every tenant scope; platform is the operator's alone.</summary>
    private static bool Grants(string held, string required) =>
        held == required || (held == Scopes.Admin && required != Scopes.Platform);

    [Fact]
    public void Every_v1_endpoint_declares_the_scope_it_needs()
    {
        var v1 = MatrixKit.Routes(factory).Where(r => r.Pattern.StartsWith("/v1/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(v1);
        var known = new HashSet<string> { Scopes.Read, Scopes.PlansWrite, Scopes.ObservationsWrite, Scopes.ObservationsSignoff, Scopes.Admin, Scopes.Platform };

        var undeclared = v1.Where(r => r.Scope is null).Select(r => r.Key).ToList();
        var unknown = v1.Where(r => r.Scope is { } s && !known.Contains(s)).Select(r => $"{r.Key} ({r.Scope})").ToList();

        Assert.True(undeclared.Count == 0, "Endpoints under /v1 without RequiredScope metadata (denied to every key):\n  " + string.Join("\n  ", undeclared));
        Assert.True(unknown.Count == 0, "Endpoints requiring a scope no key can hold:\n  " + string.Join("\n  ", unknown));
        // Reads are open to read keys; nothing a read key reaches changes data.
        Assert.All(v1.Where(r => r.Scope == Scopes.Read), r => Assert.Equal("GET", r.Method));
    }

    [Fact]
    public async Task Each_single_scope_key_reaches_exactly_the_routes_its_scope_grants()
    {
        var routes = MatrixKit.Routes(factory).Where(r => r.Pattern.StartsWith("/v1/", StringComparison.Ordinal)).ToList();
        var tenantRoutes = routes.Where(r => r.IsTenant && MatrixKit.TenantRoutes.ContainsKey(r.Key)).ToList();
        var platformRoutes = routes.Where(r => !r.IsTenant).ToList();
        var a = await MatrixKit.PopulateAsync(factory, "scope", MatrixKit.Routes(factory));
        var keys = new List<(string Scope, HttpClient Client)>();
        foreach (var scope in SingleScopes) keys.Add((scope, (await a.Tenant.KeyAsync([scope])).Client));

        var failures = new List<string>();
        var n = 0;

        // Denied: 403 problem, and nothing written.
        var before = await MatrixKit.SnapshotAsync(factory, a.Id, keyUsage: false);
        var denied = 0;
        foreach (var route in tenantRoutes.Concat(platformRoutes))
            foreach (var (scope, client) in keys.Where(k => !Grants(k.Scope, route.Scope ?? "(none)")))
            {
                var path = route.IsTenant ? route.Path(a.Values) : route.Pattern;
                var body = route.IsTenant ? MatrixKit.TenantRoutes[route.Key](a, ++n) : PartnershipBody(route);
                var answer = await MatrixKit.SendAsync(client, new HttpMethod(route.Method), path, body);
                denied++;
                if (MatrixKit.ProblemMismatch(answer, 403) is { } why)
                    failures.Add($"'{scope}' key, {route.Method} {path} (needs '{route.Scope}'): expected 403, {why}");
            }
        Assert.True(before == await MatrixKit.SnapshotAsync(factory, a.Id, keyUsage: false), "A call denied 403 changed the partnership's rows.");

        // Granted: past the scope check. Unknown ids, so nothing that exists is deleted or changed by these calls.
        var platform = factory.ClientWithKey(CspApiFactory.PlatformKey);
        var granted = 0;
        foreach (var route in tenantRoutes)
            foreach (var (scope, client) in keys.Where(k => Grants(k.Scope, route.Scope ?? "(none)")).Append(("platform", platform)))
            {
                var values = new Dictionary<string, string>(a.Values);
                foreach (var name in route.Parameters.Where(p => p is not "partnership" and not "period")) values[name] = Guid.NewGuid().ToString();
                var path = route.Path(values);
                var answer = await MatrixKit.SendAsync(client, new HttpMethod(route.Method), path, MatrixKit.TenantRoutes[route.Key](a, ++n));
                granted++;
                if (answer.Error is not null || answer.Status is 401 or 403)
                    failures.Add($"'{scope}' key, {route.Method} {path} (needs '{route.Scope}'): expected to pass the scope check, " +
                                 $"{(answer.Error ?? $"answered {answer.Status}: {MatrixKit.Excerpt(answer.Body)}")}");
            }

        Assert.True(failures.Count == 0, $"{failures.Count} of {denied + granted} scope checks failed:\n  " + string.Join("\n  ", failures));
        Assert.True(denied > tenantRoutes.Count && granted > tenantRoutes.Count);
    }

    [Fact]
    public async Task A_revoked_key_and_no_key_get_401_on_every_route()
    {
        var routes = MatrixKit.Routes(factory).Where(r => r.Pattern.StartsWith("/v1/", StringComparison.Ordinal)).ToList();
        var a = await MatrixKit.PopulateAsync(factory, "revoked", MatrixKit.Routes(factory));
        var (revoked, _, revokedId) = await a.Tenant.KeyAsync([Scopes.Admin]);
        await TestTenant.Expect(await revoked.GetAsync(a.Tenant.Path("/agencies")), HttpStatusCode.OK);
        await TestTenant.Expect(await a.Tenant.Admin.DeleteAsync(a.Tenant.Path($"/clients/{revokedId}")), HttpStatusCode.NoContent);
        var callers = new[] { ("revoked", revoked), ("no key", factory.ClientWithKey(null)), ("unknown key", factory.ClientWithKey("csp_nosuchkey_secret")) };

        var before = await MatrixKit.SnapshotAsync(factory, a.Id, keyUsage: false);
        var failures = new List<string>();
        var n = 0;
        foreach (var route in routes)
            foreach (var (who, client) in callers)
            {
                var path = route.IsTenant ? route.Path(a.Values) : route.Pattern;
                var body = route.IsTenant
                    ? MatrixKit.TenantRoutes.TryGetValue(route.Key, out var make) ? make(a, ++n) : null
                    : PartnershipBody(route);
                var answer = await MatrixKit.SendAsync(client, new HttpMethod(route.Method), path, body);
                if (MatrixKit.ProblemMismatch(answer, 401) is { } why) failures.Add($"{who}: {route.Method} {path}: {why}");
            }

        Assert.True(failures.Count == 0, $"{failures.Count} calls were not refused with 401:\n  " + string.Join("\n  ", failures));
        Assert.True(before == await MatrixKit.SnapshotAsync(factory, a.Id, keyUsage: false), "A call refused 401 changed the partnership's rows.");
    }

    [SkippableFact]
    public async Task A_client_bound_to_an_agency_pushes_only_that_agencys_indicators()
    {
        var routes = MatrixKit.Routes(factory);
        Skip.IfNot(MatrixKit.Has(routes, "POST", "/observations") && MatrixKit.Has(routes, "POST", "/indicators"),
            "The batch push does not exist yet.");
        var a = await MatrixKit.PopulateAsync(factory, "agency", routes);
        var t = a.Tenant;
        var councils = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), new
        {
            code = "ASB-CALLS", name = "ASB calls", description = (string?)null, unit = "count", direction = "decrease", frequency = "monthly",
            sourceAgencyId = a.OtherAgencyId, priorityIds = Array.Empty<Guid>(), baseline = (object?)null, target = (object?)null,
        }), HttpStatusCode.Created);
        var (met, _, _) = await t.KeyAsync([Scopes.ObservationsWrite], a.AgencyId);
        var storedBefore = await Count(t, councils.Id());

        var response = await met.PostAsJsonAsync(t.Path("/observations"), new
        {
            observations = new object[]
            {
                new { indicator = "ASB-CALLS", period = "2024-09", area = "E09000028", value = 412, status = "provisional", note = (string?)null },
                new { indicator = a.IndicatorCode, period = "2024-09", area = "E09000028", value = 170, status = "provisional", note = (string?)null },
            },
        });

        var result = await TestTenant.Expect(response, HttpStatusCode.OK);
        Assert.Equal("partial", result.Str("status"));
        Assert.Equal(1, result["rejected"]!.GetValue<int>());
        Assert.Equal(1, result["created"]!.GetValue<int>());
        var conflict = Assert.Single(result["conflicts"]!.AsArray())!.AsObject();
        Assert.Equal(0, conflict["index"]!.GetValue<int>());
        Assert.Equal("forbidden_indicator", conflict.Str("code"));
        Assert.Equal("indicator", conflict.Str("field"));
        Assert.Equal(storedBefore, await Count(t, councils.Id()));
        Assert.Equal(0, await Count(t, councils.Id()));

        // Atomic: the forbidden row rejects the whole batch and nothing is stored.
        var ownBefore = await t.Factory.ScalarAsync<long>("SELECT COUNT(*) FROM observations WHERE partnership_id = @p", new { p = t.Id });
        var atomic = await TestTenant.Expect(await met.PostAsJsonAsync(t.Path("/observations?atomic=true"), new
        {
            observations = new object[]
            {
                new { indicator = a.IndicatorCode, period = "2024-10", area = "E09000028", value = 160, status = "provisional", note = (string?)null },
                new { indicator = "ASB-CALLS", period = "2024-10", area = "E09000028", value = 401, status = "provisional", note = (string?)null },
            },
        }), HttpStatusCode.OK);
        Assert.Equal("rejected", atomic.Str("status"));
        Assert.Contains(atomic["conflicts"]!.AsArray(), c => c!["code"]!.GetValue<string>() == "forbidden_indicator" && c["index"]!.GetValue<int>() == 1);
        Assert.Equal(ownBefore, await t.Factory.ScalarAsync<long>("SELECT COUNT(*) FROM observations WHERE partnership_id = @p", new { p = t.Id }));
    }

    private static Task<long> Count(TestTenant t, Guid indicatorId) =>
        t.Factory.ScalarAsync<long>("SELECT COUNT(*) FROM observations WHERE partnership_id = @p AND indicator_id = @i",
            new { p = t.Id, i = indicatorId });

    private static object? PartnershipBody(ApiRoute route) => route.Method == "POST"
        ? new { slug = $"hijack-{Guid.NewGuid():N}"[..20], name = "Hijack", areaCode = "E09000028", publicRead = false }
        : null;
}
