using System.Text.Json;
using Csp.Api.Infrastructure.Data;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Csp.Api.Infrastructure.Observability;

/// <summary>
/// Metrics (Prometheus scrape at /metrics, OTLP when configured), traces (OTLP when configured) and the console log format
/// (docs/observability.md).
/// </summary>
public static class ObservabilitySetup
{
    public const string MetricsPath = "/metrics";

    public const string ServiceName = "csp-api";

    /// <summary>The standard variable naming an OTLP collector (read through configuration, so a config key of that name
    /// works too).</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddCspObservability(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        var settings = configuration.GetSection(ObservabilityOptions.Section).Get<ObservabilityOptions>() ?? new();
        services.AddOptions<ObservabilityOptions>().BindConfiguration(ObservabilityOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ObservabilityOptions>, ObservabilityOptionsValidator>();
        services.AddSingleton<MetricsAccess>();

        if ((settings.LogFormat ?? (builder.Environment.IsDevelopment() ? LogFormat.Text : LogFormat.Json)) == LogFormat.Json)
            builder.Logging.AddJsonConsole(o =>
            {
                // Scopes carry the trace id (TraceId, SpanId), the request (RequestId, RequestPath) and the partnership.
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                o.JsonWriterOptions = new JsonWriterOptions { Indented = false };
            });

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? ServiceName,
                serviceVersion: typeof(ObservabilitySetup).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics => metrics
                .AddMeter(CspTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddSqlClientInstrumentation()
                .AddMeter("System.Runtime")
                .AddInstrumentation(sp => ActivatorUtilities.CreateInstance<JobQueueGauge>(sp))
                .AddPrometheusExporter());

        // Spans cost something on every request; they are recorded only when there is somewhere to send them. (The trace id
        // in the logs does not depend on it: ASP.NET Core starts each request's activity for logging anyway.)
        if (DatabaseSetup.IsBuildTimeDocumentGeneration) return builder;
        // (An endpoint that is not a URI is left to the options validation, which stops the start naming it.)
        if (Uri.TryCreate(settings.OtlpEndpoint, UriKind.Absolute, out var endpoint))
            otel.UseOtlpExporter(settings.OtlpProtocol, endpoint);
        else if (!string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]))
            otel.UseOtlpExporter();
        else
            return builder;
        otel.WithTracing(tracing => tracing
            .AddSource(CspTelemetry.Name)
            .AddAspNetCoreInstrumentation(o => o.Filter = IsTraced)
            .AddHttpClientInstrumentation()
            .AddSqlClientInstrumentation());
        otel.WithLogging(configureBuilder: null, configureOptions: o =>
        {
            o.IncludeScopes = true;
            o.IncludeFormattedMessage = true;
        });
        return builder;
    }

    /// <summary>The partnership's logging scope for every request, and the guarded Prometheus scrape endpoint (GET only,
    /// outside /v1, out of the OpenAPI document and the rate limiter; anonymous to the framework's authorization, guarded by
    /// <see cref="MetricsAccess"/>).</summary>
    public static WebApplication UseCspObservability(this WebApplication app)
    {
        app.UseMiddleware<PartnershipLogScope>();
        app.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null,
                configureBranchedPipeline: branch => branch.Use(MetricsAccess.GuardAsync), optionsName: null)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]))
            .ExcludeFromDescription()
            .DisableRateLimiting()
            .AllowAnonymous(); // the guard above is its authorization: the platform key or an allowed network
        return app;
    }

    // Scrapes and probes arrive every few seconds and say nothing a trace would add (they still count in the HTTP metrics).
    private static bool IsTraced(HttpContext context) =>
        !context.Request.Path.StartsWithSegments(MetricsPath) && !context.Request.Path.StartsWithSegments("/health");
}
