using Csp.Api.Commitments;
using Csp.Api.Infrastructure;

namespace Csp.Api.Frameworks;

/// <summary>Create or replace a framework (an external strategy the plan aligns to).</summary>
/// <param name="Code">Short code, e.g. <c>S2030</c>; a code names every version of the framework. 1–32 upper-case letters, digits
/// or hyphens, starting with a letter or digit.</param>
/// <param name="Title">e.g. "Southwark 2030"; 1–200 characters.</param>
/// <param name="Publisher">Who publishes it, e.g. "Southwark Council" or "Mayor's Office for Policing and Crime"; at most 200
/// characters (optional).</param>
/// <param name="AdoptedOn">When it was adopted (optional).</param>
/// <param name="Url">Where to read it: an absolute http or https URL of at most 2,000 characters (optional).</param>
public sealed record FrameworkRequest(string Code, string Title, string? Publisher, DateOnly? AdoptedOn, string? Url);

/// <summary>A new version of a framework: the same code, the next version number, its outcomes copied.</summary>
/// <param name="Title">The new version's title; 1–200 characters.</param>
/// <param name="Publisher">Who publishes it; at most 200 characters (optional).</param>
/// <param name="AdoptedOn">When the new version was adopted (optional).</param>
/// <param name="Url">Where to read it: an absolute http or https URL of at most 2,000 characters (optional).</param>
public sealed record FrameworkVersionRequest(string Title, string? Publisher, DateOnly? AdoptedOn, string? Url);

/// <summary>A framework (one version of it).</summary>
/// <param name="Code">Short code, e.g. <c>S2030</c>; shared by every version of the framework.</param>
/// <param name="VersionNo">1 for the first version; a new version supersedes the one before.</param>
/// <param name="Title">e.g. "Southwark 2030".</param>
/// <param name="Publisher">Who publishes it; null when not set.</param>
/// <param name="AdoptedOn">When it was adopted; null when not set.</param>
/// <param name="Url">Where to read it; null when not set.</param>
/// <param name="SupersedesId">The version this one replaces; null on the first version.</param>
/// <param name="SupersededById">The newer version that replaces this one; null on the current version.</param>
/// <param name="Version">Row version; backs the ETag.</param>
public sealed record Framework(Guid Id, string Code, long VersionNo, string Title, string? Publisher, DateOnly? AdoptedOn, string? Url,
    Guid? SupersedesId, Guid? SupersededById, [property: WithheldFromPublic] long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : Audit.IVersioned;

/// <summary>Create or replace an outcome of a framework.</summary>
/// <param name="Code">e.g. <c>S2030-3</c>; unique within the framework version. 1–32 upper-case letters, digits or hyphens, starting
/// with a letter or digit.</param>
/// <param name="Title">e.g. "A safer Southwark"; 1–200 characters.</param>
/// <param name="Description">Optional longer text, at most 4,000 characters.</param>
/// <param name="Position">Order in the framework, 1–10,000 (1 = first); omit to place it after the last one.</param>
public sealed record OutcomeRequest(string Code, string Title, string? Description, long? Position);

/// <summary>An outcome (goal, aim) of a framework.</summary>
/// <param name="FrameworkId">The framework (version) it belongs to.</param>
/// <param name="Code">e.g. <c>S2030-3</c>; unique within the framework version.</param>
/// <param name="Title">e.g. "A safer Southwark".</param>
/// <param name="Description">Longer text; null when not set.</param>
/// <param name="Position">Order in the framework (1 = first).</param>
public sealed record Outcome(Guid Id, Guid FrameworkId, string Code, string Title, string? Description, long Position,
    [property: WithheldFromPublic] long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) : Audit.IVersioned;

/// <summary>How one plan covers one framework: per outcome what is aligned to it, and the outcomes with nothing aligned.</summary>
/// <param name="FrameworkId">The framework (version).</param>
/// <param name="FrameworkCode">Its code, e.g. <c>S2030</c>.</param>
/// <param name="FrameworkVersionNo">Its version number.</param>
/// <param name="FrameworkTitle">Its title.</param>
/// <param name="PlanId">The plan whose coverage this is.</param>
/// <param name="PlanTitle">The plan's title.</param>
/// <param name="OutcomeCount">How many outcomes the framework has.</param>
/// <param name="CoveredCount">How many of them have something of the plan aligned to them.</param>
/// <param name="Outcomes">Every outcome of the framework, in order.</param>
/// <param name="Gaps">The outcomes no priority, commitment or indicator of the plan is aligned to.</param>
public sealed record FrameworkCoverage(Guid FrameworkId, string FrameworkCode, long FrameworkVersionNo, string FrameworkTitle,
    Guid PlanId, string PlanTitle, int OutcomeCount, int CoveredCount, IReadOnlyList<OutcomeCoverage> Outcomes, IReadOnlyList<CoverageGap> Gaps);

/// <summary>What of the plan is aligned to one outcome.</summary>
/// <param name="OutcomeId">The outcome.</param>
/// <param name="Code">The outcome's code.</param>
/// <param name="Title">The outcome's title.</param>
/// <param name="Position">The outcome's order in the framework (1 = first).</param>
/// <param name="Priorities">The plan's priorities aligned to the outcome.</param>
/// <param name="Commitments">The plan's commitments aligned to the outcome.</param>
/// <param name="Indicators">Indicators of the plan (linked to its priorities) aligned to the outcome.</param>
/// <param name="CommitmentStatusCounts">Commitments delivering the outcome by status: those aligned to it and those under a priority
/// aligned to it, each counted once.</param>
/// <param name="Covered">False when nothing of the plan is aligned to the outcome (a gap).</param>
public sealed record OutcomeCoverage(Guid OutcomeId, string Code, string Title, long Position, IReadOnlyList<AlignedItem> Priorities,
    IReadOnlyList<AlignedCommitment> Commitments, IReadOnlyList<AlignedItem> Indicators, CommitmentStatusCounts CommitmentStatusCounts, bool Covered);

/// <summary>A priority or indicator aligned to an outcome (an indicator's name is its title here).</summary>
/// <param name="Id">The priority's or indicator's id.</param>
/// <param name="Code">Its code.</param>
/// <param name="Title">Its title (an indicator's name).</param>
/// <param name="AlignmentId">The alignment that links it to the outcome.</param>
/// <param name="Rationale">Why it contributes to the outcome.</param>
public sealed record AlignedItem(Guid Id, string Code, string Title, Guid AlignmentId, string Rationale);

/// <summary>A commitment aligned to an outcome, with its current status.</summary>
/// <param name="Id">The commitment's id.</param>
/// <param name="Code">Its code.</param>
/// <param name="Title">Its title.</param>
/// <param name="Status">Its current status.</param>
/// <param name="AlignmentId">The alignment that links it to the outcome.</param>
/// <param name="Rationale">Why it contributes to the outcome.</param>
public sealed record AlignedCommitment(Guid Id, string Code, string Title, CommitmentStatus Status, Guid AlignmentId, string Rationale);

/// <summary>Numbers of commitments in each status.</summary>
/// <param name="NotStarted">Commitments <c>not_started</c>.</param>
/// <param name="OnTrack">Commitments <c>on_track</c>.</param>
/// <param name="AtRisk">Commitments <c>at_risk</c>.</param>
/// <param name="OffTrack">Commitments <c>off_track</c>.</param>
/// <param name="Completed">Commitments <c>completed</c>.</param>
/// <param name="Cancelled">Commitments <c>cancelled</c>.</param>
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
/// <param name="OutcomeId">The outcome.</param>
/// <param name="Code">The outcome's code.</param>
/// <param name="Title">The outcome's title.</param>
public sealed record CoverageGap(Guid OutcomeId, string Code, string Title);
