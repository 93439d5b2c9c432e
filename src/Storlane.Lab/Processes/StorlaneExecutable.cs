using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Storlane.Lab.Processes;

/// <summary>
/// How to start a `storlane` child process. Storlane.Lab never references the CLI project, so it
/// finds the program at run time: storlane.dll in the app's folder (the CLI's own output, a dotnet
/// tool, or a test output that copies it), started with the same `dotnet` host as the current
/// process; or, in a single-file build, the running storlane program itself.
/// </summary>
public sealed class StorlaneExecutable
{
    private const string AssemblyFileName = "storlane.dll";

    private StorlaneExecutable(string fileName, IReadOnlyList<string> leadingArguments)
    {
        FileName = fileName;
        LeadingArguments = leadingArguments;
    }

    /// <summary>The program to execute: the dotnet host, or the storlane apphost.</summary>
    public string FileName { get; }

    /// <summary>Arguments that come before storlane's own (the path of storlane.dll under the dotnet host).</summary>
    public IReadOnlyList<string> LeadingArguments { get; }

    /// <summary>The command line as one string, for reports.</summary>
    public override string ToString() => LeadingArguments.Count == 0 ? FileName : FileName + " " + string.Join(' ', LeadingArguments);

    /// <summary>Finds storlane, or throws <see cref="FileNotFoundException"/> saying where it looked.</summary>
    public static StorlaneExecutable Resolve()
    {
        // AppContext.BaseDirectory, not Assembly.Location: in a single-file build assemblies have no
        // file of their own (Location is empty, IL3000), and the app's folder is where storlane.dll
        // sits in every other build (the CLI's output, a dotnet tool, the test outputs that copy it).
        var candidate = Path.Combine(AppContext.BaseDirectory, AssemblyFileName);
        if (File.Exists(candidate))
        {
            return ForAssembly(candidate);
        }

        // Single-file or self-contained storlane: the running program is storlane itself.
        var entry = Assembly.GetEntryAssembly();
        if (entry is not null && string.Equals(entry.GetName().Name, "storlane", StringComparison.Ordinal) && Environment.ProcessPath is { } program)
        {
            return new StorlaneExecutable(program, []);
        }

        throw new FileNotFoundException(
            $"cannot find {AssemblyFileName} in {AppContext.BaseDirectory}; build src/Storlane.Cli or reference it from the project that runs the lab",
            candidate);
    }

    /// <summary>A start description for `storlane ARGS`, prefixed by <paramref name="wrapper"/> (e.g. `ip netns exec NAME`).</summary>
    public ProcessStartInfo CreateStartInfo(IReadOnlyList<string> wrapper, IReadOnlyList<string> storlaneArguments)
    {
        ArgumentNullException.ThrowIfNull(wrapper);
        ArgumentNullException.ThrowIfNull(storlaneArguments);
        var info = new ProcessStartInfo
        {
            FileName = wrapper.Count > 0 ? wrapper[0] : FileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };

        // A lab target's management socket goes to its run folder (its --data-dir), not to the
        // user's runtime folder, where a second target, or the user's own serve, would hold it.
        info.Environment.Remove("RUNTIME_DIRECTORY");
        info.Environment.Remove("XDG_RUNTIME_DIR");
        for (var i = 1; i < wrapper.Count; i++)
        {
            info.ArgumentList.Add(wrapper[i]);
        }

        if (wrapper.Count > 0)
        {
            info.ArgumentList.Add(FileName);
        }

        foreach (var argument in LeadingArguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var argument in storlaneArguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    private static StorlaneExecutable ForAssembly(string assemblyPath) => new(DotnetHost(), [assemblyPath]);

    /// <summary>The dotnet host running this process, so the child uses the same runtime.</summary>
    private static string DotnetHost()
    {
        var processPath = Environment.ProcessPath;
        if (processPath is not null && IsDotnetHost(processPath))
        {
            return processPath;
        }

        // Test hosts and apphosts are not the muxer; the SDK names it, or it sits above the runtime folder.
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var muxer = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(muxer) ? muxer : "dotnet";
    }

    private static bool IsDotnetHost(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return string.Equals(name, "dotnet", StringComparison.OrdinalIgnoreCase);
    }
}
