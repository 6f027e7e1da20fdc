namespace Csp.Api.Observations;

/// <summary>What the rows of one push checked so far have claimed: each key's first row (a later row with the same key is a
/// duplicate), and where the next rows start. A job's chunks share one.</summary>
public sealed class PushScope
{
    internal Dictionary<BatchPush.RowKey, int> FirstOfKey { get; } = [];

    /// <summary>The index, in the whole push, of the first row of the next chunk.</summary>
    public int Offset { get; set; }

    // One string per distinct period or area: a 500,000-row job's keys repeat a few dozen periods and some hundreds of areas,
    // and with one string each per key the API peaked at 402-413 MB during one (359-365 MB shared; big-job.sh).
    private readonly Dictionary<string, string> shared = new(StringComparer.Ordinal);

    /// <summary>Forgets the keys claimed by rows at <paramref name="index"/> or later (their chunk is checked again).</summary>
    internal void ForgetFrom(int index)
    {
        foreach (var (key, first) in FirstOfKey)
            if (first >= index) FirstOfKey.Remove(key);
    }

    /// <summary>The one instance of <paramref name="text"/> this push's keys use.</summary>
    internal string Shared(string text)
    {
        if (shared.TryGetValue(text, out var one)) return one;
        shared[text] = text;
        return text;
    }
}
