namespace Csp.Api.Infrastructure.Data;

/// <summary>What became of a write. Everything but <see cref="Done"/> left the database as it was.</summary>
public enum WriteStatus
{
    /// <summary>Written and committed, or nothing needed writing (a no-op: nothing written, no audit event).</summary>
    Done,

    /// <summary>The row (or the parent it belongs under) does not exist in this partnership.</summary>
    NotFound,

    /// <summary>If-Match named a version that is no longer the row's.</summary>
    PreconditionFailed,

    /// <summary>A rule of the domain refuses the write in the state the data is in (an archived plan, a duplicate).</summary>
    Conflict,

    /// <summary>The request names something it may not (an unknown agency, a code already taken): one field and why.</summary>
    Invalid,
}

/// <summary>Why a write was refused: the status, a message for the client, and for <see cref="WriteStatus.Invalid"/> the
/// request fields at fault. A feature's rule check returns one to refuse, or null to let the write go ahead.</summary>
/// <param name="Message">For not found: what was not found ("plan {id}"); null lets the handler say.</param>
public sealed record WriteRefusal(WriteStatus Status, string? Message, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static WriteRefusal NotFound(string? what = null) => new(WriteStatus.NotFound, what);

    public static readonly WriteRefusal PreconditionFailed = new(WriteStatus.PreconditionFailed, null);

    public static WriteRefusal Conflict(string message) => new(WriteStatus.Conflict, message);

    public static WriteRefusal Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>Invalid, or null when <paramref name="errors"/> is empty (for rule checks that collect them).</summary>
    public static WriteRefusal? InvalidIfAny(IReadOnlyDictionary<string, string[]> errors) => errors.Count == 0 ? null : Invalid(errors);

    public static WriteRefusal Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(WriteStatus.Invalid, string.Join(" ", errors.Values.SelectMany(m => m)), errors);
}

/// <summary>The one result type of every write: done (with the row as it now is), or refused with a <see cref="WriteRefusal"/>.
/// <see cref="Respond"/> maps it to HTTP.</summary>
public readonly record struct WriteResult<T>
{
    private WriteResult(T? value, WriteRefusal? refusal, bool changed)
    {
        Value = value;
        Refusal = refusal;
        Changed = changed;
    }

    public WriteStatus Status => Refusal?.Status ?? WriteStatus.Done;
    public T? Value { get; }
    public WriteRefusal? Refusal { get; }

    /// <summary>Whether anything was written (false for a no-op and for every refusal): the writer commits only then.</summary>
    public bool Changed { get; }

    /// <summary>Written: the writer commits.</summary>
    public static WriteResult<T> Done(T value) => new(value, null, true);

    /// <summary>Nothing needed writing: the writer rolls back, so neither a version nor an audit event moves.</summary>
    public static WriteResult<T> Unchanged(T value) => new(value, null, false);

    public static WriteResult<T> Refused(WriteRefusal refusal) => new(default, refusal, false);

    public static implicit operator WriteResult<T>(WriteRefusal refusal) => Refused(refusal);

    /// <summary>The same outcome carrying another value (e.g. a delete's row → nothing).</summary>
    public WriteResult<TOther> Select<TOther>(Func<T, TOther> map) =>
        Refusal is { } r ? WriteResult<TOther>.Refused(r) : new WriteResult<TOther>(map(Value!), null, Changed);
}
