using System.CommandLine;

namespace Storlane.Cli.Commands;

/// <summary><c>storlane disk create|info|check|convert</c>: make and inspect virtual disk files (VHDX or raw).</summary>
internal static class DiskCommand
{
    public static Command Create() => new("disk", "Create, inspect, check and convert virtual disk files (VHDX per MS-VHDX 1.0, or raw).")
    {
        DiskCreateCommand.Create(),
        DiskInfoCommand.Create(),
        DiskCheckCommand.Create(),
        DiskConvertCommand.Create(),
    };
}
