using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Csp.Api.Agencies;
using Csp.Api.Alignments;
using Csp.Api.Areas;
using Csp.Api.Audit;
using Csp.Api.Changes;
using Csp.Api.Clients;
using Csp.Api.Commitments;
using Csp.Api.Frameworks;
using Csp.Api.Health;
using Csp.Api.Indicators;
using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.Idempotency;
using Csp.Api.Infrastructure.Observability;
using Csp.Api.Infrastructure.OpenApi;
using Csp.Api.Infrastructure.Security;
using Csp.Api.Jobs;
using Csp.Api.Observations;
using Csp.Api.Partnerships;
using Csp.Api.Plans;
using Csp.Api.Priorities;
using Csp.Api.Publication;
using Csp.Api.Reports;
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
            // The W3C trace id: the one the logs and the traces carry, so a client's report leads to both.
            ctx.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? ctx.HttpContext.TraceIdentifier);
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            // Unknown properties are an error, not silently dropped: a client can never believe it
            // set an id, a partnership or a timestamp.
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            // A name is matched as written: "SCOPES" is not "scopes" (it is an unknown property, refused above), and a
            // property sent twice is refused rather than the last one silently winning.
            o.SerializerOptions.PropertyNameCaseInsensitive = false;
            o.SerializerOptions.AllowDuplicateProperties = false;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            o.SerializerOptions.Converters.Add(new UtcTimestampConverter());
            o.SerializerOptions.TypeInfoResolver = (o.SerializerOptions.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
                .WithAddedModifier(PublicProjection.Withhold);
        });
        services.AddHttpContextAccessor();
        services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);
        // Error keys name the JSON properties the client sent (camelCase), not C# members.
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        services.AddCspAuth();
        services.AddPartnershipCors();
        services.AddOptions<RequestLimitOptions>().BindConfiguration(RequestLimitOptions.Section).ValidateOnStart();
        services.AddCspRateLimiting();
        services.AddCspForwardedHeaders();
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);
        services.AddCspOpenApi();
        builder.AddCspObservability();
        services.AddOptions<ObservationOptions>().BindConfiguration(ObservationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<BatchPush>();
        services.AddSingleton<Quality.HistoryCache>();
        services.AddSingleton<Quality.PushQuality>();
        services.AddCspJobs();
        services.AddSingleton<IdempotencyPurge>();
        services.AddSingleton<PlanRefresh>();
        services.AddSingleton<PlanDiff>();
        services.AddSingleton<ReadinessProbe>();
        services.AddSingleton<QueryParameterCheck>();
        return builder;
    }

    public static WebApplication UseCspApi(this WebApplication app)
    {
        app.UseCspForwardedHeaders();
        app.UseCspObservability();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMiddleware<CacheControlDefaults>();
        app.UseMiddleware<DeprecationHeaders>();
        if (!app.Environment.IsDevelopment() && !app.Environment.IsEnvironment("Testing"))
        {
            app.UseHsts();
            // Redirect only when this process serves HTTPS itself; behind a TLS-terminating proxy
            // (the container listens on plain 8080) there is no port to redirect to.
            if (ServesHttps(app.Configuration)) app.UseHttpsRedirection();
        }
        app.UseCors();
        app.UseMiddleware<RequestLimitsMiddleware>();
        // The rate limiter partitions by the authenticated client, and refuses before authorization answers 401/403/404.
        app.UseAuthentication();
        app.UseCspRateLimiting();
        app.UseAuthorization();
        app.MapContract();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint(ContractEndpoints.DocumentPath, "Csp.Api v1");
            o.RoutePrefix = "swagger";
            o.DocumentTitle = "Csp.Api — Community Safety Partnership plans";
            o.EnableTryItOutByDefault();
            // A link to an operation opens it (#/Plans/getPlan), and the box filters the operations by tag.
            o.EnableDeepLinking();
            o.EnableFilter();
            // Remembering the key in the browser's local storage suits a developer's own machine only: on a shared or public
            // deployment the next person at the browser would use it.
            if (app.Environment.IsDevelopment()) o.EnablePersistAuthorization();
        });
        return app;
    }

    private static bool ServesHttps(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration["https_port"])
        || (configuration["urls"] ?? "").Contains("https://", StringComparison.OrdinalIgnoreCase);

    public static WebApplication MapCspApi(this WebApplication app)
    {
        app.MapHealth();
        IdempotencyFilter.IdempotentPosts(app.MapPartnerships().AddEndpointFilter<QueryParameterCheck>());

        var tenant = IdempotencyFilter.IdempotentPosts(app.MapGroup("/v1/partnerships/{partnership}").AddEndpointFilter<QueryParameterCheck>());
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
        tenant.MapJobs();
        tenant.MapAudit();
        tenant.MapChanges();
        tenant.MapFrameworks();
        tenant.MapAlignments();
        tenant.MapPlanRefresh();
        tenant.MapReports();
        tenant.MapPublication();
        Quality.ValidationRulesApi.MapValidationRules(tenant);
        Completeness.CompletenessApi.MapCompleteness(tenant);
        return app;
    }
}
