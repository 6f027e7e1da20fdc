using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Csp.Api.Infrastructure.Idempotency;

/// <summary>
/// An answer over <see cref="IdempotencyFilter.MaxStoredBodyBytes"/> (a rejected batch of 10,000 rows lists 10,000 conflicts)
/// is kept as its summary, so stored answers cannot fill the disk: the JSON object's own values (status, counts) with every
/// list emptied, and the header <c>Idempotent-Summary: sha256=…, bytes=…</c> naming the whole answer it stands for.
/// </summary>
public static class BoundedAnswer
{
    public static StoredResponse Of(StoredResponse whole)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(whole.Body));
        var headers = new Dictionary<string, string>(whole.Headers)
        {
            [IdempotencyFilter.SummaryHeader] = $"sha256={digest}, bytes={whole.Body.Length}",
        };
        return whole with { Body = Summary(whole.Body) is { } summary ? Encoding.UTF8.GetBytes(summary) : [], Headers = headers };
    }

    /// <summary>A JSON object's own values with every list emptied and every nested object dropped; null when it is not an object.</summary>
    public static string? Summary(ReadOnlySpan<byte> json)
    {
        if (JsonNode.Parse(json) is not JsonObject body) return null;
        foreach (var (name, value) in body.ToList())
            if (value is JsonArray) body[name] = new JsonArray();
            else if (value is JsonObject) body[name] = null;
        return body.ToJsonString();
    }
}

/// <summary>
/// Endpoint metadata: the answer carries a secret that must never be stored (a new client's key, shown once). A replay of
/// such a request is a 409 that says the secret was issued, naming the resource (its id, from <see cref="IdProperty"/>, in
/// the detail, and its Location) — never the secret again, and never a second one.
/// </summary>
/// <param name="Noun">What was created, e.g. "client".</param>
/// <param name="Secret">What it carried, e.g. "key".</param>
/// <param name="IdProperty">The JSON property of the answer holding the created resource's id.</param>
public sealed record SecretAnswer(string Noun, string Secret, string IdProperty = "id")
{
    public StoredResponse Notice(StoredResponse answer)
    {
        var id = JsonNode.Parse(answer.Body)?[IdProperty]?.ToString();
        var problem = new JsonObject
        {
            ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.10",
            ["title"] = $"The {Secret} was already issued",
            ["status"] = StatusCodes.Status409Conflict,
            ["detail"] = $"A request with this Idempotency-Key created {Noun} {id} and was answered with its {Secret}, which is shown once and " +
                         $"never stored. If it was lost, revoke {Noun} {id} and create a new one.",
        };
        var headers = answer.Headers.Where(h => h.Key == "Location").ToDictionary(h => h.Key, h => h.Value);
        return new StoredResponse(StatusCodes.Status409Conflict, "application/problem+json", Encoding.UTF8.GetBytes(problem.ToJsonString()), headers);
    }
}
