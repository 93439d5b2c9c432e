namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>
/// A fact that is reported as skipped, with the package to install, when a client it drives is
/// missing. xunit 2 has no dynamic skip; setting <see cref="FactAttribute.Skip"/> in the
/// constructor is evaluated at discovery, which is exactly when the tools are known.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(params string[] tools)
    {
        Skip = ToolSkip.Reason(tools);
    }
}

/// <summary>The theory counterpart of <see cref="ToolFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolTheoryAttribute : TheoryAttribute
{
    public ToolTheoryAttribute(params string[] tools)
    {
        Skip = ToolSkip.Reason(tools);
    }
}

internal static class ToolSkip
{
    public static string? Reason(string[] tools)
    {
        var missing = tools.Where(t => !ExternalTools.IsAvailable(t)).ToArray();
        if (missing.Length == 0)
        {
            return null;
        }

        var packages = string.Join(' ', missing.Select(ExternalTools.PackageOf).Distinct());
        return $"skipped: {string.Join(", ", missing)} not installed (apt-get install {packages}; ./test.sh installs them when run as root)";
    }
}
