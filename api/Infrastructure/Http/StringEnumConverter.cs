using System.Text.Json.Serialization;

namespace Csp.Api.Infrastructure;

/// <summary>Every enum of the contract is read by its name only: the default converter also takes numbers (<c>"status": 99</c>)
/// and maps them by declaration order, which the contract does not promise and a reordering would silently change.</summary>
public sealed class StringEnumConverter<T>() : JsonStringEnumConverter<T>(namingPolicy: null, allowIntegerValues: false) where T : struct, Enum;
