using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Frameworks;

/// <summary>Builders for frameworks, outcomes, alignments and indicators, and the audit rows of an entity.</summary>
internal static class FrameworkTestKit
{
    public static async Task<JsonObject> CreateFrameworkAsync(this TestTenant t, string code = "S2030", string title = "Southwark 2030") =>
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/frameworks"),
            new { code, title, publisher = "Southwark Council", adoptedOn = "2024-07-17", url = "https://www.southwark.gov.uk/southwark-2030" }),
            HttpStatusCode.Created);

    public static async Task<JsonObject> CreateOutcomeAsync(this TestTenant t, Guid frameworkId, string code, string title, long? position = null) =>
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path($"/frameworks/{frameworkId}/outcomes"), new { code, title, position }),
            HttpStatusCode.Created);

    public static Task<HttpResponseMessage> PostAlignmentAsync(this TestTenant t, Guid outcomeId, Guid? priorityId = null, Guid? commitmentId = null,
        Guid? indicatorId = null, string rationale = "Because it contributes.") =>
        t.Admin.PostAsJsonAsync(t.Path("/alignments"), new { outcomeId, priorityId, commitmentId, indicatorId, rationale });

    public static async Task<JsonObject> AlignAsync(this TestTenant t, Guid outcomeId, Guid? priorityId = null, Guid? commitmentId = null,
        Guid? indicatorId = null, string rationale = "Because it contributes.") =>
        await TestTenant.Expect(await t.PostAlignmentAsync(outcomeId, priorityId, commitmentId, indicatorId, rationale), HttpStatusCode.Created);

    public static async Task<JsonObject> CreateIndicatorAsync(this TestTenant t, string code, Guid sourceAgencyId, params Guid[] priorityIds) =>
        await TestTenant.Expect(await t.Admin.PostAsJsonAsync(t.Path("/indicators"), new
        {
            code, name = $"Indicator {code}", description = (string?)null, unit = "count", direction = "decrease", frequency = "monthly",
            sourceAgencyId, priorityIds, baseline = (object?)null, target = (object?)null,
        }), HttpStatusCode.Created);

    public static async Task<long> PlanVersionAsync(this TestTenant t, Guid planId) =>
        await t.Factory.ScalarAsync<long>("SELECT version FROM plans WHERE id = @id", new { id = planId.ToString() });

    public static Task<List<string>> AuditActionsAsync(this TestTenant t, string entityType, Guid entityId) =>
        t.Factory.QueryAsync<string>("SELECT action FROM audit_events WHERE partnership_id = @p AND entity_type = @entityType AND entity_id = @id ORDER BY seq",
            new { p = t.Id.ToString(), entityType, id = entityId.ToString() });

    public static Task<long> AuditCountAsync(this TestTenant t) =>
        t.Factory.ScalarAsync<long>("SELECT COUNT(*) FROM audit_events WHERE partnership_id = @p", new { p = t.Id.ToString() });
}
