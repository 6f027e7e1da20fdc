using System.Text.Json.Nodes;

namespace Csp.Api.Infrastructure.OpenApi;

/// <summary>The Southwark values behind the examples: problem texts, and hints by operation and by schema.</summary>
internal static partial class ExampleConventions
{
    private static readonly Dictionary<int, string> ProblemTypes = new()
    {
        [400] = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        [401] = "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        [403] = "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        [404] = "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        [405] = "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        [409] = "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        [412] = "https://tools.ietf.org/html/rfc9110#section-15.5.13",
        [413] = "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        [415] = "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        [422] = "https://tools.ietf.org/html/rfc9110#section-15.5.21",
        [429] = "https://tools.ietf.org/html/rfc6585#section-4",
        [500] = "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        [503] = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
    };

    private static readonly Dictionary<int, (string Title, string Detail)> ProblemTexts = new()
    {
        [400] = ("Validation failed", "One or more fields are not valid; `errors` names each one."),
        [401] = ("Missing or invalid API key", "Send a valid, unrevoked key in the X-Api-Key header."),
        [403] = ("Insufficient scope", "This operation needs a key with the 'plans:write' scope."),
        [404] = ("Not found", "There is no partnership 'southwark'."),
        [409] = ("Conflict", "The plan 'Southwark Community Safety Partnership Plan 2026–27' is approved: only a draft can be changed."),
        [412] = ("Precondition failed", "The commitment has changed since you read it: read it again for the current ETag, then retry."),
        [413] = ("Request body too large", "The body is over the 4 MB limit; split the batch (at most 10,000 observations)."),
        [415] = ("Unsupported media type", "Send the body as application/json."),
        [422] = ("Unprocessable request", "The Idempotency-Key 'connect-2024-07-06' was used with a different body."),
        [429] = ("Too many requests", "Client 'Met CONNECT extract' has used its allowance of 600 requests a minute; retry after 12 seconds."),
        [500] = ("Internal server error", "The server failed to handle the request. It has been logged; quote the traceId when reporting it."),
        [503] = ("Service unavailable", "The database is busy or not reachable; nothing was written. Retry later (after Retry-After seconds when it is given)."),
    };

    // ---------------------------------------------------------------- Southwark values

    private const string PartnershipId = "0195d6a0-3c41-7e2a-9b10-4f6c2d8e1a01";
    private const string Sbc = "0195d6a0-3c52-7b31-8c44-7a1e5f9d2b02";
    private const string Met = "0195d6a0-3c58-7c02-a5d3-2e8b4c6f1d03";
    private const string Icb = "0195d6a0-3c5e-7f19-b2a7-9d3c1e5a8f04";
    private const string PlanId = "0195d6a1-0a12-7d84-8e61-5b2f9c3a7e10";
    private const string P1 = "0195d6a1-0b20-7a55-9c13-6e4d2f8b1a21";
    private const string P2 = "0195d6a1-0b27-7e90-8d42-1f7a3c5e9b22";
    private const string Commitment1 = "0195d6a1-0c05-7b6e-a1f8-3d9c5e2b7f31";
    private const string Commitment2 = "0195d6a1-0c0c-7d21-b4e3-8a6f1c9d2e32";
    private const string Update1 = "0195f3b4-2d18-7c47-9e5a-4b1c8f3d6a41";
    private const string RobIndicator = "0195d6a2-1e40-7f83-8b26-5c9e2a7d4f51";
    private const string MetClient = "0195d6a0-3d10-7a9c-9f64-2e1b7d5c8a61";
    private const string Revision = "0196a1c3-5e72-7b08-a3d9-6f2e4c8b1d71";
    private const string Created = "2026-03-12T10:15:00Z";
    private const string Updated = "2026-11-26T09:30:00Z";
    private const string PlanTitle = "Southwark Community Safety Partnership Plan 2026–27";

    private const string ObservationsCsv =
        "indicator,period,period_start,period_end,area,value,status,note,updated_at\r\n" +
        "ROB-PERSONAL,2024-05,2024-05-01,2024-05-31,E09000028,203,final,CONNECT extract 2024-07-06,2024-07-06T06:10:00Z\r\n" +
        "ROB-PERSONAL,2024-06,2024-06-01,2024-06-30,E09000028,187,provisional,CONNECT extract 2024-07-06,2024-07-06T06:10:00Z\r\n";

    private sealed record Hint(JsonNode? Request = null, JsonNode? Response = null, string? RequestSummary = null, string? ResponseSummary = null);

    private static JsonNode J(string json) => JsonNode.Parse(json)!;

    private static readonly JsonNode PoliceExtract = J("""
        { "observations": [
          { "indicator": "ROB-PERSONAL", "period": "2024-01", "area": "E09000028", "value": 212, "status": "final", "note": "CONNECT extract 2024-07-06" },
          { "indicator": "ROB-PERSONAL", "period": "2024-02", "area": "E09000028", "value": 198, "status": "final", "note": "CONNECT extract 2024-07-06" },
          { "indicator": "ROB-PERSONAL", "period": "2024-03", "area": "E09000028", "value": 224, "status": "final", "note": "CONNECT extract 2024-07-06" },
          { "indicator": "ROB-PERSONAL", "period": "2024-04", "area": "E09000028", "value": 205, "status": "final", "note": "CONNECT extract 2024-07-06" },
          { "indicator": "ROB-PERSONAL", "period": "2024-05", "area": "E09000028", "value": 203, "status": "final", "note": "CONNECT extract 2024-07-06" },
          { "indicator": "ROB-PERSONAL", "period": "2024-06", "area": "E09000028", "value": 187, "status": "provisional", "note": "CONNECT extract 2024-07-06" },
          { "indicator": "THEFT-PERSON", "period": "2024-04", "area": "E09000028", "value": 541, "status": "final", "note": "CONNECT extract 2024-07-06" },
          { "indicator": "THEFT-PERSON", "period": "2024-05", "area": "E09000028", "value": 566, "status": "final", "note": "CONNECT extract 2024-07-06" },
          { "indicator": "THEFT-PERSON", "period": "2024-06", "area": "E09000028", "value": 498, "status": "provisional", "note": "CONNECT extract 2024-07-06" },
          { "indicator": "KNIFE-INJURY", "period": "2024-04", "area": "E09000028", "value": 9, "status": "final", "note": "CONNECT extract 2024-07-06" },
          { "indicator": "KNIFE-INJURY", "period": "2024-05", "area": "E09000028", "value": 12, "status": "final", "note": "CONNECT extract 2024-07-06" },
          { "indicator": "KNIFE-INJURY", "period": "2024-13", "area": "E09000028", "value": 7, "status": "provisional", "note": "CONNECT extract 2024-07-06" }
        ] }
        """);

    private static readonly JsonNode PartialResult = J("""
        { "status": "partial", "created": 3, "updated": 2, "unchanged": 6, "rejected": 1, "dryRun": false,
          "conflicts": [ { "index": 11, "field": "period", "code": "invalid_period",
                           "message": "'2024-13' is not a period (e.g. 2024-06, 2024-Q2, 2024, 2024-25, or 202406, 2024Q2, 2024April)." } ] }
        """);

    private static JsonObject PlanJson(string status) => J($$"""
        { "id": "{{PlanId}}", "title": "{{PlanTitle}}", "periodStart": "2026-04-01", "periodEnd": "2027-03-31",
          "status": "{{status}}", "approvedOn": {{(status == "draft" ? "null" : "\"2026-05-14\"")}},
          "approvedBy": {{(status == "draft" ? "null" : "\"Southwark CSP Board\"")}}, "supersedesId": null,
          "version": 3, "createdAt": "{{Created}}", "updatedAt": "{{Updated}}" }
        """).AsObject();

    private static readonly JsonNode CommitmentUpdateJson = J($$"""
        { "id": "{{Update1}}", "commitmentId": "{{Commitment1}}", "status": "on_track",
          "commentary": "Spaces mapped; a campaign with venues is being prepared.", "clientId": "{{MetClient}}", "createdAt": "{{Updated}}" }
        """);

    private static readonly JsonNode CommitmentJson = J($$"""
        { "id": "{{Commitment1}}", "priorityId": "{{P1}}", "code": "VAWG-1", "title": "Advertise the 71 night-time safety spaces",
          "description": "Make the borough's 71 night-time safety spaces and youth services better known.",
          "leadAgencyId": "{{Sbc}}", "partnerAgencyIds": ["{{Met}}"], "startDate": "2026-04-01", "dueDate": "2027-03-31",
          "status": "on_track", "latestUpdate": {{CommitmentUpdateJson.ToJsonString()}},
          "version": 2, "createdAt": "{{Created}}", "updatedAt": "{{Updated}}" }
        """);

    private static readonly JsonNode PriorityJson = J($$"""
        { "id": "{{P1}}", "planId": "{{PlanId}}", "code": "P1",
          "title": "Tackling violence against women and girls and promoting women's safety",
          "description": "VAWG and misogyny, online and offline, and women's safety at night.",
          "leadAgencyId": "{{Sbc}}", "position": 1, "version": 1, "createdAt": "{{Created}}", "updatedAt": "{{Created}}",
          "commitments": [ {{CommitmentJson.ToJsonString()}} ] }
        """);

    private static readonly JsonNode PriorityTwoJson = J($$"""
        { "id": "{{P2}}", "planId": "{{PlanId}}", "code": "P2", "title": "Reducing and preventing violence and vulnerability",
          "description": "Robbery and theft of personal items on street, knife crime, exploitation of young people.",
          "leadAgencyId": "{{Met}}", "position": 2, "version": 1, "createdAt": "{{Created}}", "updatedAt": "{{Created}}",
          "commitments": [ { "id": "{{Commitment2}}", "priorityId": "{{P2}}", "code": "VIOL-1",
            "title": "\"Look up, look out\" phone-theft posters in several languages",
            "description": "Posters at hotspots, TikTok drives and a dedicated e-newsletter.", "leadAgencyId": "{{Met}}",
            "partnerAgencyIds": ["{{Sbc}}"], "startDate": "2026-04-01", "dueDate": "2026-09-30", "status": "at_risk", "latestUpdate": null,
            "version": 1, "createdAt": "{{Created}}", "updatedAt": "{{Created}}" } ] }
        """);

    private static readonly JsonNode IndicatorJson = J($$"""
        { "id": "{{RobIndicator}}", "code": "ROB-PERSONAL", "name": "Personal robbery",
          "description": "Robbery of personal property recorded by the Met in Southwark (CONNECT).",
          "unit": "count", "direction": "decrease", "frequency": "monthly", "sourceAgencyId": "{{Met}}", "priorityIds": ["{{P2}}"],
          "baseline": { "value": 2480, "period": "2023-24" }, "target": { "value": 2250, "period": "2026-27" },
          "version": 4, "createdAt": "{{Created}}", "updatedAt": "{{Updated}}" }
        """);

    private static readonly JsonNode ObservationJson = J($$"""
        { "period": "2024-06", "periodStart": "2024-06-01", "periodEnd": "2024-06-30", "area": "E09000028", "value": 187,
          "status": "provisional", "note": "CONNECT extract 2024-07-06", "clientId": "{{MetClient}}", "version": 1,
          "createdAt": "2024-07-06T06:10:00Z", "updatedAt": "2024-07-06T06:10:00Z" }
        """);

    /// <summary>Values by component schema name: used wherever that schema appears (lists, pages, nested).</summary>
    private static readonly Dictionary<string, JsonNode> SchemaHints = new(StringComparer.Ordinal)
    {
        ["Partnership"] = J($$"""
            { "id": "{{PartnershipId}}", "slug": "southwark", "name": "Southwark Community Safety Partnership", "areaCode": "E09000028",
              "publicRead": true, "corsOrigins": ["https://www.southwark.gov.uk"], "version": 2, "createdAt": "{{Created}}", "updatedAt": "{{Updated}}" }
            """),
        ["PartnershipRequest"] = J("""{ "slug": "southwark", "name": "Southwark Community Safety Partnership", "areaCode": "E09000028", "publicRead": true }"""),
        ["PartnershipUpdate"] = J("""
            { "name": "Southwark Community Safety Partnership", "areaCode": "E09000028", "publicRead": true,
              "corsOrigins": ["https://www.southwark.gov.uk"] }
            """),
        ["Agency"] = J($$"""
            { "id": "{{Met}}", "code": "MET-CS", "name": "Metropolitan Police, Central South BCU", "kind": "police",
              "version": 1, "createdAt": "{{Created}}", "updatedAt": "{{Created}}" }
            """),
        ["AgencyRequest"] = J("""{ "code": "SEL-ICB", "name": "NHS South East London Integrated Care Board", "kind": "health" }"""),
        ["Client"] = J($$"""
            { "id": "{{MetClient}}", "name": "Met CONNECT extract", "agencyId": "{{Met}}", "scopes": ["read", "observations:write"],
              "keyId": "k7q2m9xw", "expiresAt": "2027-03-31T23:59:59Z", "revokedAt": null, "lastUsedAt": "2026-11-26T06:10:00Z",
              "version": 1, "createdAt": "{{Created}}", "updatedAt": "{{Created}}" }
            """),
        ["ClientCreated"] = J($$"""
            { "id": "{{MetClient}}", "name": "Met CONNECT extract", "agencyId": "{{Met}}", "scopes": ["read", "observations:write"],
              "keyId": "k7q2m9xw", "key": "csp_k7q2m9xw_shown-once-store-it-in-your-secret-manager", "expiresAt": "2027-03-31T23:59:59Z",
              "version": 1, "createdAt": "{{Created}}", "updatedAt": "{{Created}}" }
            """),
        ["ClientRequest"] = J($$"""
            { "name": "Met CONNECT extract", "agencyId": "{{Met}}", "scopes": ["read", "observations:write"], "expiresAt": "2027-03-31T23:59:59Z" }
            """),
        ["Plan"] = PlanJson("approved"),
        ["PlanDocument"] = PlanJson("approved").Also(p => p["priorities"] = new JsonArray(PriorityJson.DeepClone(), PriorityTwoJson.DeepClone())),
        ["PlanPriority"] = PriorityJson,
        ["PlanRequest"] = J($$"""{ "title": "{{PlanTitle}}", "periodStart": "2026-04-01", "periodEnd": "2027-03-31" }"""),
        ["Priority"] = PriorityJson,
        ["PriorityRequest"] = J($$"""
            { "code": "P1", "title": "Tackling violence against women and girls and promoting women's safety",
              "description": "VAWG and misogyny, online and offline, and women's safety at night.", "leadAgencyId": "{{Sbc}}", "position": 1 }
            """),
        ["Commitment"] = CommitmentJson,
        ["CommitmentRequest"] = J($$"""
            { "code": "VAWG-1", "title": "Advertise the 71 night-time safety spaces",
              "description": "Make the borough's 71 night-time safety spaces and youth services better known.",
              "leadAgencyId": "{{Sbc}}", "partnerAgencyIds": ["{{Met}}"], "startDate": "2026-04-01", "dueDate": "2027-03-31" }
            """),
        ["CommitmentUpdate"] = CommitmentUpdateJson,
        ["CommitmentUpdateRequest"] = J("""{ "status": "on_track", "commentary": "Spaces mapped; a campaign with venues is being prepared." }"""),
        ["Indicator"] = IndicatorJson,
        ["IndicatorRequest"] = J($$"""
            { "code": "ROB-PERSONAL", "name": "Personal robbery",
              "description": "Robbery of personal property recorded by the Met in Southwark (CONNECT).",
              "unit": "count", "direction": "decrease", "frequency": "monthly", "sourceAgencyId": "{{Met}}", "priorityIds": ["{{P2}}"],
              "baseline": { "value": 2480, "period": "2023-24" }, "target": { "value": 2250, "period": "2026-27" } }
            """),
        ["PeriodValue"] = J("""{ "value": 2250, "period": "2026-27" }"""),
        ["PeriodValueOut"] = J("""{ "value": 2250, "period": "2026-27" }"""),
        ["Observation"] = ObservationJson,
        ["ObservationInput"] = PoliceExtract["observations"]![5]!,
        ["ObservationBatch"] = PoliceExtract,
        ["ObservationConflict"] = PartialResult["conflicts"]![0]!,
        ["BatchResult"] = PartialResult,
        ["ObservationRevision"] = J($$"""
            { "id": "{{Revision}}", "period": "2024-05", "area": "E09000028", "oldValue": 201, "oldStatus": "provisional",
              "oldNote": "CONNECT extract 2024-06-05", "oldClientId": "{{MetClient}}", "oldRecordedAt": "2024-06-05T06:10:00Z",
              "newValue": 203, "newStatus": "final", "newNote": "CONNECT extract 2024-07-06", "newClientId": "{{MetClient}}",
              "revisedAt": "2024-07-06T06:10:00Z" }
            """),
        ["Performance"] = J($$"""
            { "indicatorId": "{{RobIndicator}}", "code": "ROB-PERSONAL", "area": "E09000028", "direction": "decrease", "unit": "count",
              "latest": { "period": "2024-06", "value": 187, "status": "provisional" },
              "previous": { "period": "2024-05", "value": 203, "status": "final" },
              "samePeriodLastYear": { "period": "2023-06", "value": 221, "status": "final" },
              "target": { "value": 190, "period": "2024-06" }, "status": "on_target", "trend": "improving" }
            """),
        ["Change"] = J($$"""{ "seq": 4182, "entityType": "commitment", "entityId": "{{Commitment1}}", "op": "update", "at": "{{Updated}}" }"""),
        ["ChangePage"] = J($$"""
            { "items": [ { "seq": 4181, "entityType": "plan", "entityId": "{{PlanId}}", "op": "update", "at": "2026-11-26T09:12:00Z" },
                         { "seq": 4182, "entityType": "commitment", "entityId": "{{Commitment1}}", "op": "update", "at": "{{Updated}}" } ],
              "next": 4182, "hasMore": false }
            """),
        ["AuditEvent"] = J($$"""
            { "seq": 4182, "at": "{{Updated}}", "clientId": "{{MetClient}}", "action": "update", "entityType": "commitment",
              "entityId": "{{Commitment1}}", "changes": { "status": { "from": "not_started", "to": "on_track" } } }
            """),
        ["HealthReport"] = J("""{ "status": "ok", "database": "Sqlite" }"""),
    };

    /// <summary>Where an operation needs more than its schemas' values, or a summary of its own.</summary>
    private static readonly Dictionary<string, Hint> OperationHints = new(StringComparer.Ordinal)
    {
        ["pushObservations"] = new(PoliceExtract, PartialResult,
            "Met CONNECT extract: personal robbery, theft from the person and knife crime with injury, Jan–Jun 2024",
            "Partial: 11 rows kept, one rejected (month 13)"),
        ["getPlan"] = new(ResponseSummary: "The whole plan: priorities, commitments and their latest updates"),
        ["getCurrentPlan"] = new(ResponseSummary: "The approved plan covering today"),
        ["createPlan"] = new(Response: PlanJson("draft").Also(p => p["version"] = 1), RequestSummary: "A new draft plan for 2026–27"),
        ["approvePlan"] = new(Response: PlanJson("approved"), ResponseSummary: "Approved by the Southwark CSP Board"),
        ["archivePlan"] = new(Response: PlanJson("archived"), ResponseSummary: "Archived: kept for the record, no longer current"),
        ["createClient"] = new(RequestSummary: "A key for the Met's CONNECT extract job",
            ResponseSummary: "The key is shown once: store it now"),
        ["addCommitmentUpdate"] = new(RequestSummary: "Progress on \"Advertise the 71 night-time safety spaces\""),
        ["createAgency"] = new(Response: J($$"""
            { "id": "{{Icb}}", "code": "SEL-ICB", "name": "NHS South East London Integrated Care Board", "kind": "health",
              "version": 1, "createdAt": "{{Created}}", "updatedAt": "{{Created}}" }
            """)),
        ["listAgencies"] = new(Response: J($$"""
            { "items": [
                { "id": "{{Sbc}}", "code": "SBC", "name": "Southwark Council", "kind": "local_authority", "version": 1, "createdAt": "{{Created}}", "updatedAt": "{{Created}}" },
                { "id": "{{Met}}", "code": "MET-CS", "name": "Metropolitan Police, Central South BCU", "kind": "police", "version": 1, "createdAt": "{{Created}}", "updatedAt": "{{Created}}" },
                { "id": "{{Icb}}", "code": "SEL-ICB", "name": "NHS South East London Integrated Care Board", "kind": "health", "version": 1, "createdAt": "{{Created}}", "updatedAt": "{{Created}}" } ],
              "nextCursor": null }
            """)),
        ["listObservations"] = new(Response: J($$"""
            { "items": [
                { "period": "2024-05", "periodStart": "2024-05-01", "periodEnd": "2024-05-31", "area": "E09000028", "value": 203, "status": "final",
                  "note": "CONNECT extract 2024-07-06", "clientId": "{{MetClient}}", "version": 2, "createdAt": "2024-06-05T06:10:00Z", "updatedAt": "2024-07-06T06:10:00Z" },
                {{ObservationJson.ToJsonString()}} ],
              "nextCursor": null }
            """)),
    };

    private static JsonObject Also(this JsonObject node, Action<JsonObject> change)
    {
        change(node);
        return node;
    }
}
