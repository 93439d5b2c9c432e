using System.Diagnostics;

namespace Storlane.Storage.Tests.Vhdx;

/// <summary>Runs Debian's qemu-img (qemu-utils) for cross-checks; tests that need it skip when it is missing.</summary>
internal static class QemuImg
{
    public const string Tool = "qemu-img";

    public static readonly string? SkipReason = Find(Tool) is null
        ? "skipped: qemu-img not installed (apt-get install qemu-utils; ./test.sh installs it when run as root)"
        : null;

    public static (int ExitCode, string Output) Run(params string[] arguments) => RunTool(Tool, arguments);

    /// <summary>Runs qemu-io (same package) and asserts exit code 0; a pattern mismatch is reported in its output, so callers check that too.</summary>
    public static string RunQemuIo(params string[] arguments)
    {
        var (code, output) = RunTool("qemu-io", arguments);
        Assert.True(code == 0 && !output.Contains("Pattern verification failed", StringComparison.Ordinal), $"qemu-io {string.Join(' ', arguments)} exited {code}: {output}");
        return output;
    }

    private static (int ExitCode, string Output) RunTool(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>Runs and asserts exit code 0, showing qemu-img's words when it is not.</summary>
    public static string RunOk(params string[] arguments)
    {
        var (code, output) = Run(arguments);
        Assert.True(code == 0, $"qemu-img {string.Join(' ', arguments)} exited {code}: {output}");
        return output;
    }

    private static string? Find(string tool)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            if (directory.Length > 0 && File.Exists(Path.Combine(directory, tool)))
            {
                return Path.Combine(directory, tool);
            }
        }

        return null;
    }
}

/// <summary>A fact reported as skipped, with the package to install, when qemu-img is missing (the Interop tests' ToolFact idea).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class QemuFactAttribute : FactAttribute
{
    public QemuFactAttribute()
    {
        Skip = QemuImg.SkipReason;
    }
}

[AttributeUsage(AttributeTargets.Method)]
public sealed class QemuTheoryAttribute : TheoryAttribute
{
    public QemuTheoryAttribute()
    {
        Skip = QemuImg.SkipReason;
    }
}
