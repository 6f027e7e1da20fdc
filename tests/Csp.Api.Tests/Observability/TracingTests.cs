using System.Collections.Concurrent;
using System.Diagnostics;
using Csp.Api.Infrastructure.Observability;
using Csp.Api.Tests.Infrastructure;
using static Csp.Api.Tests.Indicators.IndicatorTestData;

namespace Csp.Api.Tests.Observability;

/// <summary>The service's own spans, as an OTLP exporter would receive them (a listener on the "Csp.Api" source standing in for
/// the SDK): one per audited write with the write turn and the commit inside it, and one per plan document rebuild.</summary>
[Collection(ApiCollection.Name)]
public sealed class TracingTests(CspApiFactory factory) : IDisposable
{
    private readonly ConcurrentQueue<Activity> spans = new();
    private readonly ActivityListener listener = new()
    {
        ShouldListenTo = source => source.Name == CspTelemetry.Name,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    [Fact]
    public async Task A_push_is_one_write_span_holding_its_write_turn_and_commit_and_a_plan_rebuild_has_a_span()
    {
        listener.ActivityStopped = spans.Enqueue;
        ActivitySource.AddActivityListener(listener);
        var t = await TestTenant.CreateAsync(factory, "trc");
        var met = (await t.CreateAgencyAsync("MET")).Id();
        await t.CreateIndicatorAsync(met, "ROB-PERSONAL");
        var plan = (await t.CreatePlanAsync()).Id();
        spans.Clear();

        await t.Admin.PushOkAsync(t, [Row("ROB-PERSONAL", "2024-06", 187)]);
        await t.Admin.GetAsync(t.Path($"/plans/{plan}"));

        var mine = spans.Where(s => Equals(s.GetTagItem(CspTelemetry.PartnershipTag), t.Slug)).ToList();
        var write = Assert.Single(mine, s => s.OperationName == "audited write");
        Assert.Equal(true, write.GetTagItem("csp.write.changed"));
        var turn = Assert.Single(mine, s => s.OperationName == "write turn");
        Assert.Equal(write.SpanId, turn.ParentSpanId);
        Assert.Equal("sqlite", turn.GetTagItem("db.system.name"));
        Assert.Single(spans, s => s.OperationName == "commit" && s.ParentSpanId == write.SpanId);
        Assert.Single(mine, s => s.OperationName == "plan document rebuild");
    }

    public void Dispose() => listener.Dispose();
}

/// <summary>A problem's <c>traceId</c> is the W3C trace id the logs and traces carry (a caller's <c>traceparent</c> is kept).</summary>
[Collection(ApiCollection.Name)]
public sealed class ProblemTraceIdTests(CspApiFactory factory)
{
    [Fact]
    public async Task A_problem_names_the_trace_the_caller_started()
    {
        const string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/partnerships/nobody/agencies");
        request.Headers.Add("traceparent", $"00-{trace}-00f067aa0ba902b7-01");
        request.Headers.Add("X-Api-Key", CspApiFactory.PlatformKey);

        var problem = await TestTenant.ExpectProblem(await factory.CreateClient().SendAsync(request), System.Net.HttpStatusCode.NotFound);

        Assert.Equal(trace, problem["traceId"]!.GetValue<string>());
    }
}
