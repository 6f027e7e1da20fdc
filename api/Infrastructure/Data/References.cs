namespace Csp.Api.Infrastructure.Data;

/// <summary>The rows a request may name by id (an agency, a priority), checked inside the write that names them, so the
/// check and the write see the same data.</summary>
public sealed record References(string Table, string Noun)
{
    public static readonly References Agencies = new("agencies", "agency");
    public static readonly References Priorities = new("priorities", "priority");
    public static readonly References Commitments = new("commitments", "commitment");
    public static readonly References Indicators = new("indicators", "indicator");
    public static readonly References Outcomes = new("outcomes", "outcome");

    /// <summary>Per request field, a message for each id that is not a row of this partnership (empty when all are).</summary>
    public async Task<Dictionary<string, string[]>> UnknownAsync(WriteUnit w, IEnumerable<(string Field, Guid? Id)> references)
    {
        var named = references.Where(r => r.Id is not null).Select(r => (r.Field, Id: r.Id!.Value)).ToList();
        if (named.Count == 0) return [];
        var found = (await w.QueryAsync<Guid>($"""
            SELECT id FROM {Table} WHERE partnership_id = @PartnershipId AND {w.Dialect.InIds("id", "@wanted")}
            """, new { w.PartnershipId, wanted = SqlDialect.IdList(named.Select(r => r.Id).Distinct()) })).ToHashSet();
        return named.Where(r => !found.Contains(r.Id)).GroupBy(r => r.Field)
            .ToDictionary(g => g.Key, g => g.Select(r => $"There is no {Noun} {r.Id} in this partnership.").ToArray());
    }

    /// <summary>Invalid when any id is unknown (see <see cref="UnknownAsync"/>), else null.</summary>
    public async Task<WriteRefusal?> CheckAsync(WriteUnit w, IEnumerable<(string Field, Guid? Id)> references) =>
        WriteRefusal.InvalidIfAny(await UnknownAsync(w, references));
}
