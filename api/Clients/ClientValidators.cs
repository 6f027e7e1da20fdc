using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Auth;
using FluentValidation;

namespace Csp.Api.Clients;

public sealed class ClientRequestValidator : AbstractValidator<ClientRequest>
{
    public ClientRequestValidator(TimeProvider clock)
    {
        RuleFor(x => x.ExpiresAt).Must(at => at > clock.GetUtcNow()).When(x => x.ExpiresAt is not null)
            .WithMessage("'expiresAt' must be in the future.");
        RuleFor(x => x.Name).ValidName();
        // Stop at NotEmpty: a missing or null "scopes" must be a 400, not a NullReferenceException in Must.
        RuleFor(x => x.Scopes).Cascade(CascadeMode.Stop).NotEmpty().Must(s => s.Count <= 10 && s.Distinct().Count() == s.Count)
            .WithMessage("'scopes' must list each scope once.");
        RuleForEach(x => x.Scopes).Must(s => Scopes.Grantable.Contains(s))
            .WithMessage($"Each scope must be one of: {string.Join(", ", Scopes.Grantable)}.");
    }
}
