using Csp.Api.Tests.Indicators;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observations;

/// <summary>
/// A push compares each row with the stored row of its key. On SQLite a run of keys of one indicator and period is read by one scan
/// over its areas, among which other areas' rows are stored too, and a run whose range holds many more rows than it has keys by a
/// seek per key: either way each key finds its own stored row and no other.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class StoredRowReadTests(CspApiFactory factory)
{
    private static object Ward(int i, decimal value) => Row("ROB-PERSONAL", "2024-06", value, $"E05{i:D6}");

    /// <summary>June 2024 values for wards 1 to 20 (ward i holds i).</summary>
    private async Task<(TestTenant T, Guid Indicator)> TwentyWardsAsync(string slug)
    {
        var t = await TestTenant.CreateAsync(factory, slug, areaCheck: "off");
        var indicator = (await t.CreateIndicatorAsync((await t.CreateAgencyAsync("MET")).Id())).Id();
        await t.Admin.PushOkAsync(t, Enumerable.Range(1, 20).Select(i => Ward(i, i)));
        return (t, indicator);
    }

    [Fact]
    public async Task A_run_of_keys_finds_its_own_stored_rows_among_the_other_areas_in_its_range()
    {
        var (t, indicator) = await TwentyWardsAsync("runread");

        // Wards 2 to 10 every other one (wards 3, 5, 7, 9 and 11 to 20 are stored between and after them), and a new ward 31.
        var result = await t.Admin.PushOkAsync(t, [Ward(2, 2), Ward(4, 40), Ward(6, 6), Ward(8, 80), Ward(10, 10), Ward(31, 31)]);

        Assert.Equal((1, 2, 3), (result.Int("created"), result.Int("updated"), result.Int("unchanged")));
        var stored = (await t.StoredAsync(indicator)).ToDictionary(o => o.Area, o => o.Value);
        Assert.Equal(21, stored.Count);
        Assert.Equal(("40", "80", "3", "31"), (stored["E05000004"], stored["E05000008"], stored["E05000003"], stored["E05000031"]));
        Assert.Equal(2L, await t.CountAsync("observation_revisions"));
    }

    [Fact]
    public async Task A_run_whose_range_holds_many_more_rows_than_keys_finds_each_key_s_row()
    {
        var (t, indicator) = await TwentyWardsAsync("sparseread");

        // Four keys over the range of all twenty wards.
        var result = await t.Admin.PushOkAsync(t, [Ward(1, 1), Ward(2, 2), Ward(3, 30), Ward(20, 200)]);

        Assert.Equal((0, 2, 2), (result.Int("created"), result.Int("updated"), result.Int("unchanged")));
        var stored = (await t.StoredAsync(indicator)).ToDictionary(o => o.Area, o => o.Value);
        Assert.Equal(20, stored.Count);
        Assert.Equal(("30", "200", "19"), (stored["E05000003"], stored["E05000020"], stored["E05000019"]));
    }
}
