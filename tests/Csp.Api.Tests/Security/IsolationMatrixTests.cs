using System.Net;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Security;

/// <summary>
/// Issue 3, point 1 (OWASP API1, BOLA): every route of the app, called with partnership A's admin key about
/// partnership B — by B's slug, or by A's slug with the ids of B's resources — answers 404, and B's data is unchanged.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class IsolationMatrixTests(CspApiFactory factory)
{
    [Fact]
    public void Every_tenant_route_is_in_the_matrix()
    {
        var mapped = MatrixKit.Routes(factory).Where(r => r.IsTenant).Select(r => r.Key).ToHashSet();
        var known = MatrixKit.TenantRoutes.Keys.ToHashSet();

        var missing = mapped.Except(known).Order(StringComparer.Ordinal).ToList();
        var gone = known.Except(mapped).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0,
            "Routes the isolation and scope matrices do not cover (add each to MatrixKit.TenantRoutes with a valid body, " +
            "and its resources to MatrixKit.PopulateAsync):\n  " + string.Join("\n  ", missing));
        Assert.True(gone.Count == 0, "MatrixKit.TenantRoutes lists routes the app no longer maps:\n  " + string.Join("\n  ", gone));
    }

    [Fact]
    public void Every_route_outside_the_tenant_is_known()
    {
        var outside = MatrixKit.Routes(factory).Where(r => !r.IsTenant).Select(r => r.Key).ToHashSet();

        var unknown = outside.Except(MatrixKit.OutsideRoutes).Order(StringComparer.Ordinal).ToList();
        Assert.True(unknown.Count == 0, "Routes outside /v1/partnerships/{partnership} that no matrix covers:\n  " + string.Join("\n  ", unknown));
        Assert.Empty(MatrixKit.OutsideRoutes.Except(outside));
    }

    [Fact]
    public async Task A_key_of_partnership_a_reaches_nothing_of_partnership_b_on_any_route()
    {
        var routes = MatrixKit.Routes(factory);
        var tenantRoutes = routes.Where(r => r.IsTenant && MatrixKit.TenantRoutes.ContainsKey(r.Key)).ToList();
        Assert.NotEmpty(tenantRoutes);
        var a = await MatrixKit.PopulateAsync(factory, "iso-a", routes);
        var b = await MatrixKit.PopulateAsync(factory, "iso-b", routes);
        var before = await MatrixKit.SnapshotAsync(factory, b.Id);
        var failures = new List<string>();
        var calls = 0;
        var n = 0;

        foreach (var route in tenantRoutes)
        {
            var body = MatrixKit.TenantRoutes[route.Key];
            var method = new HttpMethod(route.Method);

            // (a) B's slug (and B's ids): the tenant check answers before anything else, body included.
            var bySlug = route.Path(b.Values);
            var answer = await MatrixKit.SendAsync(a.Tenant.Admin, method, bySlug, body(b, ++n));
            calls++;
            if (MatrixKit.ProblemMismatch(answer, 404) is { } why) failures.Add($"(a) {route.Method} {bySlug} [{route.Pattern}]: {why}");

            // (b) A's own slug with the ids of B's resources: must look exactly like an id that does not exist.
            if (!route.HasResourceParameters) continue;
            var values = new Dictionary<string, string>(b.Values) { ["partnership"] = a.Slug };
            var byId = route.Path(values);
            answer = await MatrixKit.SendAsync(a.Tenant.Admin, method, byId, body(a, ++n));
            calls++;
            if (MatrixKit.ProblemMismatch(answer, 404) is { } whyId) failures.Add($"(b) {route.Method} {byId} [{route.Pattern}]: {whyId}");
        }

        var after = await MatrixKit.SnapshotAsync(factory, b.Id);
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {calls} calls with partnership A's admin key did not answer 404 problem+json:\n  " + string.Join("\n  ", failures));
        Assert.True(before == after, "Partnership B's rows changed:\n" + FirstDifference(before, after));
        // The calls were made, and B is still whole for its own key.
        Assert.True(calls > tenantRoutes.Count);
        await TestTenant.Expect(await b.Tenant.Admin.GetAsync(b.Tenant.Path($"/plans/{b.Values["planId"]}")), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Platform_routes_answer_403_to_a_tenant_admin_and_public_routes_need_no_key()
    {
        var routes = MatrixKit.Routes(factory).Where(r => !r.IsTenant).ToList();
        var a = await TestTenant.CreateAsync(factory, "iso-out");
        var anonymous = factory.ClientWithKey(null);
        var partnershipsBefore = await factory.ScalarAsync<long>("SELECT COUNT(*) FROM partnerships WHERE slug LIKE 'hijack-%'");
        var failures = new List<string>();

        foreach (var route in routes)
        {
            var method = new HttpMethod(route.Method);
            if (route.Pattern.StartsWith("/v1/", StringComparison.Ordinal) || route.Pattern == "/v1")
            {
                var body = route.Method == "POST"
                    ? new { slug = $"hijack-{Guid.NewGuid():N}"[..20], name = "Hijack", areaCode = "E09000028", publicRead = false }
                    : null;
                Assert.Equal(Csp.Api.Infrastructure.Auth.Scopes.Platform, route.Scope);
                var answer = await MatrixKit.SendAsync(a.Admin, method, route.Pattern, body);
                if (MatrixKit.ProblemMismatch(answer, 403) is { } why) failures.Add($"{route.Key} with a tenant admin key: {why}");
            }
            else if (route.Pattern == "/metrics")
            {
                // Its own guard (Observability/MetricsAccessTests): the operator's key or an allowed network, and the test
                // server's caller has no address. Not in the contract, so asked off it.
                foreach (var key in new[] { null, a.AdminKey })
                {
                    var refused = await MatrixKit.SendAsync(factory.OffContractClient(key), method, route.Pattern, null);
                    if (MatrixKit.ProblemMismatch(refused, 401) is { } why) failures.Add($"{route.Key} with {(key is null ? "no key" : "a tenant admin key")}: {why}");
                }
            }
            else
            {
                var path = route.Pattern.Replace("{documentName}", "v1", StringComparison.Ordinal);
                var answer = await MatrixKit.SendAsync(anonymous, method, path, null);
                if (answer.Error is not null || answer.Status != 200) failures.Add($"{route.Key} without a key: {answer.Status} {answer.Error} {MatrixKit.Excerpt(answer.Body)}");
            }
        }

        var swagger = await anonymous.GetAsync("/swagger/index.html");
        if (swagger.StatusCode != HttpStatusCode.OK) failures.Add($"GET /swagger/index.html without a key: {(int)swagger.StatusCode}");

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(partnershipsBefore, await factory.ScalarAsync<long>("SELECT COUNT(*) FROM partnerships WHERE slug LIKE 'hijack-%'"));
    }

    private static string FirstDifference(string before, string after)
    {
        var x = before.Split('\n');
        var y = after.Split('\n');
        for (var i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            var l = i < x.Length ? x[i] : "(none)";
            var r = i < y.Length ? y[i] : "(none)";
            if (l != r) return $"  before: {l}\n  after:  {r}";
        }
        return "(no line differs)";
    }
}
