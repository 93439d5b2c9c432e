using System.CommandLine;
using Storlane.Storage;
using Storlane.Storage.Vhdx;

namespace Storlane.Cli.Commands;

/// <summary><c>storlane disk convert SOURCE DESTINATION --format vhdx|raw</c>: copy a disk, skipping deallocated and zero ranges.</summary>
internal static class DiskConvertCommand
{
    private const int CopyChunk = 1 << 20;

    public static Command Create()
    {
        var source = DiskOptions.Path("source", "The disk to read (VHDX, detected by its signature, or raw).");
        var destination = DiskOptions.Path("destination", "The disk file to create.");
        var format = DiskOptions.Format("Destination format: vhdx or raw.");
        var type = DiskOptions.Type();
        var logical = DiskOptions.LogicalSector();
        var blockSize = DiskOptions.BlockSize();
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite an existing destination." };
        var command = new Command("convert", "Copy a disk into a new VHDX (fixed or dynamic) or raw file. --logical-sector applies to a raw source. "
            + "Zero and unallocated ranges are skipped, so dynamic and raw results stay sparse.")
        {
            source, destination, format, type, logical, blockSize, force,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var from = parseResult.GetRequiredValue(source).FullName;
            var to = parseResult.GetRequiredValue(destination).FullName;
            var diskType = DiskOptions.ParseType(parseResult.GetRequiredValue(type));
            if (!DiskOptions.TryParseSize(parseResult.GetValue(blockSize), "--block-size", error, out var blockBytes))
            {
                return ExitCodes.ConfigError;
            }

            if (diskType == VhdxDiskType.Differencing)
            {
                error.WriteLine("convert makes fixed or dynamic disks; use 'disk create --type differencing' for a child");
                return ExitCodes.ConfigError;
            }

            if (File.Exists(to) && !parseResult.GetValue(force))
            {
                error.WriteLine($"'{to}' already exists (use --force to overwrite)");
                return ExitCodes.Failure;
            }

            try
            {
                await using var input = DiskOptions.IsVhdx(from)
                    ? (IBlockDevice)await VhdxBlockDevice.OpenAsync(from, readOnly: true, cancellationToken)
                    : FileBlockDevice.OpenOrCreate(from, BlockGeometry.FromSize(new FileInfo(from).Length, parseResult.GetRequiredValue(logical), parseResult.GetRequiredValue(logical)), readOnly: true);
                File.Delete(to);
                IBlockDevice output;
                if (parseResult.GetRequiredValue(format) == "raw")
                {
                    output = FileBlockDevice.OpenOrCreate(to, input.Geometry);
                }
                else
                {
                    await VhdxDiskCreator.CreateAsync(to, new VhdxCreateOptions
                    {
                        Type = diskType,
                        VirtualSize = input.Geometry.SizeInBytes,
                        LogicalSectorSize = input.Geometry.LogicalBlockSize,
                        PhysicalSectorSize = input.Geometry.PhysicalBlockSize,
                        BlockSize = blockBytes == 0 ? null : (int)blockBytes,
                    }, null, cancellationToken);
                    output = await VhdxBlockDevice.OpenAsync(to, readOnly: false, cancellationToken);
                }

                await using (output)
                {
                    await CopyAsync(input, output, new DiskProgress(error, "converting", input.Geometry.SizeInBytes), cancellationToken);
                    await output.FlushAsync(cancellationToken);
                }

                parseResult.InvocationConfiguration.Output.WriteLine($"converted {from} -> {to}");
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
            {
                error.WriteLine($"cannot convert '{from}': {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static async Task CopyAsync(IBlockDevice input, IBlockDevice output, IProgress<long> progress, CancellationToken cancellationToken)
    {
        var sector = input.Geometry.LogicalBlockSize;
        var chunkBlocks = CopyChunk / sector;
        var buffer = new byte[CopyChunk];
        var query = input as IAllocationQuery;
        for (long lba = 0; lba < input.Geometry.BlockCount;)
        {
            var count = (int)Math.Min(chunkBlocks, input.Geometry.BlockCount - lba);
            if (query is not null)
            {
                var run = await query.QueryAllocationAsync(lba, count, cancellationToken);
                if (!run.Mapped)
                {
                    lba += run.BlockCount;
                    continue;
                }

                count = (int)run.BlockCount;
            }

            var data = buffer.AsMemory(0, count * sector);
            await input.ReadAsync(lba, data, cancellationToken);
            if (data.Span.ContainsAnyExcept((byte)0))
            {
                await output.WriteAsync(lba, data, WriteOptions.None, cancellationToken);
            }

            lba += count;
            progress.Report(lba * sector);
        }
    }
}
