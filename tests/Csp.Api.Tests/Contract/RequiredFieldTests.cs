using System.Text.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Csp.Api.Tests.Contract.ContractDocument;

namespace Csp.Api.Tests.Contract;

/// <summary>
/// A request field is <c>required</c> in the contract exactly when the API refuses a body without it. For each request body type:
/// take a valid body, leave out each field in turn (nested ones too), and read it as the API does (its JSON options, then the
/// validator the endpoint runs): refused ⇔ required in the schema.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RequiredFieldTests(CspApiFactory factory)
{
    private const string A = "0195f1c2-1111-7abc-8def-0123456789ab";
    private const string B = "0195f1c2-2222-7abc-8def-0123456789ab";

    /// <summary>
    /// A valid body of every request type, every optional field included so that each one's optionality is probed (<c>@A</c>, <c>@B</c>:
    /// ids; the validators do not look them up).
    /// </summary>
    private static readonly Dictionary<string, string> Bodies = new()
    {
        ["PartnershipRequest"] = """{"slug":"southwark","name":"Southwark Community Safety Partnership","areaCode":"E09000028","publicRead":true,"areaCheck":"strict"}""",
        ["PartnershipUpdate"] = """{"name":"Southwark CSP","areaCode":"E09000028","publicRead":true,"corsOrigins":["https://portal.example.gov.uk"],"areaCheck":"off"}""",
        ["AreaRequest"] = """{"code":"E05011095","name":"Borough & Bankside","type":"ward","parentCode":"E09000028","validFrom":"2018-05-03","validTo":"2030-05-01"}""",
        ["AreaUpdate"] = """{"name":"Borough & Bankside","type":"ward","parentCode":"E09000028","validFrom":"2018-05-03","validTo":"2030-05-01"}""",
        ["AgencyRequest"] = """{"code":"MET-CS","name":"Metropolitan Police, Central South BCU","kind":"police"}""",
        ["ClientRequest"] = """{"name":"Met CONNECT extract","agencyId":"@A","scopes":["read","observations:write"],"expiresAt":"2099-03-31T23:59:59Z"}""",
        ["PlanRequest"] = """{"title":"Plan 2025-26","periodStart":"2025-04-01","periodEnd":"2026-03-31"}""",
        ["PlanRefreshRequest"] = """{"title":"Plan 2026-27","periodStart":"2026-04-01","periodEnd":"2027-03-31","carryOver":["@A"],"carryOverAll":false}""",
        ["PriorityRequest"] = """{"code":"P1","title":"Reducing violence","description":"Knife crime.","leadAgencyId":"@A","position":1}""",
        ["CommitmentRequest"] = """
            {"code":"P1-C1","title":"Safety spaces","description":"Advertise them.","leadAgencyId":"@A","partnerAgencyIds":["@B"],
             "startDate":"2025-04-01","dueDate":"2026-03-31"}
            """,
        ["CommitmentUpdateRequest"] = """{"status":"on_track","commentary":"Posters are up.","author":"Community Safety Manager","asAt":"2025-06-30","percentComplete":60}""",
        ["PlanApprovalRequest"] = """{"approvedBy":"Community Safety Partnership Board","approvedOn":"2025-03-20","minuteUrl":"https://www.example.gov.uk/minutes"}""",
        ["IndicatorRequest"] = """
            {"code":"ROB-PERSONAL","name":"Personal robbery","description":"Recorded by the Met.","unit":"count","direction":"decrease",
             "frequency":"monthly","sourceAgencyId":"@A","priorityIds":["@B"],"baseline":{"value":224,"period":"2024-03"},
             "target":{"value":190,"period":"2026-03"},"targets":[{"area":"E09000028","period":"2026-03","value":190}],"nearTolerancePercent":5,
             "definition":"Count of personal robbery offences recorded by the police in the area during the month.","sourceSystem":"CONNECT",
             "breaks":[{"period":"2024-02","reason":"The Met moved crime recording to CONNECT."}],
             "disclosure":{"rule":"suppress_below","threshold":5},"bounds":{"min":0,"max":900},"outlierThreshold":3.5,"largeChangePercent":50,
             "dueDays":10,"dueForWards":false}
            """,
        ["ObservationBatch"] = """
            {"observations":[{"indicator":"ROB-PERSONAL","period":"2024-06","area":"E09000028","value":187,"status":"provisional","note":"extract"}]}
            """,
        ["FrameworkRequest"] = """{"code":"S2030","title":"Southwark 2030","publisher":"Southwark Council","adoptedOn":"2023-07-01","url":"https://www.southwark.gov.uk/"}""",
        ["FrameworkVersionRequest"] = """{"title":"Southwark 2030 (refreshed)","publisher":"Southwark Council","adoptedOn":"2026-07-01","url":"https://www.southwark.gov.uk/"}""",
        ["OutcomeRequest"] = """{"code":"S2030-3","title":"A safer Southwark","description":"Residents feel safe.","position":1}""",
        ["ValidationRuleRequest"] = """
            {"code":"INJURY-LE-KNIFE","description":"Knife crime with injury is part of knife crime.","left":"KNIFE-INJURY",
             "operator":"less_than_or_equal_to","right":"KNIFE-CRIME","aggregate":"none","missingValue":"skip_if_any_missing"}
            """,
        ["AlignmentRequest"] = """{"outcomeId":"@A","priorityId":"@B","rationale":"Robbery is what residents name first."}""",
    };

    [Fact]
    public void A_request_field_is_required_exactly_when_the_api_refuses_a_body_without_it()
    {
        var doc = Committed();
        var json = factory.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var types = Operations(doc)
            .Select(o => Resolve(doc, o.Node["requestBody"])?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>())
            .OfType<string>().Select(r => r.Split('/')[^1]).ToHashSet(StringComparer.Ordinal);
        var missing = types.Except(Bodies.Keys).ToList();
        Assert.True(missing.Count == 0, "Request types without a valid body here (add one to Bodies): " + string.Join(", ", missing));

        var failures = new List<string>();
        foreach (var name in types)
        {
            var body = JsonNode.Parse(Bodies[name].Replace("@A", A, StringComparison.Ordinal).Replace("@B", B, StringComparison.Ordinal))!.AsObject();
            var type = typeof(Program).Assembly.GetExportedTypes().Single(t => t.Name == name);
            var validator = factory.Services.GetService(typeof(IValidator<>).MakeGenericType(type)) as IValidator;

            var accepted = Refusals(type, validator, body, json);
            Assert.True(accepted.Count == 0, $"The valid body of {name} is refused ({string.Join(", ", accepted)}): {body.ToJsonString()}");

            foreach (var (path, parent, field) in Fields(doc, $"#/components/schemas/{name}", body, ""))
            {
                var without = body.DeepClone().AsObject();
                Remove(without, path);
                var refused = Refusals(type, validator, without, json).Any(key => key == path || key.StartsWith(path + ".", StringComparison.Ordinal));
                var required = Resolve(doc, parent)?["required"]?.AsArray().Any(r => r!.GetValue<string>() == field) == true;
                if (refused != required)
                    failures.Add($"{name}: without '{path}' the body is {(refused ? "refused" : "accepted")}, but the schema says it is {(required ? "required" : "optional")}");
            }
            foreach (var absent in RequiredButAbsent(doc, $"#/components/schemas/{name}", body, ""))
                failures.Add($"{name}: '{absent}' is required in the schema, yet a body without it is accepted: {body.ToJsonString()}");
        }
        Assert.True(failures.Count == 0, "The contract's `required` and what the API refuses disagree:\n  " + string.Join("\n  ", failures));
    }

    /// <summary>The fields at fault when the API reads <paramref name="body"/> (a body that does not deserialize is refused as a whole).</summary>
    private static List<string> Refusals(Type type, IValidator? validator, JsonObject body, JsonSerializerOptions json)
    {
        object? value;
        try { value = JsonSerializer.Deserialize(body.ToJsonString(), type, json); }
        catch (JsonException e) { return [JsonPath(e.Path)]; }
        if (value is null) return ["body"];
        return validator?.Validate(new ValidationContext<object>(value)).Errors.Select(e => e.PropertyName).ToList() ?? [];
    }

    private static string JsonPath(string? path) => path is null or "$" ? "body" : path.TrimStart('$', '.');

    /// <summary>Each field present in the body, with the schema that declares it: nested objects and the first item of arrays too.</summary>
    private static IEnumerable<(string Path, JsonNode Parent, string Field)> Fields(JsonObject doc, string reference, JsonObject body, string prefix)
    {
        var schema = Resolve(doc, new JsonObject { ["$ref"] = reference })!;
        foreach (var (field, value) in body)
        {
            var path = prefix + field;
            yield return (path, schema, field);
            var propertySchema = schema["properties"]?[field];
            if (value is JsonObject nested && ObjectReference(propertySchema) is { } nestedRef)
                foreach (var inner in Fields(doc, nestedRef, nested, path + "."))
                    yield return inner;
            if (value is JsonArray { Count: > 0 } items && items[0] is JsonObject first && ObjectReference(propertySchema?["items"]) is { } itemRef)
                foreach (var inner in Fields(doc, itemRef, first, path + "[0]."))
                    yield return inner;
        }
    }

    private static IEnumerable<string> RequiredButAbsent(JsonObject doc, string reference, JsonObject body, string prefix)
    {
        var schema = Resolve(doc, new JsonObject { ["$ref"] = reference })!;
        foreach (var field in schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
            if (!body.ContainsKey(field)) yield return prefix + field;
    }

    /// <summary>The component a property refers to, directly or as the non-null branch of a nullable one.</summary>
    private static string? ObjectReference(JsonNode? property) =>
        property?["$ref"]?.GetValue<string>()
        ?? property?["oneOf"]?.AsArray().Select(b => b?["$ref"]?.GetValue<string>()).FirstOrDefault(r => r is not null);

    private static void Remove(JsonObject body, string path)
    {
        var parts = path.Split('.');
        JsonNode node = body;
        foreach (var part in parts[..^1])
            node = part.EndsWith("[0]", StringComparison.Ordinal) ? node[part[..^3]]![0]! : node[part]!;
        node.AsObject().Remove(parts[^1]);
    }
}
