using System.Net;
using System.Net.Http.Json;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.Security;

[Collection(SecurityCollection.Name)]
public sealed class KeyLifecycleTests(CspApiFactory factory)
{
    [Fact]
    public async Task Keys_carry_the_scanner_prefix_and_a_past_expiry_is_refused()
    {
        var t = await TestTenant.CreateAsync(factory);
        var created = await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/clients"),
            new { name = "feed", scopes = new[] { "read" }, expiresAt = DateTimeOffset.UtcNow.AddDays(30) }), HttpStatusCode.Created);
        Assert.StartsWith("csp_", created.Str("key"));
        Assert.NotNull(created["expiresAt"]);

        var past = await t.Admin.PostAsJsonAsync(t.Path("/clients"), new { name = "old", scopes = new[] { "read" }, expiresAt = "2020-01-01T00:00:00Z" });
        var problem = await TestTenant.ExpectProblem(past, HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["expiresAt"]);
    }

    [Fact]
    public async Task An_expired_key_is_401()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (reader, _, clientId) = await t.KeyAsync(["read"]);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(t.Path())).StatusCode);

        // Expire it in the database (time cannot be moved in the running server).
        Assert.Equal(1, await factory.ExecuteAsync("UPDATE clients SET expires_at = @past WHERE id = @id",
            new { past = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), id = clientId }));
        await TestTenant.ExpectProblem(await reader.GetAsync(t.Path()), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Last_use_is_recorded_in_a_batch_not_per_request()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (reader, _, clientId) = await t.KeyAsync(["read"]);
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(t.Path())).StatusCode);
        var sql = "SELECT last_used_at FROM clients WHERE id = @id";
        var args = new { id = clientId.ToString() };

        Assert.Null((await factory.QueryAsync<DateTimeOffset?>(sql, args)).Single()); // no write on the request path

        await factory.Services.GetRequiredService<KeyUsage>().FlushAsync(CancellationToken.None);
        var recorded = (await factory.QueryAsync<DateTimeOffset?>(sql, args)).Single();
        Assert.NotNull(recorded);
        var listed = await TestTenant.Expect(await t.Admin.GetAsync(t.Path($"/clients/{clientId}")), HttpStatusCode.OK);
        Assert.NotNull(listed["lastUsedAt"]);
    }

    [Fact]
    public async Task Rotation_is_create_new_then_revoke_old()
    {
        var t = await TestTenant.CreateAsync(factory);
        var (oldKey, _, oldId) = await t.KeyAsync(["read"]);
        var (newKey, _, _) = await t.KeyAsync(["read"]);
        await TestTenant.Expect(await t.Admin.DeleteAsync(t.Path($"/clients/{oldId}")), HttpStatusCode.NoContent);

        await TestTenant.ExpectProblem(await oldKey.GetAsync(t.Path()), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await newKey.GetAsync(t.Path())).StatusCode);
    }
}
