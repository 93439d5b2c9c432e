using System.CommandLine;
using Storlane.Storage;
using Storlane.Storage.Vhdx;

namespace Storlane.Cli.Commands;

/// <summary>Options shared by the disk commands, with their parsing and validation.</summary>
internal static class DiskOptions
{
    public static Option<string> Format(string description) => Choice("--format", description, "vhdx", "vhdx", "raw");

    public static Option<string> Type() => Choice("--type", "VHDX type: fixed (all space reserved now), dynamic (grows as written) or differencing (writes on top of --parent).", "dynamic", "fixed", "dynamic", "differencing");

    public static Option<int> LogicalSector() => SectorOption("--logical-sector", "Logical sector size in bytes: 512 or 4096.", 512);

    public static Option<int?> PhysicalSector() => new("--physical-sector")
    {
        Description = "Physical sector size in bytes: 512 or 4096, not below the logical size (default: the logical size).",
        HelpName = "bytes",
        Validators = { r => CheckSector(r, r.GetValueOrDefault<int?>()) },
    };

    public static Option<string?> BlockSize() => new("--block-size")
    {
        Description = "VHDX payload block size: a power of two from 1MiB to 256MiB (default 32MiB; 2MiB for differencing).",
        HelpName = "size",
    };

    public static Argument<FileInfo> Path(string name, string description) => new(name) { Description = description };

    public static VhdxDiskType ParseType(string type) => type switch
    {
        "fixed" => VhdxDiskType.Fixed,
        "differencing" => VhdxDiskType.Differencing,
        _ => VhdxDiskType.Dynamic,
    };

    /// <summary>Parses a size with the rule of the config file and the bench (<see cref="ByteSize"/>); zero is refused.</summary>
    public static bool TryParseSize(string? text, string option, TextWriter error, out long bytes)
    {
        bytes = 0;
        if (text is null)
        {
            return true;
        }

        if (!ByteSize.TryParsePositive(text, out bytes, out var problem))
        {
            error.WriteLine($"{option}: {problem}");
            return false;
        }

        return true;
    }

    /// <summary>VHDX when the file starts with the 'vhdxfile' signature, raw otherwise.</summary>
    public static bool IsVhdx(string path)
    {
        Span<byte> signature = stackalloc byte[8];
        using var stream = File.OpenRead(path);
        return stream.Read(signature) == 8 && signature.SequenceEqual("vhdxfile"u8);
    }

    private static Option<string> Choice(string name, string description, string defaultValue, params string[] values)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong(values);
        return option;
    }

    private static Option<int> SectorOption(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        HelpName = "bytes",
        DefaultValueFactory = _ => defaultValue,
        Validators = { r => CheckSector(r, r.GetValueOrDefault<int>()) },
    };

    private static void CheckSector(System.CommandLine.Parsing.OptionResult result, int? value)
    {
        if (value is not (null or 512 or 4096))
        {
            result.AddError($"{result.Option.Name} must be 512 or 4096, got {value}");
        }
    }
}
