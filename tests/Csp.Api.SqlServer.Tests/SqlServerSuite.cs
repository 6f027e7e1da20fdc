// Every [Fact], [Theory] and [SkippableFact] of the linked tests binds to these: a using alias beats a type the
// `using Xunit;` namespace import brings in (C# looks the name up in the aliases first), so without CSP_TEST_SQLSERVER the
// whole project reports SKIPPED with that reason, never passed. .ci/summary.py fails the run if one ever does.
global using FactAttribute = Csp.Api.SqlServer.Tests.SqlServerFactAttribute;
global using SkippableFactAttribute = Csp.Api.SqlServer.Tests.SqlServerSkippableFactAttribute;
global using TheoryAttribute = Csp.Api.SqlServer.Tests.SqlServerTheoryAttribute;
using System.Globalization;
using System.Runtime.CompilerServices;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.SqlServer.Tests;

internal static class SuiteCulture
{
    /// <summary>
    /// This project leaves globalization-invariant mode (SqlClient needs ICU) but keeps the culture the service has in
    /// production, where it runs invariant: the invariant culture, whatever the machine's locale.
    /// </summary>
#pragma warning disable CA2255 // the test assembly's own start-up is what a module initializer is for
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Invariant()
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
    }
}

// xunit reads Skip from the attribute instance, so setting it in the constructor skips the test (its theory data included).

public sealed class SqlServerFactAttribute : global::Xunit.FactAttribute
{
    public SqlServerFactAttribute()
    {
        if (!SqlServerTestDatabase.Available) Skip = SqlServerTestDatabase.NotSetReason;
    }
}

public sealed class SqlServerTheoryAttribute : global::Xunit.TheoryAttribute
{
    public SqlServerTheoryAttribute()
    {
        if (!SqlServerTestDatabase.Available) Skip = SqlServerTestDatabase.NotSetReason;
    }
}

public sealed class SqlServerSkippableFactAttribute : global::Xunit.SkippableFactAttribute
{
    public SqlServerSkippableFactAttribute()
    {
        if (!SqlServerTestDatabase.Available) Skip = SqlServerTestDatabase.NotSetReason;
    }
}
