using System.Text.Json.Serialization.Metadata;
using Csp.Api.Infrastructure.Auth;

namespace Csp.Api.Infrastructure;

/// <summary>
/// A response member the public never sees: anonymous answers (a <c>publicRead</c> partnership's public reads) leave it out;
/// keyed readers get it. The contract marks it optional and says so.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class WithheldFromPublicAttribute : Attribute;

/// <summary>
/// The public shape of every answer: one serializer modifier leaves out the members marked <see cref="WithheldFromPublicAttribute"/>
/// when the request being answered is anonymous, so the whole-plan document, lists and single resources follow the same rule.
/// </summary>
public static class PublicProjection
{
    public const string ContractNote = "Absent in public (anonymous) answers.";

    // Every HttpContextAccessor reads the same ambient request, which the host sets once AddHttpContextAccessor is registered.
    private static readonly HttpContextAccessor Accessor = new();

    /// <summary>Whether <paramref name="http"/> is answered in the public shape: its caller has no key.</summary>
    public static bool IsPublic(HttpContext? http) => http?.Items[Tenant.ItemKey] is Tenant { Caller.IsAnonymous: true };

    /// <summary>A <see cref="JsonTypeInfo"/> modifier: withheld members are written only to keyed callers.</summary>
    public static void Withhold(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in type.Properties)
        {
            if (property.AttributeProvider?.IsDefined(typeof(WithheldFromPublicAttribute), inherit: true) != true) continue;
            var inner = property.ShouldSerialize;
            property.ShouldSerialize = (owner, value) => !IsPublic(Accessor.HttpContext) && (inner is null || inner(owner, value));
        }
    }
}
