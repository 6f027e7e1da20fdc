using System.Net;
using System.Net.Http.Json;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Csp.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Csp.Api.Tests.Security;

/// <summary>
/// The resolver behind authentication reuses what it read only while its <see cref="IChangeWatch"/> says nothing was committed
/// since; these drive the watch by hand, so the resolver's side of that contract is tested apart from SQLite's header.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class TenantResolverTests(CspApiFactory factory)
{
    private sealed class HandWatch : IChangeWatch
    {
        public ChangeStamp? Stamp { get; set; } = new ChangeStamp(1, 1, 1, 1, 1, 1);

        public ChangeStamp? Now() => Stamp;

        public void Commit() => Stamp = Stamp is { } s ? s with { A = s.A + 1 } : null;
    }

    private TenantResolver Resolver(IChangeWatch watch) => new(factory.Services.GetRequiredService<TenantQueries>(), watch);

    private static DefaultHttpContext Request(string slug)
    {
        var http = new DefaultHttpContext();
        http.Request.RouteValues["partnership"] = slug;
        return http;
    }

    private Task<int> SetPublicReadAsync(TestTenant t, bool on) =>
        factory.ExecuteAsync("UPDATE partnerships SET public_read = @on WHERE id = @id", new { on, id = t.Id });

    [Fact]
    public async Task A_resolution_is_reused_only_while_the_watch_reports_no_commit()
    {
        var t = await TestTenant.CreateAsync(factory);
        var watch = new HandWatch();
        var resolver = Resolver(watch);
        Assert.False((await resolver.PartnershipAsync(Request(t.Slug), t.Slug))!.PublicRead);

        await SetPublicReadAsync(t, true);
        // The watch says nothing moved, so the remembered answer stands (this is the reuse the watch must be right about).
        Assert.False((await resolver.PartnershipAsync(Request(t.Slug), t.Slug))!.PublicRead);

        watch.Commit();
        Assert.True((await resolver.PartnershipAsync(Request(t.Slug), t.Slug))!.PublicRead);
    }

    [Fact]
    public async Task Without_a_stamp_nothing_is_reused()
    {
        var t = await TestTenant.CreateAsync(factory);
        var resolver = Resolver(new HandWatch { Stamp = null });
        Assert.False((await resolver.PartnershipAsync(Request(t.Slug), t.Slug))!.PublicRead);

        await SetPublicReadAsync(t, true);

        Assert.True((await resolver.PartnershipAsync(Request(t.Slug), t.Slug))!.PublicRead);
    }

    [Fact]
    public async Task An_unknown_slug_or_a_key_of_another_partnership_is_never_remembered()
    {
        var a = await TestTenant.CreateAsync(factory);
        var slug = $"later-{Guid.NewGuid():N}"[..24];
        var resolver = Resolver(new HandWatch());
        Assert.Null(await resolver.PartnershipAsync(Request(slug), slug));
        var keyId = ApiKeys.KeyIdOf(a.AdminKey)!;
        Assert.Equal(a.Id, (await resolver.FindKeyAsync(Request(slug), keyId))!.PartnershipId);

        var platform = factory.ClientWithKey(CspApiFactory.PlatformKey);
        await TestTenant.Expect(await platform.PostAsJsonAsync("/v1/partnerships", new { slug, name = "Later", areaCode = "E09000028" }),
            HttpStatusCode.Created);
        // The same watch stamp: found now, because neither miss was kept.
        Assert.NotNull(await resolver.PartnershipAsync(Request(slug), slug));
        await factory.ExecuteAsync("UPDATE clients SET revoked_at = created_at WHERE key_id = @keyId", new { keyId });
        Assert.NotNull((await resolver.FindKeyAsync(Request(slug), keyId))!.RevokedAt);
    }

    [Fact]
    public async Task One_request_reads_once_whoever_asks()
    {
        var t = await TestTenant.CreateAsync(factory);
        var resolver = Resolver(new HandWatch { Stamp = null });
        var http = Request(t.Slug);
        var keyId = ApiKeys.KeyIdOf(t.AdminKey)!;
        var key = await resolver.FindKeyAsync(http, keyId);

        await SetPublicReadAsync(t, true);

        // Authorization's and the cached reads' questions are answered from the request's one look-up.
        Assert.False((await resolver.PartnershipAsync(http, t.Slug))!.PublicRead);
        Assert.Same(key, await resolver.FindKeyAsync(http, keyId));
        Assert.Equal(t.Id, TenantResolver.Resolved(http)!.Partnership!.Id);
    }

    [Fact]
    public void The_watch_is_the_WAL_header_for_a_SQLite_file_and_none_otherwise()
    {
        using (var file = ChangeWatch.For(Db.Create(DatabaseProvider.Sqlite, "Data Source=/tmp/csp-none/x.db")) as WalChangeWatch)
            Assert.NotNull(file);
        Assert.Null(ChangeWatch.For(Db.Create(DatabaseProvider.Sqlite, "Data Source=:memory:")).Now());
        Assert.Null(ChangeWatch.For(Db.Create(DatabaseProvider.SqlServer, "Server=nowhere;Database=none")).Now());
    }
}
