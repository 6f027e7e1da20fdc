using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Infrastructure;
using Dapper;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Plans;

/// <summary>
/// The cheap "has anything changed?" check in front of cached reads (on SQLite, PRAGMA data_version on the kept connections;
/// on SQL Server every read asks the database): every commit by another connection, in this process, in another process, or
/// outside the API altogether, must still reach the next read at once, again and again, on the 200 and the 304 paths.
/// </summary>
[Collection(PlansCollection.Name)]
public sealed class ChangeDetectionTests(CspApiFactory factory)
{
    [Fact]
    public async Task Writes_through_another_process_invalidate_the_document_every_time_not_only_the_first()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 0);
        var path = t.Path($"/plans/{plan.PlanId}");
        var etag = ETagOf(await t.Admin.GetAsync(path));

        await using var other = new SecondProcessFactory(factory.Database);
        var otherAdmin = other.ClientWithKey(t.AdminKey);
        foreach (var status in new[] { "at_risk", "off_track", "completed" })
        {
            // Several cached reads first, so the quick check has remembered "nothing changed" on every kept connection.
            for (var i = 0; i < 5; i++)
                Assert.Equal(HttpStatusCode.NotModified, (await t.Admin.SendAsync(HttpMethod.Get, path, ifNoneMatch: etag)).StatusCode);

            await TestTenant.Expect(await otherAdmin.PostAsJsonAsync(t.Path($"/commitments/{plan.CommitmentIds[0]}/updates"),
                new { status, commentary = $"Now {status}, recorded by replica 2" }), HttpStatusCode.Created);

            var response = await t.Admin.SendAsync(HttpMethod.Get, path, ifNoneMatch: etag);
            var doc = await TestTenant.Expect(response, HttpStatusCode.OK);
            Assert.Equal(status, doc["priorities"]![0]!["commitments"]![0]!["status"]!.GetValue<string>());
            Assert.NotEqual(etag, ETagOf(response));
            etag = ETagOf(response);
        }
    }

    [Fact]
    public async Task A_key_revoked_through_another_process_is_refused_at_once_on_the_304_path()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 0);
        var (reader, _, readerId) = await t.KeyAsync(["read"]);
        var path = t.Path($"/plans/{plan.PlanId}");
        var etag = ETagOf(await reader.GetAsync(path));
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(HttpMethod.Get, path, ifNoneMatch: etag)).StatusCode);

        await using (var other = new SecondProcessFactory(factory.Database))
            Assert.Equal(HttpStatusCode.NoContent, (await other.ClientWithKey(t.AdminKey).DeleteAsync(t.Path($"/clients/{readerId}"))).StatusCode);

        await TestTenant.ExpectProblem(await reader.SendAsync(HttpMethod.Get, path, ifNoneMatch: etag), HttpStatusCode.Unauthorized);
        await TestTenant.ExpectProblem(await reader.GetAsync(path), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("revoked_at = updated_at")]
    [InlineData("expires_at = created_at")]
    public async Task A_key_revoked_or_expired_by_an_edit_outside_the_API_is_refused_at_once(string edit)
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 0);
        var (reader, _, readerId) = await t.KeyAsync(["read"]);
        var path = t.Path($"/plans/{plan.PlanId}");
        var etag = ETagOf(await reader.GetAsync(path));
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.NotModified, (await reader.SendAsync(HttpMethod.Get, path, ifNoneMatch: etag)).StatusCode);

        // No audit event, no API: only the database changes, on a connection of its own.
        await using (var raw = await factory.Database.OpenConnectionAsync())
            Assert.Equal(1, await raw.ExecuteAsync($"UPDATE clients SET {edit} WHERE id = @id", new { id = readerId }));

        await TestTenant.ExpectProblem(await reader.SendAsync(HttpMethod.Get, path, ifNoneMatch: etag), HttpStatusCode.Unauthorized);
        await TestTenant.ExpectProblem(await reader.GetAsync(path), HttpStatusCode.Unauthorized);
    }
}
