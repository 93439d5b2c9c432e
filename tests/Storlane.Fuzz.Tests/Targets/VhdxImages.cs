using Storlane.Storage.Vhdx;

namespace Storlane.Fuzz.Tests.Targets;

/// <summary>
/// Small valid VHDX images made by the project's own creator and written through
/// <see cref="VhdxBlockDevice"/>: 8 MiB dynamic disks with 1 MiB blocks at 512 and 4096-byte
/// sectors, a differencing child, and one left with a log that still needs replay (a power cut
/// between the log write and the BAT write).
/// </summary>
internal static class VhdxImages
{
    public const long VirtualSize = 8L << 20;

    private static readonly Lazy<byte[][]> All = new(Build);

    /// <summary>0: 512-byte sectors; 1: 4096; 2: differencing (512); 3: 512 with a log to replay.</summary>
    public static IReadOnlyList<byte[]> Images => All.Value;

    private static byte[][] Build()
    {
        var (sector512, _) = Make(512, parent: false);
        var (sector4k, _) = Make(4096, parent: false);
        var (child, _) = Make(512, parent: true);
        return [sector512, sector4k, child, Dirty(sector512)];
    }

    private static (byte[] Image, IReadOnlyList<(long, byte[])> Writes) Make(int sectorSize, bool parent)
    {
        var metadata = new VhdxMetadata(VhdxFormat.Mib, false, parent, VirtualSize, new Guid("5d1c7a6e-8f0b-4a55-9c3e-2b7f00112233"), sectorSize, sectorSize,
            parent ? VhdxParentLocator.ForParent(new Guid("0a0b0c0d-0102-0304-0506-0708090a0b0c"), "/fuzz/child.vhdx", "/fuzz/parent.vhdx") : null);
        var created = new OverlayVhdxFile([], canWrite: true);
        VhdxDiskCreator.CreateAsync(created, metadata, null, CancellationToken.None).GetAwaiter().GetResult();
        var file = new OverlayVhdxFile(created.ToArray(), canWrite: true);
        WriteSomething(file, sectorSize, parent);
        return (file.ToArray(), file.Writes);
    }

    /// <summary>Data in the first and third blocks, so the BAT has allocated entries (and a sector bitmap for the child).</summary>
    private static void WriteSomething(OverlayVhdxFile file, int sectorSize, bool parent)
    {
        var device = Open(file, sectorSize, parent);
        try
        {
            var data = new byte[sectorSize * 2];
            data.AsSpan().Fill(0x5a);
            device.WriteAsync(0, data).AsTask().GetAwaiter().GetResult();
            device.WriteAsync((2L * VhdxFormat.Mib / sectorSize) + 3, data).AsTask().GetAwaiter().GetResult();
            device.FlushAsync().AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            device.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The latest state of a block allocation, cut short, that still has log entries to replay.</summary>
    private static byte[] Dirty(byte[] clean)
    {
        var recorder = new OverlayVhdxFile(clean, canWrite: true);
        WriteSomethingElse(recorder);
        for (var keep = recorder.Writes.Count - 1; keep > 0; keep--)
        {
            var cut = new OverlayVhdxFile(clean, canWrite: false);
            for (var i = 0; i < keep; i++)
            {
                cut.Patch(recorder.Writes[i].Offset, recorder.Writes[i].Data);
            }

            cut.SetLength(recorder.Length); // the block allocation extended the file before any of these writes

            try
            {
                var device = Open(cut, 512, parent: false);
                var replayed = device.Info.ReplayedLogEntries;
                device.DisposeAsync().AsTask().GetAwaiter().GetResult();
                if (replayed > 0)
                {
                    return cut.ToArray();
                }
            }
            catch (InvalidDataException)
            {
                // a cut inside the header update: keep looking
            }
        }

        throw new InvalidOperationException("no write order left the log non-empty");
    }

    private static void WriteSomethingElse(OverlayVhdxFile file)
    {
        var device = Open(file, 512, parent: false);
        var data = new byte[4096];
        data.AsSpan().Fill(0x3c);
        device.WriteAsync(5L * VhdxFormat.Mib / 512, data).AsTask().GetAwaiter().GetResult();
        device.FlushAsync().AsTask().GetAwaiter().GetResult();
        device.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Opens with an in-memory parent when the image is a child, so no path is ever looked up.</summary>
    public static VhdxBlockDevice Open(IVhdxFile file, int parentSectorSize, bool parent) =>
        VhdxBlockDevice.OpenAsync(file, null, parent ? new Storlane.Storage.MemoryBlockDevice(new Storlane.Storage.BlockGeometry(parentSectorSize, parentSectorSize, VirtualSize / parentSectorSize)) : null)
            .GetAwaiter().GetResult();
}
