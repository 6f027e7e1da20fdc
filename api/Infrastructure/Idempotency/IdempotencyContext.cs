namespace Csp.Api.Infrastructure.Idempotency;

/// <summary>
/// The Idempotency-Key of the request being handled, for the audited writer: it records the write's result in the write's
/// own transaction (so a crash between the commit and the stored response loses nothing), and on a retry after such a
/// crash it answers with the result the first run committed instead of writing again.
/// </summary>
public sealed class IdempotencyContext
{
    private static readonly AsyncLocal<IdempotencyContext?> Ambient = new();

    private IdempotencyContext(IdempotencyScope scope, string key, string? committedResult)
    {
        Scope = scope;
        Key = key;
        CommittedResult = committedResult;
    }

    /// <summary>The key of the request on this flow, if it sent one.</summary>
    public static IdempotencyContext? Current => Ambient.Value;

    public IdempotencyScope Scope { get; }
    public string Key { get; }

    /// <summary>The result (JSON) a first run of this request committed before its process died; null on a first run.</summary>
    public string? CommittedResult { get; }

    /// <summary>Makes the key current for the rest of this flow (the handler and the writes it makes) until disposed.</summary>
    public static IDisposable Enter(IdempotencyScope scope, string key, string? committedResult)
    {
        Ambient.Value = new IdempotencyContext(scope, key, committedResult);
        return new Leave();
    }

    private sealed class Leave : IDisposable
    {
        public void Dispose() => Ambient.Value = null;
    }
}
