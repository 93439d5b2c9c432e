using System.CommandLine;
using Storlane.Cli.Configuration;
using Storlane.Storage.Vhdx;

namespace Storlane.Cli.Commands;

/// <summary><c>storlane disk info FILE</c>: type, sizes, sector sizes, allocation, identity and parent.</summary>
internal static class DiskInfoCommand
{
    public static Command Create()
    {
        var path = DiskOptions.Path("file", "The disk file to describe.");
        var command = new Command("info", "Describe a VHDX or raw disk file (read-only; a pending log is replayed in memory only).") { path };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var file = parseResult.GetRequiredValue(path).FullName;
            try
            {
                if (!DiskOptions.IsVhdx(file))
                {
                    output.WriteLine($"format: raw\nvirtual size: {SizeParser.Format(new FileInfo(file).Length)} ({new FileInfo(file).Length} bytes)");
                    return ExitCodes.Success;
                }

                await using var device = await VhdxBlockDevice.OpenAsync(file, readOnly: true, cancellationToken);
                var info = device.Info;
                output.WriteLine($"format: vhdx\ntype: {info.Type.ToString().ToLowerInvariant()}");
                output.WriteLine($"virtual size: {SizeParser.Format(info.VirtualSize)} ({info.VirtualSize} bytes)");
                output.WriteLine($"file size: {info.FileSize} bytes");
                output.WriteLine($"block size: {SizeParser.Format(info.BlockSize)}");
                output.WriteLine($"logical sector size: {info.LogicalSectorSize}\nphysical sector size: {info.PhysicalSectorSize}");
                output.WriteLine($"blocks allocated: {info.AllocatedBlocks} of {info.BlockCount}");
                output.WriteLine($"chunk ratio: {info.ChunkRatio}");
                output.WriteLine($"virtual disk id (page 83): {info.VirtualDiskId}");
                output.WriteLine($"data write guid: {info.DataWriteGuid}");
                if (info.ParentPath is not null)
                {
                    output.WriteLine($"parent: {info.ParentPath}");
                }

                if (info.ReplayedLogEntries > 0)
                {
                    output.WriteLine($"log: {info.ReplayedLogEntries} entries pending replay (shown as replayed; 'storlane disk check --repair' writes them)");
                }

                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"cannot read '{file}': {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    public static string Describe(VhdxDiskInfo info) =>
        $"{info.Type.ToString().ToLowerInvariant()} VHDX, {SizeParser.Format(info.VirtualSize)}, {info.LogicalSectorSize}/{info.PhysicalSectorSize}-byte sectors, {SizeParser.Format(info.BlockSize)} blocks:";
}
