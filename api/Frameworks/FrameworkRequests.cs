using Csp.Api.Commitments;

namespace Csp.Api.Frameworks;

/// <summary>Create or replace a framework (an external strategy the plan aligns to).</summary>
/// <param name="Code">Short code, e.g. <c>S2030</c>; a code names every version of the framework.</param>
/// <param name="Title">e.g. "Southwark 2030".</param>
/// <param name="Publisher">Who publishes it, e.g. "Southwark Council" or "Mayor's Office for Policing and Crime".</param>
/// <param name="AdoptedOn">When it was adopted.</param>
/// <param name="Url">Where to read it (http or https).</param>
public sealed record FrameworkRequest(string Code, string Title, string? Publisher, DateOnly? AdoptedOn, string? Url);

/// <summary>A new version of a framework: the same code, the next version number, its outcomes copied.</summary>
/// <param name="Title">The new version's title.</param>
/// <param name="Publisher">Who publishes it.</param>
/// <param name="AdoptedOn">When the new version was adopted.</param>
/// <param name="Url">Where to read it (http or https).</param>
public sealed record FrameworkVersionRequest(string Title, string? Publisher, DateOnly? AdoptedOn, string? Url);

/// <summary>A framework (one version of it).</summary>
/// <param name="VersionNo">1 for the first version; a new version supersedes the one before.</param>
/// <param name="SupersedesId">The version this one replaces.</param>
/// <param name="SupersededById">The newer version that replaces this one (absent on the current version).</param>
/// <param name="Version">Row version; backs the ETag.</param>
public sealed record Framework(Guid Id, string Code, long VersionNo, string Title, string? Publisher, DateOnly? AdoptedOn, string? Url,
    Guid? SupersedesId, Guid? SupersededById, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : Audit.IVersioned;

/// <summary>Create or replace an outcome of a framework.</summary>
/// <param name="Code">e.g. <c>S2030-3</c>; unique within the framework version.</param>
/// <param name="Title">e.g. "A safer Southwark".</param>
/// <param name="Description">Optional longer text.</param>
/// <param name="Position">Order in the framework (1 = first); defaults to after the last one.</param>
public sealed record OutcomeRequest(string Code, string Title, string? Description, long? Position);

/// <summary>An outcome (goal, aim) of a framework.</summary>
public sealed record Outcome(Guid Id, Guid FrameworkId, string Code, string Title, string? Description, long Position,
    long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : Audit.IVersioned;

/// <summary>How one plan covers one framework: per outcome what is aligned to it, and the outcomes with nothing aligned.</summary>
/// <param name="Outcomes">Every outcome of the framework, in order.</param>
/// <param name="Gaps">The outcomes no priority, commitment or indicator of the plan is aligned to.</param>
public sealed record FrameworkCoverage(Guid FrameworkId, string FrameworkCode, long FrameworkVersionNo, string FrameworkTitle,
    Guid PlanId, string PlanTitle, int OutcomeCount, int CoveredCount, IReadOnlyList<OutcomeCoverage> Outcomes, IReadOnlyList<CoverageGap> Gaps);

/// <summary>What of the plan is aligned to one outcome.</summary>
/// <param name="Priorities">The plan's priorities aligned to the outcome.</param>
/// <param name="Commitments">The plan's commitments aligned to the outcome.</param>
/// <param name="Indicators">Indicators of the plan (linked to its priorities) aligned to the outcome.</param>
/// <param name="CommitmentStatusCounts">Commitments delivering the outcome by status: those aligned to it and those under a priority
/// aligned to it, each counted once.</param>
/// <param name="Covered">False when nothing of the plan is aligned to the outcome (a gap).</param>
public sealed record OutcomeCoverage(Guid OutcomeId, string Code, string Title, long Position, IReadOnlyList<AlignedItem> Priorities,
    IReadOnlyList<AlignedCommitment> Commitments, IReadOnlyList<AlignedItem> Indicators, CommitmentStatusCounts CommitmentStatusCounts, bool Covered);

/// <summary>A priority or indicator aligned to an outcome (an indicator's name is its title here).</summary>
public sealed record AlignedItem(Guid Id, string Code, string Title, Guid AlignmentId, string Rationale);

/// <summary>A commitment aligned to an outcome, with its current status.</summary>
public sealed record AlignedCommitment(Guid Id, string Code, string Title, CommitmentStatus Status, Guid AlignmentId, string Rationale);

/// <summary>Numbers of commitments in each status.</summary>
public sealed record CommitmentStatusCounts(int NotStarted, int OnTrack, int AtRisk, int OffTrack, int Completed, int Cancelled)
{
    public static CommitmentStatusCounts Of(IEnumerable<CommitmentStatus> statuses)
    {
        var list = statuses.ToList();
        int N(CommitmentStatus s) => list.Count(x => x == s);
        return new(N(CommitmentStatus.NotStarted), N(CommitmentStatus.OnTrack), N(CommitmentStatus.AtRisk), N(CommitmentStatus.OffTrack),
            N(CommitmentStatus.Completed), N(CommitmentStatus.Cancelled));
    }
}

/// <summary>An outcome nothing of the plan is aligned to.</summary>
public sealed record CoverageGap(Guid OutcomeId, string Code, string Title);
