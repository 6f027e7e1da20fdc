using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Csp.Api.Clients;

internal static class ClientsApi
{
    public static RouteGroupBuilder MapClients(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/clients").WithTags("Clients").RequireScope(Scopes.Admin);

        group.MapGet("/", ListClients).WithName("listClients").WithSummary("List API clients")
            .WithDescription("The partnership's clients and the state of their keys. Keys themselves are never listed.");
        group.MapGet("/{clientId:guid}", GetClient).WithName("getClient").WithSummary("Get an API client")
            .WithDescription("One client, without its key.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateClient).WithName("createClient").WithSummary("Register a client and issue its key")
            .WithRequestExample(ClientExamples.Create)
            .WithDescription("Returns the key once, in `key`. Only a hash is stored; a lost key is replaced by creating a new client and revoking the old one.")
            .Validate<ClientRequest>()
            // The key is shown once: a retry with the same Idempotency-Key is told it was issued, never given it (or another).
            .WithMetadata(new Infrastructure.Idempotency.SecretAnswer("client", "key"));
        group.MapDelete("/{clientId:guid}", RevokeClient).WithName("revokeClient").WithSummary("Revoke a client's key")
            .WithDescription("The key stops working at once (401). The client record stays for the audit trail.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return group;
    }

    /// <summary>The caller's own view of itself: any key of the partnership that may read.</summary>
    public static RouteGroupBuilder MapMe(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/me").WithTags("Clients");
        group.MapGet("/", GetMe).WithName("getMe").WithSummary("Who am I, and what may I push")
            .WithDescription("The calling client, the agency its key acts for, its scopes, and the indicators it may push, each with the " +
                             "code, frequency and unit its rows need: what a partner's system checks before its first push.")
            .RequireScope(Scopes.Read);
        return group;
    }

    private static async Task<Ok<Me>> GetMe(Tenant tenant, ClientQueries clients, CancellationToken ct) =>
        TypedResults.Ok(await clients.MeAsync(tenant, ct));

    private static async Task<Results<Ok<Page<Client>>, ValidationProblem>> ListClients(
        Tenant tenant, [AsParameters] PageQuery query, ClientQueries clients, CancellationToken ct)
    {
        if (!query.TryGet(out var page, out var errors)) return Errors.Invalid(errors);
        var rows = await clients.ListAsync(tenant, page, ct);
        return TypedResults.Ok(page.ToPage(rows, c => PageRequest.Key(c.Id)));
    }

    private static async Task<Results<Ok<Client>, StatusCodeHttpResult, ProblemHttpResult>> GetClient(
        Tenant tenant, Guid clientId, ClientQueries clients, HttpContext http, CancellationToken ct)
    {
        var client = await clients.GetAsync(tenant, clientId, ct);
        if (client is null) return Errors.NotFound("client " + clientId);
        return Respond.WithETag(http, client, client.Version);
    }

    private static async Task<Results<Created<ClientCreated>, ValidationProblem, ProblemHttpResult>> CreateClient(
        Tenant tenant, ClientRequest request, ClientQueries clients, HttpContext http, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        return Respond.Created(http, await clients.CreateAsync(tenant, request, ct), "client",
            c => $"/v1/partnerships/{tenant.Slug}/clients/{c.Id}", c => c.Version);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeClient(
        Tenant tenant, Guid clientId, ClientQueries clients, HttpContext http, CancellationToken ct) =>
        Respond.Deleted(await clients.RevokeAsync(tenant, clientId, ETags.IfMatch(http.Request), ct), "client " + clientId);
}
