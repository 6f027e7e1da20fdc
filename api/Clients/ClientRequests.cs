namespace Csp.Api.Clients;

/// <summary>Register a partner system and issue its key.</summary>
/// <param name="Name">What the system is, e.g. "Met CONNECT extract".</param>
/// <param name="AgencyId">The agency it acts for; only that agency's indicators can be pushed with its key.</param>
/// <param name="Scopes">Any of <c>read</c>, <c>plans:write</c>, <c>observations:write</c>, <c>admin</c>.</param>
/// <param name="ExpiresAt">When the key stops working (optional; must be in the future). Rotate by creating a new client and revoking the old one.</param>
public sealed record ClientRequest(string Name, Guid? AgencyId, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt = null);

/// <summary>A registered client. Its key is never shown again after creation.</summary>
/// <param name="KeyId">The public part of the key (<c>csp_{keyId}_…</c>), to tell keys apart in logs.</param>
/// <param name="LastUsedAt">When the key was last used (recorded in batches, so up to a minute behind).</param>
public sealed record Client(Guid Id, string Name, Guid? AgencyId, IReadOnlyList<string> Scopes, string KeyId,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt,
    long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : Audit.IVersioned;

/// <summary>The client just created, with its key: store it now, it cannot be retrieved later.</summary>
public sealed record ClientCreated(Guid Id, string Name, Guid? AgencyId, IReadOnlyList<string> Scopes, string KeyId,
    string Key, DateTimeOffset? ExpiresAt, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
