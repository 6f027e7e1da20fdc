using System.Text.RegularExpressions;
using Csp.Api.Infrastructure;
using FluentValidation;

namespace Csp.Api.Partnerships;

public sealed class PartnershipRequestValidator : AbstractValidator<PartnershipRequest>
{
    public const string SlugPattern = "^[a-z0-9][a-z0-9-]{1,62}$";
    public const string AreaPattern = "^[EWSN][0-9]{8}$";
    internal static readonly Regex Slug = ValidationRules.Whole(SlugPattern);
    internal static readonly Regex Area = ValidationRules.Whole(AreaPattern);

    public PartnershipRequestValidator()
    {
        RuleFor(x => x.Slug).NotEmpty().Matches(Slug)
            .WithMessage("'Slug' must be 2–63 lower-case letters, digits or hyphens.");
        RuleFor(x => x.Name).ValidName();
        RuleFor(x => x.AreaCode).NotEmpty().Matches(Area).WithMessage("'Area Code' must be an ONS GSS code such as E09000028.");
        RuleFor(x => x.AreaCheck).IsInEnum();
        RuleFor(x => x.PublicRelease!).SetValidator(new Publication.PublicReleaseValidator()).When(x => x.PublicRelease is not null);
    }
}

public sealed class PartnershipUpdateValidator : AbstractValidator<PartnershipUpdate>
{
    public PartnershipUpdateValidator()
    {
        RuleFor(x => x.CorsOrigins).Must(o => o!.Count <= 20).When(x => x.CorsOrigins is not null)
            .WithMessage("'corsOrigins' may list at most 20 origins.");
        // Stored in a column of CorsOriginsMax characters (NVARCHAR on SQL Server): longer is refused, not cut.
        RuleFor(x => x.CorsOrigins).Must(o => PartnershipQueries.StoredCorsOrigins(o!).Length <= CorsOriginsMax).When(x => x.CorsOrigins is not null)
            .WithMessage($"'corsOrigins' may hold at most {CorsOriginsMax} characters in all (with a space between origins).");
        RuleForEach(x => x.CorsOrigins).Must(IsOrigin)
            .WithMessage("Each origin must be scheme://host[:port] (https, or http for localhost), without a path.");
        RuleFor(x => x.Name).ValidName();
        RuleFor(x => x.AreaCode).NotEmpty().Matches(PartnershipRequestValidator.Area)
            .WithMessage("'Area Code' must be an ONS GSS code such as E09000028.");
        RuleFor(x => x.AreaCheck).IsInEnum();
        RuleFor(x => x.PublicRelease!).SetValidator(new Publication.PublicReleaseValidator()).When(x => x.PublicRelease is not null);
    }

    public const int CorsOriginsMax = 2000;

    // Uri.TryCreate trims surrounding whitespace and control characters: the text itself must have none to be stored.
    private static bool IsOrigin(string origin) =>
        origin.All(c => c > ' ' && !char.IsControl(c)) && Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        && uri.AbsolutePath == "/" && !origin.EndsWith('/') && string.IsNullOrEmpty(uri.Query) && origin.Length <= 200;
}
