using System.Reflection;
using System.Runtime.InteropServices;

namespace Storlane.Bench.Reporting;

/// <summary>Where a result was measured: enough to tell two machines (or two kernels) apart.</summary>
public sealed record MachineInfo
{
    public required string HostName { get; init; }

    public required string OperatingSystem { get; init; }

    public required string Architecture { get; init; }

    public required int ProcessorCount { get; init; }

    public string? ProcessorModel { get; init; }

    public required string Runtime { get; init; }

    public static MachineInfo Current() => new()
    {
        HostName = Environment.MachineName,
        OperatingSystem = RuntimeInformation.OSDescription,
        Architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
        ProcessorCount = Environment.ProcessorCount,
        ProcessorModel = ReadProcessorModel(),
        Runtime = RuntimeInformation.FrameworkDescription,
    };

    /// <summary>The Storlane version (the informational version, which carries the commit when built from git).</summary>
    public static string StorlaneVersion() =>
        typeof(MachineInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static string? ReadProcessorModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
