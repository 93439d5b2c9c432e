using System.CommandLine;
using Storlane.Storage;
using Storlane.Storage.Vhdx;

namespace Storlane.Cli.Commands;

/// <summary><c>storlane disk create FILE --size SIZE [--format vhdx|raw] [--type ...] [--parent FILE] ...</c></summary>
internal static class DiskCreateCommand
{
    public static Command Create()
    {
        var path = DiskOptions.Path("file", "The disk file to create.");
        var size = new Option<string?>("--size") { Description = "Virtual size: bytes, or a whole number with K, M, G, T (binary: 1G = 1GiB = 2^30 bytes; GB is refused as ambiguous). Not needed for differencing.", HelpName = "size" };
        var format = DiskOptions.Format("File format: vhdx or raw (a sparse file).");
        var type = DiskOptions.Type();
        var parent = new Option<FileInfo?>("--parent") { Description = "Parent VHDX of a differencing disk; the child takes its size and sector sizes.", HelpName = "file" };
        var logical = DiskOptions.LogicalSector();
        var physical = DiskOptions.PhysicalSector();
        var blockSize = DiskOptions.BlockSize();
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite an existing file." };
        var command = new Command("create", "Create a virtual disk. A fixed VHDX reserves its whole size now and shows progress; exit code 0 on success, 1 on failure, 2 for bad options.")
        {
            path, size, format, type, parent, logical, physical, blockSize, force,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var file = parseResult.GetRequiredValue(path).FullName;
            var diskType = DiskOptions.ParseType(parseResult.GetRequiredValue(type));
            var parentFile = parseResult.GetValue(parent)?.FullName;
            if (!DiskOptions.TryParseSize(parseResult.GetValue(size), "--size", error, out var bytes)
                || !DiskOptions.TryParseSize(parseResult.GetValue(blockSize), "--block-size", error, out var blockBytes))
            {
                return ExitCodes.ConfigError;
            }

            var problem = Validate(parseResult.GetRequiredValue(format), diskType, bytes, parentFile, parseResult.GetRequiredValue(logical), parseResult.GetValue(physical), blockBytes);
            if (problem is not null)
            {
                error.WriteLine(problem);
                return ExitCodes.ConfigError;
            }

            // Creating the folder too would hide a typo in the path (a disk lands where nobody looks).
            if (Path.GetDirectoryName(file) is { } folder && !Directory.Exists(folder))
            {
                error.WriteLine($"cannot create '{file}': the folder '{folder}' does not exist (create it first)");
                return ExitCodes.Failure;
            }

            if (File.Exists(file) && !parseResult.GetValue(force))
            {
                error.WriteLine($"'{file}' already exists (use --force to overwrite)");
                return ExitCodes.Failure;
            }

            try
            {
                if (parseResult.GetRequiredValue(format) == "raw")
                {
                    File.Delete(file);
                    await using var device = FileBlockDevice.OpenOrCreate(file, BlockGeometry.FromSize(bytes, parseResult.GetRequiredValue(logical), parseResult.GetValue(physical) ?? parseResult.GetRequiredValue(logical)));
                    output.WriteLine($"created raw disk {file}: {ByteSize.Describe(bytes)}, sparse");
                    return ExitCodes.Success;
                }

                var options = new VhdxCreateOptions
                {
                    Type = diskType,
                    VirtualSize = bytes,
                    BlockSize = blockBytes == 0 ? null : (int)blockBytes,
                    LogicalSectorSize = parseResult.GetRequiredValue(logical),
                    PhysicalSectorSize = parseResult.GetValue(physical),
                    ParentPath = parentFile,
                    Overwrite = true,
                };
                var progress = diskType == VhdxDiskType.Fixed ? new DiskProgress(error, "reserving space", bytes) : null;
                await VhdxDiskCreator.CreateAsync(file, options, progress, cancellationToken);
                await using var created = await VhdxBlockDevice.OpenAsync(file, readOnly: true, cancellationToken);
                output.WriteLine($"created {DiskInfoCommand.Describe(created.Info)} {file}");
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
            {
                error.WriteLine($"cannot create '{file}': {ex.Message}");
                return ExitCodes.Failure;
            }
            catch (OperationCanceledException)
            {
                error.WriteLine($"cancelled; '{file}' removed");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static string? Validate(string format, VhdxDiskType type, long size, string? parent, int logical, int? physical, long blockSize)
    {
        if (physical is { } p && p < logical)
        {
            return $"--physical-sector {p} cannot be smaller than --logical-sector {logical}";
        }

        if (type == VhdxDiskType.Differencing)
        {
            if (format == "raw")
            {
                return "a raw disk cannot be differencing; use --format vhdx";
            }

            return parent is null ? "--type differencing needs --parent FILE" : null;
        }

        if (parent is not null)
        {
            return "--parent is only for --type differencing";
        }

        if (size == 0)
        {
            return "--size is required (for example --size 10GiB)";
        }

        if (size % logical != 0)
        {
            return $"--size {size} is not a multiple of the logical sector size {logical}";
        }

        if (format == "vhdx" && size > 64L << 40)
        {
            return "--size: a VHDX holds at most 64 TiB";
        }

        if (blockSize != 0 && (blockSize is < 1 << 20 or > 256 << 20 || (blockSize & (blockSize - 1)) != 0))
        {
            return $"--block-size {blockSize} must be a power of two from 1MiB to 256MiB";
        }

        return null;
    }
}
