namespace Csp.Api.Infrastructure.Data;

public enum WriteStatus { Done, NotFound, Stale, Conflict }

/// <summary>The result of a conditional write: done (with the row as it now is), missing, stale
/// (If-Match lost), or refused by a business rule (conflict, with the reason).</summary>
public readonly record struct WriteOutcome<T>(WriteStatus Status, T? Value, string? Message = null)
{
    public static WriteOutcome<T> Done(T value) => new(WriteStatus.Done, value);
    public static WriteOutcome<T> Missing => new(WriteStatus.NotFound, default);
    public static WriteOutcome<T> Stale => new(WriteStatus.Stale, default);
    public static WriteOutcome<T> Conflict(string message) => new(WriteStatus.Conflict, default, message);
}
