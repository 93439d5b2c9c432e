using Storlane.Initiator;
using Storlane.Initiator.Nvme;
using Storlane.Storage;

namespace Storlane.Bench.Targets;

/// <summary>
/// Opens a target from its command-line form:
/// <c>memory:1GiB</c> (optionally <c>memory:1GiB,sector=4096</c> or <c>sector=512e</c>),
/// <c>file:PATH</c> (optionally <c>,size=1GiB</c> to create it, <c>,buffered</c> to keep the page cache),
/// <c>iscsi://host[:port]/iqn/lun</c>, <c>nvme+tcp://host[:port]/subsystem-nqn/nsid</c>, or several iSCSI URLs of one LU with a path policy,
/// <c>multipath:POLICY:URL|URL[|URL...]</c> (<see cref="MultipathTargetSpec"/>).
/// </summary>
public static class BenchTargetFactory
{
    public static string Syntax { get; } = "memory:SIZE[,sector=512|512e|4096], file:PATH[,size=SIZE][,buffered], iscsi://host[:port]/target-iqn/lun, nvme+tcp://host[:port]/subsystem-nqn/nsid or "
        + MultipathTargetSpec.Syntax + ", POLICY one of " + PathPolicyNames.Expected;

    public static async Task<IBenchTarget> OpenAsync(string spec, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        if (spec.StartsWith(IscsiUrl.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            if (!IscsiUrl.TryParse(spec, out var url, out var error))
            {
                throw new FormatException($"bad iSCSI URL '{spec}': {error}");
            }

            if (url.TargetName is null || url.Lun is null)
            {
                throw new FormatException($"iSCSI URL '{spec}' needs a target name and a LUN: iscsi://host[:port]/target-iqn/lun");
            }

            return await BlockDiskBenchTarget.OpenAsync(url, cancellationToken).ConfigureAwait(false);
        }

        if (NvmeUrl.IsNvmeUrl(spec))
        {
            if (!NvmeUrl.TryParse(spec, out var url, out var error))
            {
                throw new FormatException($"bad NVMe/TCP URL: {error}");
            }

            if (url.Nsid is null)
            {
                throw new FormatException($"NVMe/TCP URL '{spec}' needs a namespace: nvme+tcp://host[:port]/subsystem-nqn/nsid");
            }

            return await BlockDiskBenchTarget.OpenAsync(url, cancellationToken).ConfigureAwait(false);
        }

        if (spec.StartsWith(MultipathTargetSpec.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return await MultipathBenchTarget.OpenAsync(MultipathTargetSpec.Parse(spec), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (spec.StartsWith("memory:", StringComparison.OrdinalIgnoreCase))
        {
            return OpenMemory(spec);
        }

        if (spec.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return OpenFile(spec);
        }

        throw new FormatException($"unknown target '{spec}': expected {Syntax}");
    }

    private static BlockDeviceTarget OpenMemory(string spec)
    {
        var parts = spec["memory:".Length..].Split(',');
        if (!ByteSize.TryParsePositive(parts[0], out var size, out var sizeError))
        {
            throw new FormatException($"memory target '{spec}': {sizeError}");
        }

        var (logical, physical) = (512, 512);
        foreach (var option in parts.AsSpan(1))
        {
            (logical, physical) = option.ToLowerInvariant() switch
            {
                "sector=512" or "sector=512n" => (512, 512),
                "sector=512e" => (512, 4096),
                "sector=4096" or "sector=4k" or "sector=4kn" => (4096, 4096),
                _ => throw new FormatException($"memory target '{spec}': unknown option '{option}' (sector=512, 512e or 4096)"),
            };
        }

        if (size % logical != 0)
        {
            throw new FormatException($"memory target '{spec}': size {size} is not a multiple of the {logical}-byte sector");
        }

        var device = new MemoryBlockDevice(BlockGeometry.FromSize(size, logical, physical));
        return new BlockDeviceTarget(device, spec, createdByBench: true);
    }

    private static FileBenchTarget OpenFile(string spec)
    {
        var parts = spec["file:".Length..].Split(',');
        if (parts[0].Length == 0)
        {
            throw new FormatException($"file target '{spec}' names no file");
        }

        long? size = null;
        var direct = true;
        foreach (var option in parts.AsSpan(1))
        {
            if (option.Equals("buffered", StringComparison.OrdinalIgnoreCase))
            {
                direct = false;
            }
            else if (option.StartsWith("size=", StringComparison.OrdinalIgnoreCase))
            {
                size = ByteSize.TryParsePositive(option[5..], out var bytes, out var sizeError)
                    ? bytes
                    : throw new FormatException($"file target '{spec}': {sizeError}");
            }
            else
            {
                throw new FormatException($"file target '{spec}': unknown option '{option}' (size=SIZE or buffered)");
            }
        }

        return FileBenchTarget.Open(parts[0], size, direct);
    }
}
