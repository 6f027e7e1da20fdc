using System.Data.SqlTypes;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Tests.Sql;

/// <summary>
/// Lists are "in creation order" by id on both engines. SQLite compares the stored lower-case text; SQL Server would compare
/// <c>uniqueidentifier</c> values last-six-bytes first (the order <see cref="SqlGuid"/> implements), so its dialect compares
/// <c>CONVERT(char(36), id)</c> byte by byte: the upper-case text.
/// </summary>
public sealed class IdOrderTests
{
    private static List<Guid> MadeInOrder()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 3000; i++)
        {
            ids.Add(Ids.New());
            if (i % 500 == 0) Thread.Sleep(2); // several milliseconds, not only the counter
        }
        return ids;
    }

    [Fact]
    public void SqlServer_uniqueidentifier_order_is_not_creation_order_but_its_char36_text_is()
    {
        var made = MadeInOrder();

        var byUniqueIdentifier = made.OrderBy(id => new SqlGuid(id)).ToList();
        var byUpperText = made.OrderBy(id => id.ToString("D").ToUpperInvariant(), StringComparer.Ordinal).ToList();
        var byLowerText = made.OrderBy(id => id.ToString("D"), StringComparer.Ordinal).ToList();

        Assert.NotEqual(made, byUniqueIdentifier); // why IdKey exists
        Assert.Equal(made, byUpperText);           // SQL Server: CONVERT(char(36), id) COLLATE Latin1_General_BIN2
        Assert.Equal(made, byLowerText);           // SQLite: the stored text
    }

    [Fact]
    public void Ids_made_on_several_threads_never_share_their_random_bytes()
    {
        // The random part (rand_b: the last 8 bytes but the variant bits) comes from a pool of bytes per thread, each used once.
        var made = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 20_000; i++) made.Add(Ids.New());
        });

        var randomParts = made.Select(id => Convert.ToHexString(id.ToByteArray(bigEndian: true), 9, 7)).ToList();
        Assert.Equal(80_000, randomParts.Distinct().Count());
        Assert.All(made, id => Assert.Equal(0x80, id.ToByteArray(bigEndian: true)[8] & 0xC0)); // RFC 9562 variant
        Assert.All(made, id => Assert.Equal(7, id.Version));
    }

    [Fact]
    public void The_dialects_compare_ids_as_their_text()
    {
        Assert.Equal("c.id", new SqliteDialect().IdKey("c.id"));
        Assert.Equal("CONVERT(char(36), c.id) COLLATE Latin1_General_BIN2", new SqlServerDialect().IdKey("c.id"));
        Assert.Equal("CONVERT(char(36), @After) COLLATE Latin1_General_BIN2", new SqlServerDialect().IdKey("@After"));
    }

    [Fact]
    public void A_list_of_ids_is_one_JSON_parameter_whatever_its_length_on_both_engines()
    {
        var ids = Enumerable.Range(0, 5000).Select(_ => Ids.New()).ToList();

        var value = SqlDialect.IdList(ids);

        Assert.Equal(ids, System.Text.Json.JsonSerializer.Deserialize<List<Guid>>(value));
        Assert.StartsWith($"[\"{ids[0]:D}\",", value, StringComparison.Ordinal); // the lower-case text SQLite stores
        Assert.Equal("x.id IN (SELECT j.id FROM OPENJSON(@ids) WITH (id uniqueidentifier '$') j)", new SqlServerDialect().InIds("x.id", "@ids"));
        Assert.Equal("x.id IN (SELECT value FROM json_each(@ids))", new SqliteDialect().InIds("x.id", "@ids"));
    }
}
