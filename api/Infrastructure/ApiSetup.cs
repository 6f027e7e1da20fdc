using System.Text.Json;
using System.Text.Json.Serialization;
using Csp.Api.Agencies;
using Csp.Api.Areas;
using Csp.Api.Alignments;
using Csp.Api.Frameworks;
using Csp.Api.Clients;
using Csp.Api.Commitments;
using Csp.Api.Plans;
using Csp.Api.Priorities;
using Csp.Api.Health;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Idempotency;
using Csp.Api.Observations;
using Csp.Api.Infrastructure.OpenApi;
using Csp.Api.Infrastructure.Security;
using Csp.Api.Audit;
using Csp.Api.Changes;
using Csp.Api.Partnerships;
using FluentValidation;

namespace Csp.Api.Infrastructure;

public static class ApiSetup
{
    public static WebApplicationBuilder AddCspApi(this WebApplicationBuilder builder)
    {
        // The process runs with ICU (SqlClient needs it) but answers the same on every host, whatever its locale.
        System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
        var services = builder.Services;
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
            ctx.ProblemDetails.Extensions["traceId"] = ctx.HttpContext.TraceIdentifier);
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            // Unknown properties are an error, not silently dropped: a client can never believe it
            // set an id, a partnership or a timestamp.
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            o.SerializerOptions.Converters.Add(new UtcTimestampConverter());
        });
        services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);
        // Error keys name the JSON properties the client sent (camelCase), not C# members.
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.AddOptions<RequestLimitOptions>().BindConfiguration(RequestLimitOptions.Section).ValidateOnStart();
        services.AddCspRateLimiting();
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);
        services.AddCspOpenApi();
        services.AddSingleton<BatchPush>();
        services.AddSingleton<IdempotencyPurge>();
        services.AddSingleton<PlanRefresh>();
        services.AddSingleton<PlanDiff>();
        services.AddSingleton<ReadinessProbe>();
        return builder;
    }

    public static WebApplication UseCspApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        if (!app.Environment.IsDevelopment() && !app.Environment.IsEnvironment("Testing"))
        {
            app.UseHsts();
            // Redirect only when this process serves HTTPS itself; behind a TLS-terminating proxy
            // (the container listens on plain 8080) there is no port to redirect to.
            if (ServesHttps(app.Configuration)) app.UseHttpsRedirection();
        }
        app.UseMiddleware<PartnershipCorsMiddleware>();
        app.UseMiddleware<RequestLimitsMiddleware>();
        app.UseMiddleware<ApiKeyAuthenticationMiddleware>();
        app.UseRateLimiter();
        app.UseMiddleware<TenantMiddleware>();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/openapi/v1.json", "Csp.Api v1");
            o.RoutePrefix = "swagger";
            o.DocumentTitle = "Csp.Api — Community Safety Partnership plans";
            o.EnableTryItOutByDefault();
            o.EnablePersistAuthorization();
        });
        return app;
    }

    private static bool ServesHttps(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration["https_port"])
        || (configuration["urls"] ?? "").Contains("https://", StringComparison.OrdinalIgnoreCase);

    public static WebApplication MapCspApi(this WebApplication app)
    {
        app.MapHealth();
        app.MapPartnerships();

        var tenant = app.MapGroup("/v1/partnerships/{partnership}");
        tenant.MapPartnership();
        tenant.MapAgencies();
        tenant.MapAreas();
        tenant.MapClients();
        tenant.MapMe();
        tenant.MapPlans();
        tenant.MapPriorities();
        tenant.MapCommitments();
        tenant.MapIndicators();
        tenant.MapObservations();
        tenant.MapAudit();
        tenant.MapChanges();
        tenant.MapFrameworks();
        tenant.MapAlignments();
        tenant.MapPlanRefresh();
        return app;
    }
}
