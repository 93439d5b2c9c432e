using System.CommandLine;

namespace Storlane.Cli.Commands;

/// <summary><c>storlane disk create|info|check|resize|compact|convert</c>: make and inspect virtual disk files (VHDX or raw).</summary>
internal static class DiskCommand
{
    public static Command Create() => new("disk", "Create, inspect, check, resize, compact and convert virtual disk files (VHDX per MS-VHDX 1.0, or raw).")
    {
        DiskCreateCommand.Create(),
        DiskInfoCommand.Create(),
        DiskCheckCommand.Create(),
        DiskResizeCommand.Create(),
        DiskCompactCommand.Create(),
        DiskConvertCommand.Create(),
    };
}
