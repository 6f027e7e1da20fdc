using FluentValidation;

namespace Csp.Api.Infrastructure;

/// <summary>Runs the FluentValidation validator of the endpoint's <typeparamref name="T"/> argument.</summary>
/// <param name="optional">The body may be left out (an operation that took none before): without one there is nothing to validate.</param>
public class ValidationFilter<T>(IValidator<T> validator, bool optional = false) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var argument = context.Arguments.OfType<T>().FirstOrDefault();
        if (argument is null && optional) return await next(context);
        if (argument is null)
            return TypedResults.Problem(title: "Missing request body", detail: "This operation needs a JSON body.",
                statusCode: StatusCodes.Status400BadRequest);

        var result = await validator.ValidateAsync(argument, context.HttpContext.RequestAborted);
        if (!result.IsValid)
            return TypedResults.ValidationProblem(result.ToDictionary(), title: "The request is not valid");
        return await next(context);
    }
}

public static class ValidationEndpointExtensions
{
    /// <summary>Validates the body of type <typeparamref name="T"/> and documents the 400 it can return.</summary>
    public static RouteHandlerBuilder Validate<T>(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<ValidationFilter<T>>().ProducesValidationProblem();

    /// <summary>As <see cref="Validate{T}"/>, for a body the operation also takes no body for.</summary>
    public static RouteHandlerBuilder ValidateIfSent<T>(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<OptionalBodyValidationFilter<T>>().ProducesValidationProblem();
}

/// <summary>Validates the endpoint's <typeparamref name="T"/> argument when the request sent one.</summary>
public sealed class OptionalBodyValidationFilter<T>(IValidator<T> validator) : ValidationFilter<T>(validator, optional: true);
