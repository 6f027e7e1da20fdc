using System.ComponentModel.DataAnnotations;

namespace Csp.Api.Observations;

/// <summary>Settings of the batch push (section <c>Observations</c>).</summary>
public sealed class ObservationOptions
{
    public const string Section = "Observations";

    public const int DefaultWriteChunkRows = 2_000;

    /// <summary>SQLite: the most rows of a push one write turn holds. A push of more rows that is not atomic commits in chunks of
    /// this many rows of its body, so that other partnerships' writes go in between (<see cref="BatchPush"/>).</summary>
    [Range(100, BatchPush.MaxRows)]
    public int WriteChunkRows { get; set; } = DefaultWriteChunkRows;
}
