using System.CommandLine;
using Storlane.Storage;
using Storlane.Storage.Vhdx;

namespace Storlane.Cli.Commands;

/// <summary><c>storlane disk resize FILE --size SIZE [--allow-shrink]</c>: grow or shrink a VHDX or raw disk.</summary>
internal static class DiskResizeCommand
{
    public static Command Create()
    {
        var path = DiskOptions.Path("file", "The disk file to resize (VHDX, detected by its signature, or raw). Close it first: nothing else may have it open.");
        var size = new Option<string>("--size") { Description = "New virtual size: bytes, or a whole number with K, M, G, T (binary: 1G = 1GiB = 2^30 bytes; GB is refused as ambiguous).", HelpName = "size", Required = true };
        var allowShrink = new Option<bool>("--allow-shrink") { Description = "Shrink even when non-zero data lies past the new end; that data is dropped. Without it such a shrink is refused and nothing changes." };
        var command = new Command("resize", "Grow or shrink a virtual disk. VHDX metadata changes go through the log, so a crash leaves the old or the new disk; "
            + "a fixed VHDX reserves its new space now and shows progress. Exit code 0: resized; 1: refused or failed (nothing changed); 2: bad options.")
        {
            path, size, allowShrink,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var file = parseResult.GetRequiredValue(path).FullName;
            if (!DiskOptions.TryParseSize(parseResult.GetRequiredValue(size), "--size", error, out var bytes))
            {
                return ExitCodes.ConfigError;
            }

            if (!File.Exists(file))
            {
                error.WriteLine($"'{file}' does not exist");
                return ExitCodes.Failure;
            }

            try
            {
                if (!DiskOptions.IsVhdx(file))
                {
                    var (oldRaw, dropped) = await DiskRawResize.ResizeAsync(file, bytes, parseResult.GetValue(allowShrink), cancellationToken);
                    output.WriteLine($"resized raw disk {file}: {ByteSize.Describe(oldRaw)} -> {ByteSize.Describe(bytes)}{(dropped ? " (data past the new end dropped)" : string.Empty)}");
                    return ExitCodes.Success;
                }

                var progress = new DiskProgress(error, "reserving space", VhdxDiskMaintenance.ProgressScale);
                var result = await VhdxDiskMaintenance.ResizeAsync(file, bytes, parseResult.GetValue(allowShrink), progress, cancellationToken);
                output.WriteLine($"resized VHDX {file}: {ByteSize.Describe(result.OldSize)} -> {ByteSize.Describe(result.NewSize)}"
                    + $"{(result.BlocksMoved > 0 ? $", {result.BlocksMoved} blocks moved to make room for the BAT" : string.Empty)}"
                    + $"{(result.BlocksDropped > 0 ? $", {result.BlocksDropped} allocated blocks dropped ('disk compact' returns their space)" : string.Empty)}");
                return ExitCodes.Success;
            }
            catch (VhdxShrinkRefusedException ex)
            {
                error.WriteLine($"refused: {ex.Message}; use --allow-shrink to drop it");
                return ExitCodes.Failure;
            }
            catch (ArgumentOutOfRangeException ex)
            {
                error.WriteLine($"--size: {ex.Message.Split(" (Parameter", 2)[0]}");
                return ExitCodes.ConfigError;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException)
            {
                error.WriteLine($"cannot resize '{file}': {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
