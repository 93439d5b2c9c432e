namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>
/// A fact that needs root (network namespaces) as well as the named tools; reported as skipped,
/// saying which, when either is missing. CI runs as root.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootToolFactAttribute : FactAttribute
{
    public RootToolFactAttribute(params string[] tools)
    {
        Skip = Environment.UserName != "root" && !IsRoot()
            ? "skipped: needs root to create a network namespace (CI runs as root)"
            : ToolSkip.Reason(tools);
    }

    private static bool IsRoot() => OperatingSystem.IsLinux() && File.Exists("/proc/self/status")
        && File.ReadLines("/proc/self/status").Any(line => line.StartsWith("Uid:", StringComparison.Ordinal) && line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");
}
