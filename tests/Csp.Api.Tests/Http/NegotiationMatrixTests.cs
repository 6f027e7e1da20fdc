using System.Net;
using System.Net.Http.Headers;
using Csp.Api.Infrastructure;
using Csp.Api.Tests.Infrastructure;
using Csp.Api.Tests.Security;
using Microsoft.AspNetCore.Http;

namespace Csp.Api.Tests.Http;

/// <summary>
/// Issue 20, point 1: on every endpoint that negotiates its media type, an Accept (or format) it cannot produce is 406 naming what
/// it can, and each type it names is what it answers in when asked. The endpoints come from the app's routes, so one added later
/// is covered.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class NegotiationMatrixTests(CspApiFactory factory)
{
    private const string T = MatrixKit.TenantPrefix;

    private List<(ApiRoute Route, IReadOnlyList<string> MediaTypes)> Negotiating() =>
        MatrixKit.Routes(factory).Where(r => r.Method == "GET")
            .Select(r => (r, r.Endpoint.Metadata.GetMetadata<NegotiatedMediaTypes>()?.MediaTypes))
            .Where(x => x.Item2 is not null).Select(x => (x.r, x.Item2!)).ToList();

    [Fact]
    public void The_endpoints_that_answer_in_more_than_JSON_all_negotiate()
    {
        var negotiating = Negotiating().ToDictionary(x => x.Route.Pattern, x => x.MediaTypes);

        Assert.Equal([Negotiate.Html, Negotiate.Markdown, Negotiate.Word], negotiating[T + "/plans/{planId}/report"]);
        Assert.Equal([Negotiate.Json, Negotiate.Markdown], negotiating[T + "/plans/{planId}/diff"]);
        Assert.Equal([Negotiate.Svg], negotiating[T + "/indicators/{indicatorId}/chart.svg"]);
        foreach (var list in new[] { "/plans/{planId}/commitments", "/plans/{planId}/indicators", "/priorities/{priorityId}/commitments",
                     "/indicators/{indicatorId}/observations" })
            Assert.Equal([Negotiate.Json, Negotiate.Csv], negotiating[T + list]);
    }

    [Fact]
    public async Task Every_negotiating_endpoint_is_406_naming_what_it_can_produce_and_answers_in_each()
    {
        var routes = MatrixKit.Routes(factory);
        var w = await MatrixKit.PopulateAsync(factory, "negotiate", routes);
        var failures = new List<string>();

        foreach (var (route, types) in Negotiating())
        {
            var path = route.Path(w.Values) + (route.Pattern.EndsWith("/diff", StringComparison.Ordinal) ? $"?against={w.Values["planId"]}" : "");
            var offer = string.Join(", ", types);

            foreach (var (accept, format) in new[] { ("application/x-unheard-of", null), ("application/xml", null), (null, "pdf"), (Negotiate.Json, "nonsense") })
            {
                if (types.Contains(accept)) continue;
                var answer = await w.Tenant.Admin.SendAsync(Request(WithFormat(path, format), accept));
                var body = await answer.Content.ReadAsStringAsync();
                if (answer.StatusCode != HttpStatusCode.NotAcceptable || answer.Content.Headers.ContentType?.MediaType != "application/problem+json"
                    || !body.Contains(offer, StringComparison.Ordinal))
                    failures.Add($"{route.Pattern} Accept {accept} format {format}: {(int)answer.StatusCode} {MatrixKit.Excerpt(body)}");
            }

            foreach (var type in types)
            {
                var answer = await w.Tenant.Admin.SendAsync(Request(path, type));
                if (answer.StatusCode != HttpStatusCode.OK || answer.Content.Headers.ContentType?.MediaType != type)
                    failures.Add($"{route.Pattern} Accept {type}: {(int)answer.StatusCode} {answer.Content.Headers.ContentType}");
                var named = Negotiate.Formats.Single(f => f.Value == type).Key;
                var byFormat = await w.Tenant.Admin.SendAsync(Request(WithFormat(path, named), null));
                if (byFormat.StatusCode != HttpStatusCode.OK || byFormat.Content.Headers.ContentType?.MediaType != type)
                    failures.Add($"{route.Pattern} format={named}: {(int)byFormat.StatusCode} {byFormat.Content.Headers.ContentType}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Format_is_a_query_parameter_only_of_the_endpoints_that_negotiate()
    {
        var t = await TestTenant.CreateAsync(factory);
        var plan = await t.CreatePlanAsync();

        var refused = await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}?format=csv")), HttpStatusCode.BadRequest);
        Assert.Contains("'format' is not a query parameter", refused["errors"]!["format"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var misspelt = await TestTenant.ExpectProblem(await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}/report?fromat=docx")), HttpStatusCode.BadRequest);
        Assert.Contains("format", misspelt["errors"]!["fromat"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await t.Admin.GetAsync(t.Path($"/plans/{plan.Id()}/commitments?format=csv"))).StatusCode);
    }

    private static string WithFormat(string path, string? format) =>
        format is null ? path : path + (path.Contains('?') ? "&" : "?") + "format=" + format;

    private static HttpRequestMessage Request(string path, string? accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        return request;
    }
}
