namespace Csp.Api.Clients;

/// <summary>Register a partner system and issue its key.</summary>
/// <param name="Name">What the system is, e.g. "Met CONNECT extract"; 1–200 characters.</param>
/// <param name="AgencyId">The agency it acts for; its key may then push only that agency's indicators. Omit for a key not bound to
/// an agency.</param>
/// <param name="Scopes">1–10 scopes, each once, from <c>read</c>, <c>plans:write</c>, <c>observations:write</c> and <c>admin</c>
/// (which implies the others).</param>
/// <param name="ExpiresAt">When the key stops working (UTC, in the future); omit for a key that does not expire. Rotate by creating a
/// new client and revoking the old one.</param>
public sealed record ClientRequest(string Name, Guid? AgencyId, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt = null);

/// <summary>A registered client. Its key is never shown again after creation.</summary>
/// <param name="Name">What the system is.</param>
/// <param name="AgencyId">The agency it acts for (its key may push only that agency's indicators); null when not bound to one.</param>
/// <param name="Scopes">What its key may do: <c>read</c>, <c>plans:write</c>, <c>observations:write</c>, <c>admin</c>.</param>
/// <param name="KeyId">The public part of the key (<c>csp_{keyId}_…</c>), to tell keys apart in logs.</param>
/// <param name="ExpiresAt">When the key stops working (UTC); null when it does not expire.</param>
/// <param name="RevokedAt">When the client was revoked (UTC); its key no longer works. Null while active.</param>
/// <param name="LastUsedAt">When the key was last used (recorded in batches, so up to a minute behind); null if never.</param>
public sealed record Client(Guid Id, string Name, Guid? AgencyId, IReadOnlyList<string> Scopes, string KeyId,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt,
    long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : Audit.IVersioned;

/// <summary>The client just created, with its key: store it now, it cannot be retrieved later.</summary>
/// <param name="Name">What the system is.</param>
/// <param name="AgencyId">The agency it acts for; null when not bound to one.</param>
/// <param name="Scopes">What its key may do.</param>
/// <param name="KeyId">The public part of the key (<c>csp_{keyId}_…</c>), to tell keys apart in logs.</param>
/// <param name="Key">The whole key, to send in the <c>X-Api-Key</c> header. Shown only in this response: the service keeps a hash.</param>
/// <param name="ExpiresAt">When the key stops working (UTC); null when it does not expire.</param>
public sealed record ClientCreated(Guid Id, string Name, Guid? AgencyId, IReadOnlyList<string> Scopes, string KeyId,
    string Key, DateTimeOffset? ExpiresAt, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
