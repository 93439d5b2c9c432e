using System.CommandLine;
using Storlane.Storage;
using Storlane.Storage.Vhdx;

namespace Storlane.Cli.Commands;

/// <summary><c>storlane disk info FILE [--json]</c>: type, sizes, sector sizes, allocation, identity and parent.</summary>
internal static class DiskInfoCommand
{
    public static Command Create()
    {
        var path = DiskOptions.Path("file", "The disk file to describe.");
        var json = new Option<bool>("--json") { Description = "Print one JSON object (sizes in bytes) instead of text." };
        var command = new Command("info", "Describe a VHDX or raw disk file (read-only; a pending log is replayed in memory only). Exit code 0: described; 1: cannot read it; 2: bad options.")
        {
            path,
            json,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var file = parseResult.GetRequiredValue(path).FullName;
            try
            {
                if (!DiskOptions.IsVhdx(file))
                {
                    var length = new FileInfo(file).Length;
                    output.WriteLine(parseResult.GetValue(json)
                        ? DiskInfoJson.Raw(length)
                        : $"format: raw\nvirtual size: {ByteSize.Describe(length)} ({length} bytes)");
                    return ExitCodes.Success;
                }

                await using var device = await VhdxBlockDevice.OpenAsync(file, readOnly: true, cancellationToken);
                if (parseResult.GetValue(json))
                {
                    output.WriteLine(DiskInfoJson.Vhdx(device.Info));
                    return ExitCodes.Success;
                }

                WriteText(output, device.Info);
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
        $"{info.Type.ToString().ToLowerInvariant()} VHDX, {ByteSize.Describe(info.VirtualSize)}, {info.LogicalSectorSize}/{info.PhysicalSectorSize}-byte sectors, {ByteSize.Describe(info.BlockSize)} blocks:";

    private static void WriteText(TextWriter output, VhdxDiskInfo info)
    {
        output.WriteLine($"format: vhdx\ntype: {info.Type.ToString().ToLowerInvariant()}");
        output.WriteLine($"virtual size: {ByteSize.Describe(info.VirtualSize)} ({info.VirtualSize} bytes)");
        output.WriteLine($"file size: {info.FileSize} bytes");
        output.WriteLine($"block size: {ByteSize.Describe(info.BlockSize)}");
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
    }
}
