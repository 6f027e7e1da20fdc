using System.Net;
using System.Net.Http.Json;
using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using Csp.GeneratedClient;

namespace Csp.Api.Tests.Contract;

/// <summary>
/// What a partner does with the contract: generate a client (NSwag, tests/Csp.Api.Client, built from
/// openapi/v1.json) and call the service with it. The HttpClient underneath still validates every
/// response against the contract.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class GeneratedClientTests(CspApiFactory factory)
{
    [Fact]
    public async Task A_portal_reads_the_whole_plan_with_the_generated_client()
    {
        var t = await TestTenant.CreateAsync(factory, "gen");
        var plan = await t.CreatePlanAsync("Safer Southwark Plan 2025-26");
        var priority = await t.CreatePriorityAsync(plan.Id(), "P1", "Reducing violence");
        await t.CreateCommitmentAsync(priority.Id(), "C1", "Night-time safety spaces");
        var (reader, _, _) = await t.KeyAsync(["read"]);

        var document = await new CspApiClient(reader).GetPlanAsync(t.Slug, plan.Id());

        Assert.Equal("Safer Southwark Plan 2025-26", document.Title);
        Assert.Equal(new DateTimeOffset(2025, 4, 1, 0, 0, 0, TimeSpan.Zero), document.PeriodStart);
        Assert.Equal(PlanStatus.Draft, document.Status);
        var p1 = Assert.Single(document.Priorities);
        Assert.Equal("P1", p1.Code);
        Assert.Equal("Night-time safety spaces", Assert.Single(p1.Commitments).Title);
    }

    [Fact]
    public async Task An_agency_feed_pushes_observations_with_the_generated_client()
    {
        var t = await TestTenant.CreateAsync(factory, "gen");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await t.CreateIndicatorAsync(met, "ROB-PERSONAL");
        var (feed, _, _) = await t.KeyAsync(["observations:write", "read"], met);

        var result = await Explain(() => new CspApiClient(feed).PushObservationsAsync(t.Slug, new ObservationBatch
        {
            Observations =
            [
                new ObservationInput { Indicator = "ROB-PERSONAL", Period = "2024-06", Area = "E09000028", Value = 187, Status = ObservationStatus.Provisional, Note = "CONNECT extract 2024-07-06" },
                new ObservationInput { Indicator = "ROB-PERSONAL", Period = "2024-07", Area = "E09000028", Value = 0, Status = ObservationStatus.Final },
            ],
        }));

        Assert.Equal(BatchStatus.Ok, result.Status);
        Assert.Equal(2, result.Created);
        Assert.Empty(result.Conflicts);
        Assert.Equal(2L, await factory.ScalarAsync<long>(
            "SELECT COUNT(*) FROM observations WHERE partnership_id = @p", new { p = t.Id.ToString() }));
    }

    [Fact]
    public async Task A_portal_pages_a_list_and_filters_by_a_set_with_the_generated_client()
    {
        var t = await TestTenant.CreateAsync(factory, "gen");
        var plan = await t.CreatePlanAsync();
        var priority = await t.CreatePriorityAsync(plan.Id());
        var codes = new[] { "C1", "C2", "C3", "C4", "C5" };
        var ids = new List<Guid>();
        foreach (var code in codes) ids.Add((await t.CreateCommitmentAsync(priority.Id(), code, $"Commitment {code}")).Id());
        foreach (var (id, status) in new[] { (ids[1], "off_track"), (ids[3], "at_risk"), (ids[4], "completed") })
            await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/commitments/{id}/updates"), new { status, commentary = "As reported" }),
                HttpStatusCode.Created);
        var (reader, _, _) = await t.KeyAsync(["read"]);
        var client = new CspApiClient(reader);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await client.ListPlanCommitmentsAsync(t.Slug, plan.Id(), limit: 2, cursor: cursor);
            Assert.InRange(page.Items.Count, 1, 2);
            seen.AddRange(page.Items.Select(c => c.Code));
            cursor = page.NextCursor;
            pages++;
        } while (cursor is not null);

        Assert.Equal(codes, seen);
        Assert.Equal(3, pages);
        var troubled = await client.ListPlanCommitmentsAsync(t.Slug, plan.Id(), status: [CommitmentStatus.Off_track, CommitmentStatus.At_risk]);
        Assert.Equal(["C2", "C4"], troubled.Items.Select(c => c.Code));
    }

    /// <summary>A refused call fails with the server's problem, not just the client's exception type.</summary>
    private static async Task<T> Explain<T>(Func<Task<T>> call)
    {
        try { return await call(); }
        catch (ApiException<HttpValidationProblemDetails> e)
        {
            var errors = string.Join("; ", e.Result.Errors?.Select(kv => $"{kv.Key}: {string.Join(" ", kv.Value)}") ?? []);
            throw new Xunit.Sdk.XunitException($"{e.StatusCode} {e.Result.Title}: {e.Result.Detail} {errors}");
        }
    }
}
