using System.CommandLine;
using Storlane.Storage.Vhdx;

namespace Storlane.Cli.Commands;

/// <summary><c>storlane disk compact FILE</c>: give back the space of unmapped and all-zero VHDX blocks.</summary>
internal static class DiskCompactCommand
{
    public static Command Create()
    {
        var path = DiskOptions.Path("file", "The VHDX file to compact. Close it first: nothing else may have it open.");
        var command = new Command("compact", "Shrink a VHDX file: all-zero blocks of a dynamic or differencing disk lose their space, blocks at the end move into the holes "
            + "(each copied and flushed before its BAT entry moves through the log), and the file is cut after the last block. Shows progress. "
            + "Exit code 0: done; 1: failed.")
        {
            path,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var file = parseResult.GetRequiredValue(path).FullName;
            try
            {
                if (!File.Exists(file) || !DiskOptions.IsVhdx(file))
                {
                    error.WriteLine(File.Exists(file) ? $"'{file}' is not a VHDX file (a raw file gives space back through UNMAP)" : $"'{file}' does not exist");
                    return ExitCodes.Failure;
                }

                var progress = new DiskProgress(error, "compacting", VhdxDiskMaintenance.ProgressScale);
                var result = await VhdxDiskMaintenance.CompactAsync(file, progress, cancellationToken);
                output.WriteLine($"compacted {file}: {result.FileSizeBefore} -> {result.FileSizeAfter} bytes, {result.ZeroBlocksReleased} all-zero blocks released, {result.BlocksMoved} blocks moved");
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException)
            {
                error.WriteLine($"cannot compact '{file}': {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
