using System.IO.Compression;
using System.Net;
using System.Text;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Plans.PlanTestKit;

namespace Csp.Api.Tests.Plans;

/// <summary>Issue 5, point 3: the whole plan is sent br- or gzip-compressed when Accept-Encoding allows it, from bytes compressed
/// once per document version; each coding has its own strong ETag, any of which revalidates; caches are told to vary on it.</summary>
[Collection(PlansCollection.Name)]
public sealed class ContentCodingTests(CspApiFactory factory)
{
    private const string Browser = "gzip, deflate, br";
    private const string Vary = "Origin, X-Api-Key, Accept-Encoding";

    [Fact]
    public async Task Br_and_gzip_answers_decompress_to_exactly_the_identity_bytes_each_with_its_own_ETag()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await PortalKit.BuildAsync(t, priorities: 2, commitmentsEach: 2, indicatorsEach: 1);
        var path = t.Path($"/plans/{plan.PlanId}");

        var identity = await GetAsync(t.Admin, path);
        var br = await GetAsync(t.Admin, path, "br");
        var gzip = await GetAsync(t.Admin, path, "gzip");

        var bytes = await Representation(identity, null);
        Assert.Equal(bytes, Decode(await Representation(br, "br"), "br"));
        Assert.Equal(bytes, Decode(await Representation(gzip, "gzip"), "gzip"));
        Assert.True((await br.Content.ReadAsByteArrayAsync()).Length < bytes.Length / 2, "br should be well under half the document");
        var hash = ETagOf(identity).Trim('"');
        Assert.Equal($"\"{hash}-br\"", ETagOf(br));
        Assert.Equal($"\"{hash}-gzip\"", ETagOf(gzip));
        // The document itself is what every other test reads: compression changed nothing in it.
        Assert.Equal(plan.PlanId, (await TestTenant.Expect(identity, HttpStatusCode.OK)).Id());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("identity")]
    [InlineData("gzip;q=0")]
    [InlineData("gzip;q=0, br;q=0.000")]
    [InlineData("*;q=0")]
    [InlineData("deflate, zstd")]
    [InlineData("compress")]
    [InlineData("br;q=2")] // not a q-value: refused rather than guessed
    [InlineData("identity;q=1, gzip;q=0.5")]
    public async Task The_document_is_sent_as_is_when_Accept_Encoding_is_absent_or_accepts_neither_br_nor_gzip(string? acceptEncoding)
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 0);
        var path = t.Path($"/plans/{plan.PlanId}");
        var plain = await Representation(await GetAsync(t.Admin, path), null);

        var response = await GetAsync(t.Admin, path, acceptEncoding);

        Assert.Equal(plain, await Representation(response, null));
        Assert.DoesNotContain("-", ETagOf(response));
    }

    [Theory]
    [InlineData(Browser, "br")]
    [InlineData("gzip, deflate, br, zstd", "br")]
    [InlineData("br;q=0.5, gzip", "gzip")]
    [InlineData("gzip;q=1.0, br;q=0.999", "gzip")]
    [InlineData("br;q=0.8,gzip;q=0.9", "gzip")]
    [InlineData("*", "br")]
    [InlineData("br;q=0, *", "gzip")]
    [InlineData("*;q=0.5, gzip;q=0.4", "br")]
    [InlineData("gzip;q=0.5, identity;q=0.4", "gzip")]
    [InlineData("GZIP ; Q=0.8", "gzip")]
    [InlineData("x-gzip", "gzip")]
    [InlineData("deflate, gzip;q=0.1", "gzip")]
    public async Task The_coding_with_the_highest_q_value_is_chosen_br_on_a_tie(string acceptEncoding, string expected)
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 0);
        var path = t.Path($"/plans/{plan.PlanId}");
        var plain = await Representation(await GetAsync(t.Admin, path), null);

        var response = await GetAsync(t.Admin, path, acceptEncoding);

        Assert.Equal(plain, Decode(await Representation(response, expected), expected));
        Assert.EndsWith($"-{expected}\"", ETagOf(response));
    }

    [Fact]
    public async Task If_None_Match_with_the_ETag_of_any_coding_is_304_with_the_ETag_of_the_one_asked_for()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 1);
        var path = t.Path($"/plans/{plan.PlanId}");
        var plain = ETagOf(await GetAsync(t.Admin, path));
        var br = ETagOf(await GetAsync(t.Admin, path, "br"));
        var gzip = ETagOf(await GetAsync(t.Admin, path, "gzip"));

        await NotModified(await GetAsync(t.Admin, path, Browser, ifNoneMatch: plain), br);
        await NotModified(await GetAsync(t.Admin, path, null, ifNoneMatch: br), plain);
        await NotModified(await GetAsync(t.Admin, path, "gzip", ifNoneMatch: $"\"stale\", {br}"), gzip);
        await NotModified(await GetAsync(t.Admin, path, "br", ifNoneMatch: "W/" + gzip), br);
        await NotModified(await GetAsync(t.Admin, path, "br", ifNoneMatch: "*"), br);
        // A tag this version never had is not a match, however close.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(t.Admin, path, "br", ifNoneMatch: plain[..^1] + "-deflate\"")).StatusCode);
    }

    [Fact]
    public async Task After_a_write_the_compressed_representations_are_of_the_new_document()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 1);
        var path = t.Path($"/plans/{plan.PlanId}");
        var before = await Representation(await GetAsync(t.Admin, path), null);
        var brBefore = await GetAsync(t.Admin, path, "br"); // both forms of this version are now compressed and kept
        var gzipBefore = await GetAsync(t.Admin, path, "gzip");

        await t.AddUpdateAsync(plan.CommitmentIds[0], "at_risk", "Slipping after the write");

        var after = await GetAsync(t.Admin, path);
        var afterBytes = await Representation(after, null);
        Assert.NotEqual(before, afterBytes);
        Assert.Contains("Slipping after the write", Encoding.UTF8.GetString(afterBytes));
        foreach (var (coding, old) in new[] { ("br", brBefore), ("gzip", gzipBefore) })
        {
            var response = await GetAsync(t.Admin, path, coding, ifNoneMatch: ETagOf(old));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{coding}: the old ETag must no longer match");
            Assert.Equal(afterBytes, Decode(await Representation(response, coding), coding));
            Assert.NotEqual(ETagOf(old), ETagOf(response));
            Assert.Equal(ETagOf(after).Trim('"') + $"-{coding}", ETagOf(response).Trim('"'));
        }
    }

    [Fact]
    public async Task The_public_read_and_the_current_plan_are_compressed_alike()
    {
        var t = await TestTenant.CreateAsync(factory, publicRead: true);
        var today = TodayUtc;
        var plan = await t.CreatePlanAsync("Current", Day(today.AddMonths(-1)), Day(today.AddMonths(11)));
        await t.CreatePriorityAsync(plan.Id(), "P1");
        await t.ApprovePlanAsync(plan.Id());
        var anonymous = factory.ClientWithKey(null);
        var path = t.Path($"/plans/{plan.Id()}");
        var plain = await Representation(await GetAsync(anonymous, path), null);

        var response = await GetAsync(anonymous, path, Browser);
        var current = await GetAsync(anonymous, t.Path("/plans/current"), Browser);

        Assert.Equal("public, max-age=60", response.CacheControl());
        Assert.Equal(plain, Decode(await Representation(response, "br"), "br"));
        Assert.Equal(plain, Decode(await Representation(current, "br"), "br"));
        Assert.Equal(ETagOf(response), ETagOf(current));
        var notModified = await GetAsync(anonymous, t.Path("/plans/current"), Browser, ifNoneMatch: ETagOf(response));
        await NotModified(notModified, ETagOf(response));
        Assert.Equal("public, max-age=60", notModified.CacheControl());
    }

    [Fact]
    public async Task Other_reads_are_not_compressed_and_do_not_vary_on_Accept_Encoding()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await PortalKit.BuildAsync(t, priorities: 1, commitmentsEach: 1, indicatorsEach: 1);

        foreach (var (path, accept) in new[]
                 {
                     ("/plans", "application/json"), ($"/plans/{plan.PlanId}/commitments", "application/json"),
                     ($"/plans/{plan.PlanId}/commitments", "text/csv"), ($"/indicators/{plan.IndicatorIds[0]}/observations", "application/json"),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, t.Path(path));
            request.Headers.TryAddWithoutValidation("Accept", accept);
            request.Headers.TryAddWithoutValidation("Accept-Encoding", Browser);
            var response = await t.Admin.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} ({accept}): {(int)response.StatusCode}");
            Assert.Empty(response.Content.Headers.ContentEncoding);
            Assert.DoesNotContain("Accept-Encoding", VaryOf(response) ?? "");
        }
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? acceptEncoding = null, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return await client.SendAsync(request);
    }

    /// <summary>The bytes of a 200 in <paramref name="coding"/> (null: as is), asserting the headers that go with them.</summary>
    private static async Task<byte[]> Representation(HttpResponseMessage response, string? coding)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string[] codings = coding is null ? [] : [coding];
        Assert.Equal(codings, response.Content.Headers.ContentEncoding);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Vary, VaryOf(response));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        return bytes;
    }

    private static async Task NotModified(HttpResponseMessage response, string etag)
    {
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal(etag, ETagOf(response));
        Assert.Equal(Vary, VaryOf(response));
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    private static byte[] Decode(byte[] bytes, string coding)
    {
        using var input = new MemoryStream(bytes);
        using Stream decoder = coding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    private static string? VaryOf(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("Vary", out var values) ? values.ToString() : null;
}
