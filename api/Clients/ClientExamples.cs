using Csp.Api.Infrastructure.Auth;
using Csp.Api.Infrastructure.OpenApi;

namespace Csp.Api.Clients;

/// <summary>Bodies shown in the contract for the client endpoints (ExampleTests sends them to the service).</summary>
internal static class ClientExamples
{
    public static readonly Example<ClientRequest> Create = new("police-feed", "A key for the Met's nightly extract: it may push the Met's indicators and read",
        new ClientRequest("Met CONNECT extract", ExampleIds.Met, [Scopes.Read, Scopes.ObservationsWrite]));
}
