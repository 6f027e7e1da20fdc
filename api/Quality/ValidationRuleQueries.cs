using System.Data.Common;
using Csp.Api.Areas;
using Csp.Api.Audit;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Data;
using Dapper;

namespace Csp.Api.Quality;

public sealed class ValidationRuleQueries(Db db, AuditedWriter writer)
{
    private sealed record Row(Guid Id, string Code, string? Description, string LeftSide, string Operator, string RightSide, string? Aggregate,
        string MissingValue, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public ValidationRule ToRule() => new(Id, Code, Description, LeftSide,
            EnumText<RuleOperator>.Parse(Operator), RightSide,
            Aggregate is null ? RuleAggregate.None : EnumText<RuleAggregate>.Parse(Aggregate), EnumText<MissingValueStrategy>.Parse(MissingValue),
            Version, CreatedAt, UpdatedAt);
    }

    private const string Columns = """
        id AS Id, code AS Code, description AS Description, left_side AS LeftSide, operator AS Operator, right_side AS RightSide,
        aggregate AS Aggregate, missing_value AS MissingValue, version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    /// <summary>Every rule of the partnership, its sides parsed (read once by each push and each violations list).</summary>
    internal static async Task<List<CompiledRule>> AllAsync(DbConnection c, DbTransaction? tx, Guid partnershipId, CancellationToken ct) =>
        (await c.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM validation_rules WHERE partnership_id = @partnershipId",
            new { partnershipId }, tx, cancellationToken: ct))).Select(r => CompiledRule.Of(r.ToRule())).ToList();

    public async Task<IReadOnlyList<ValidationRule>> ListAsync(Tenant tenant, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return (await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM validation_rules
            WHERE partnership_id = @PartnershipId AND (@After IS NULL OR {db.Dialect.IdKey("id")} > {db.Dialect.IdKey("@After")})
            ORDER BY {db.Dialect.IdKey("id")} {db.Dialect.Limit}
            """, new { tenant.PartnershipId, After = page.AfterId, Limit = page.Fetch }, cancellationToken: ct))).Select(r => r.ToRule()).ToList();
    }

    public async Task<ValidationRule?> GetAsync(Tenant tenant, Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        return (await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM validation_rules WHERE partnership_id = @PartnershipId AND id = @id",
            new { tenant.PartnershipId, id }, cancellationToken: ct)))?.ToRule();
    }

    private static async Task<ValidationRule?> GetAsync(WriteUnit w, Guid id) =>
        (await w.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM validation_rules WHERE partnership_id = @PartnershipId AND id = @id",
            new { w.PartnershipId, id }))?.ToRule();

    public Task<WriteResult<ValidationRule>> CreateAsync(Tenant tenant, ValidationRuleRequest request, CancellationToken ct) =>
        writer.CreateAsync(tenant, new Create<ValidationRule>(EntityTypes.ValidationRule, async w =>
        {
            var id = Ids.New();
            await w.ExecuteAsync("""
                INSERT INTO validation_rules (partnership_id, id, code, description, left_side, operator, right_side, aggregate, missing_value,
                                              version, created_at, updated_at)
                VALUES (@PartnershipId, @id, @Code, @Description, @Left, @Operator, @Right, @Aggregate, @MissingValue, 1, @Now, @Now)
                """, new
            {
                w.PartnershipId, id, request.Code, Description = string.IsNullOrEmpty(request.Description) ? null : request.Description,
                Left = RuleExpression.Format(RuleExpression.Parse(request.Left)!),
                Operator = EnumText<RuleOperator>.Text(request.Operator!.Value),
                Right = RuleExpression.Format(RuleExpression.Parse(request.Right)!),
                Aggregate = request.Aggregate is { } a and not RuleAggregate.None ? EnumText<RuleAggregate>.Text(a) : null,
                MissingValue = EnumText<MissingValueStrategy>.Text(request.MissingValue ?? MissingValueStrategy.SkipIfAnyMissing), w.Now,
            });
            return (await GetAsync(w, id))!;
        })
        {
            Check = w => UnknownIndicatorsAsync(w, request),
            OnUnique = WriteRefusal.Invalid("code", $"A validation rule with code '{request.Code}' already exists."),
        }, ct);

    /// <summary>Every code a rule names is an indicator of the partnership, and all are of one frequency (a rule compares values of
    /// the same period).</summary>
    private static async Task<WriteRefusal?> UnknownIndicatorsAsync(WriteUnit w, ValidationRuleRequest request)
    {
        var indicators = (await w.QueryAsync<(string Code, string Frequency)>(
                "SELECT code AS Code, frequency AS Frequency FROM indicators WHERE partnership_id = @PartnershipId", new { w.PartnershipId }))
            .ToDictionary(i => i.Code, i => i.Frequency, StringComparer.Ordinal);
        var errors = new Dictionary<string, string[]>();
        var frequencies = new HashSet<string>();
        foreach (var (field, text) in new[] { ("left", request.Left), ("right", request.Right) })
        {
            if (text is null) continue;
            var unknown = new List<string>();
            foreach (var code in RuleExpression.Parse(text)!)
                if (indicators.TryGetValue(code, out var frequency)) frequencies.Add(frequency);
                else unknown.Add(code);
            if (unknown.Count > 0) errors[field] = [$"There is no indicator with code {string.Join(", ", unknown.Select(u => $"'{u}'"))} in this partnership."];
        }
        if (errors.Count == 0 && frequencies.Count > 1)
            errors["right"] = [$"The indicators of a rule must share a frequency (these are {string.Join(", ", frequencies.Order(StringComparer.Ordinal))}): it compares values of the same period."];
        return WriteRefusal.InvalidIfAny(errors);
    }

    public Task<WriteResult<ValidationRule>> DeleteAsync(Tenant tenant, Guid id, long? ifMatch, CancellationToken ct) =>
        writer.DeleteAsync(tenant, ifMatch, new Delete<ValidationRule>(EntityTypes.ValidationRule, w => GetAsync(w, id), (w, _) =>
            w.ExecuteAsync("DELETE FROM validation_rules WHERE partnership_id = @PartnershipId AND id = @id", new { w.PartnershipId, id })), ct);

    private sealed record ValueRow(string Code, string Period, DateOnly PeriodStart, DateOnly PeriodEnd, string Area, decimal Value);

    /// <summary>Every place a rule does not hold among the stored values of the periods asked for (a period, or those within
    /// from–to), by period, area and rule: three queries whatever the number of rules and values.</summary>
    public async Task<List<RuleViolation>> ViolationsAsync(Tenant tenant, IReadOnlyList<string>? periods, DateOnly? from, DateOnly? to,
        CancellationToken ct)
    {
        await using var c = await db.OpenAsync(tenant, ct);
        var rules = await AllAsync(c, null, tenant.PartnershipId, ct);
        if (rules.Count == 0) return [];
        var codes = rules.SelectMany(r => r.Codes).Distinct().ToArray();
        var rows = (await c.QueryAsync<ValueRow>(new CommandDefinition("""
            SELECT i.code AS Code, o.period AS Period, o.period_start AS PeriodStart, o.period_end AS PeriodEnd, o.area AS Area, o.value AS Value
            FROM observations o JOIN indicators i ON i.partnership_id = o.partnership_id AND i.id = o.indicator_id
            WHERE o.partnership_id = @PartnershipId AND i.code IN @codes
              AND (@anyPeriod = 1 OR o.period IN @periods)
              AND (@from IS NULL OR o.period_start >= @from) AND (@to IS NULL OR o.period_end <= @to)
            """, new
        {
            tenant.PartnershipId, codes, anyPeriod = periods is null ? 1 : 0, periods = periods?.ToArray() ?? [""], from, to,
        }, cancellationToken: ct))).ToList();
        var hierarchy = rules.Exists(r => r.Rule.Aggregate != RuleAggregate.None) ? Hierarchy.Of(await AreaQueries.AllAsync(c, null, tenant.PartnershipId, ct)) : null;

        var violations = new List<RuleViolation>();
        foreach (var byPeriod in rows.GroupBy(r => r.Period, StringComparer.Ordinal))
        {
            var values = byPeriod.ToDictionary(r => (r.Code, r.Area), r => r.Value);
            decimal? ValueOf(string code, string area) => values.TryGetValue((code, area), out var v) ? v : null;
            var first = byPeriod.First();
            var period = new Period(PeriodType.Month, 0, 0);
            foreach (var candidate in Period.Candidates(first.Period))
                if (candidate.Start == first.PeriodStart && candidate.End == first.PeriodEnd) period = candidate;
            foreach (var rule in rules)
            {
                if (rule.Rule.Aggregate == RuleAggregate.None)
                {
                    var ruleCodes = rule.Codes.ToHashSet(StringComparer.Ordinal);
                    foreach (var area in byPeriod.Where(r => ruleCodes.Contains(r.Code)).Select(r => r.Area).Distinct(StringComparer.Ordinal))
                        if (RuleEngine.Compare(rule, byPeriod.Key, area, ValueOf) is { } v) violations.Add(v);
                }
                else
                    foreach (var parent in hierarchy!.Parents)
                        if (RuleEngine.ChildrenSum(rule, byPeriod.Key, parent, hierarchy.ChildrenOf(parent, period), ValueOf) is { } v)
                            violations.Add(v);
            }
        }
        return violations.OrderBy(v => v.Period, StringComparer.Ordinal).ThenBy(v => v.Area, StringComparer.Ordinal)
            .ThenBy(v => v.Rule, StringComparer.Ordinal).ToList();
    }
}
