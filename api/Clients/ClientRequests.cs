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
/// <param name="LastUsedAt">When the key was last used (recorded in batches, so up to 30 s behind by default: Auth:KeyUsageFlushInterval); null if never.</param>
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

/// <summary>Who is calling, and what it may send: what a partner's system checks before its first push.</summary>
/// <param name="Client">The client whose key made the call; null for the operator's platform key.</param>
/// <param name="Agency">The agency the key acts for (it may push only that agency's indicators); null when it is bound to none.</param>
/// <param name="Scopes">What the key may do: <c>read</c>, <c>plans:write</c>, <c>observations:write</c>, <c>admin</c>; <c>platform</c> for the
/// operator's key.</param>
/// <param name="Indicators">The indicators the key may push (and retract), by code: its agency's, or every indicator for a key with
/// <c>observations:write</c> bound to no agency (or <c>admin</c>); empty for a key that may push nothing.</param>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Justification = "Named for GET /me, whose schema partners see as Me; no VB consumer compiles against this type.")]
public sealed record Me(MeClient? Client, MeAgency? Agency, IReadOnlyList<string> Scopes, IReadOnlyList<PushableIndicator> Indicators);

/// <summary>The calling client.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Name">What the system is, e.g. "Met CONNECT extract".</param>
/// <param name="KeyId">The public part of its key (<c>csp_{keyId}_…</c>).</param>
/// <param name="ExpiresAt">When its key stops working (UTC); null when it does not expire.</param>
public sealed record MeClient(Guid Id, string Name, string KeyId, DateTimeOffset? ExpiresAt);

/// <summary>The agency a key acts for.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Code">Its short code, e.g. <c>MET-CS</c>.</param>
/// <param name="Name">Its name.</param>
public sealed record MeAgency(Guid Id, string Code, string Name);

/// <summary>An indicator a key may push, with what a row of it needs.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Code">The code a row names it by, e.g. <c>ROB-PERSONAL</c>.</param>
/// <param name="Name">Its name.</param>
/// <param name="Frequency">The period type its rows send: <c>monthly</c> (2024-06), <c>quarterly</c> (2024-Q2), <c>annual</c> (2024) or
/// <c>financial_year</c> (2024-25).</param>
/// <param name="Unit">What its values measure; it decides which values are valid.</param>
public sealed record PushableIndicator(Guid Id, string Code, string Name, Indicators.IndicatorFrequency Frequency, Indicators.IndicatorUnit Unit);
