using Storlane.Storage.Vhdx;
using Xunit.Abstractions;

namespace Storlane.Storage.Tests.Vhdx;

/// <summary>
/// Crash consistency of resize and compaction: each is cut at every write boundary of a file that
/// models a volatile disk cache (unflushed writes survive whole, not at all, or torn at 512 bytes),
/// then the survivor is reopened (the log replayed) and must be the old disk or the new one with
/// every byte it showed before, and pass <c>check</c>.
/// </summary>
public sealed class VhdxMaintenanceCrashTests(ITestOutputHelper output)
{
    private const long Mib = 1L << 20;
    private const long DiskSize = 8 * Mib;
    private const int SurvivalChoicesPerCut = 3;

    public enum Operation
    {
        /// <summary>8 MiB to 130 GiB with 1 MiB blocks: the BAT region outgrows 1 MiB, so a payload block moves.</summary>
        GrowPastTheBat,
        GrowFixed,
        ShrinkDroppingData,
        ShrinkDifferencing,
        GrowDifferencing,
        Compact,
        CompactDifferencing,
    }

    [Theory]
    [InlineData(Operation.GrowPastTheBat, 512)]
    [InlineData(Operation.GrowFixed, 512)]
    [InlineData(Operation.GrowFixed, 4096)]
    [InlineData(Operation.ShrinkDroppingData, 512)]
    [InlineData(Operation.ShrinkDifferencing, 512)]
    [InlineData(Operation.GrowDifferencing, 512)]
    [InlineData(Operation.Compact, 512)]
    [InlineData(Operation.Compact, 4096)]
    [InlineData(Operation.CompactDifferencing, 512)]
    public async Task ACutAtEveryWriteBoundary_LeavesTheOldOrTheNewDisk_WithEveryByte_AndAValidFile(Operation operation, int sectorSize)
    {
        var differencing = operation is Operation.GrowDifferencing or Operation.ShrinkDifferencing or Operation.CompactDifferencing;
        var parent = differencing ? Parent(sectorSize) : null;
        var (baseImage, expected) = await PrepareAsync(operation, sectorSize, parent);
        var newSize = NewSize(operation);

        var dry = new MemoryVhdxFile((byte[])baseImage.Clone());
        await RunAsync(dry, operation, parent);
        var boundaries = dry.WriteCount;
        await VerifyAsync(dry.DurableImage(), expected, newSize, newSize, parent, "no crash");

        var crashPoints = 0;
        for (var cut = 1; cut <= boundaries; cut++)
        {
            for (var choice = 0; choice < SurvivalChoicesPerCut; choice++)
            {
                var file = new MemoryVhdxFile((byte[])baseImage.Clone()) { CrashAtWrite = cut };
                try
                {
                    await RunAsync(file, operation, parent);
                }
                catch (SimulatedCrashException)
                {
                }

                Assert.True(file.Crashed, $"cut {cut} of {boundaries} never happened");
                await VerifyAsync(file.Crash(new Random((cut * 31) + choice)), expected, DiskSize, newSize, parent, $"{operation}: cut at write {cut}/{boundaries}, survival choice {choice}");
                crashPoints++;
            }
        }

        output.WriteLine($"{operation}, {sectorSize}-byte sectors: {crashPoints} crash points tried ({boundaries} write boundaries x {SurvivalChoicesPerCut} survival choices)");
    }

    private static long NewSize(Operation operation) => operation switch
    {
        Operation.GrowPastTheBat => 130L << 30,
        Operation.GrowFixed => 3 * DiskSize,
        Operation.GrowDifferencing => 130L << 30,
        Operation.ShrinkDroppingData or Operation.ShrinkDifferencing => (11 * Mib) / 2,
        _ => DiskSize,
    };

    private static Task RunAsync(MemoryVhdxFile file, Operation operation, IBlockDevice? parent) => operation switch
    {
        Operation.Compact or Operation.CompactDifferencing => VhdxDiskMaintenance.CompactAsync(file, parent),
        _ => VhdxDiskMaintenance.ResizeAsync(file, parent, NewSize(operation), allowShrink: true),
    };

    /// <summary>A clean disk with data in most blocks, some unmapped (holes for compaction), and what it reads.</summary>
    private static async Task<(byte[] Image, byte[] Expected)> PrepareAsync(Operation operation, int sectorSize, IBlockDevice? parent)
    {
        var fixedDisk = operation == Operation.GrowFixed;
        var metadata = new VhdxMetadata((int)Mib, fixedDisk, parent is not null, DiskSize, Guid.NewGuid(), sectorSize, sectorSize,
            parent is null ? null : new VhdxParentLocator(VhdxKnownIds.VhdxParentLocatorType, new Dictionary<string, string> { ["parent_linkage"] = "{00000000-0000-0000-0000-000000000000}", ["relative_path"] = "parent.vhdx" }));
        var file = new MemoryVhdxFile();
        await VhdxDiskCreator.CreateAsync(file, metadata, null, CancellationToken.None);
        var random = new Random(sectorSize + (int)operation);
        await using (var device = await VhdxBlockDevice.OpenAsync(file, "prepare.vhdx", parent))
        {
            var data = new byte[DiskSize - (2 * Mib)];
            random.NextBytes(data);
            await device.WriteAsync(Mib / sectorSize, data);

            // A partial block: in a differencing disk a sector bitmap block, too.
            var partial = new byte[3 * sectorSize];
            random.NextBytes(partial);
            await device.WriteAsync((DiskSize - Mib + (64 * 1024)) / sectorSize, partial);
            foreach (var block in new long[] { 2, 4, 5 })
            {
                await device.UnmapAsync(block * Mib / sectorSize, Mib / sectorSize);
            }
        }

        var image = file.DurableImage();
        await using var reader = await VhdxBlockDevice.OpenAsync(new MemoryVhdxFile((byte[])image.Clone()), "prepare.vhdx", parent);
        var expected = new byte[DiskSize];
        await reader.ReadAsync(0, expected);
        return (image, expected);
    }

    private static async Task VerifyAsync(byte[] survivor, byte[] expected, long oldSize, long newSize, IBlockDevice? parent, string what)
    {
        var file = new MemoryVhdxFile(survivor);
        await using (var device = await VhdxBlockDevice.OpenAsync(file, "crash.vhdx", parent))
        {
            var size = device.Geometry.SizeInBytes;
            Assert.True(size == oldSize || size == newSize, $"{what}: size {size} is neither the old {oldSize} nor the new {newSize}");
            var kept = (int)Math.Min(size, DiskSize);
            var all = new byte[kept];
            await device.ReadAsync(0, all);
            Assert.True(all.AsSpan().SequenceEqual(expected.AsSpan(0, kept)), $"{what}: the data below {kept} changed");
            if (size > DiskSize)
            {
                // Past the old end: zeros (a differencing disk's parent is no larger than the old disk).
                var past = new byte[2 * Mib];
                await device.ReadAsync(DiskSize / device.Geometry.LogicalBlockSize, past);
                Assert.False(past.AsSpan().ContainsAnyExcept((byte)0), $"{what}: the grown space does not read zeros");
                await device.ReadAsync((size - past.Length) / device.Geometry.LogicalBlockSize, past);
                Assert.False(past.AsSpan().ContainsAnyExcept((byte)0), $"{what}: the end of the grown space does not read zeros");
            }
        }

        var report = new VhdxCheckReport();
        await VhdxChecker.CheckAsync(new MemoryVhdxFile(file.DurableImage()), null, report, CancellationToken.None);
        Assert.False(report.HasErrors, $"{what}: {string.Join("; ", report.Problems)}");
    }

    private static readonly Dictionary<int, MemoryBlockDevice> Parents = [];

    /// <summary>A read-only parent of the old size with random data (shared: disposing a memory device is a no-op).</summary>
    private static MemoryBlockDevice Parent(int sectorSize)
    {
        lock (Parents)
        {
            if (!Parents.TryGetValue(sectorSize, out var parent))
            {
                parent = new MemoryBlockDevice(BlockGeometry.FromSize(DiskSize, sectorSize, sectorSize));
                var data = new byte[DiskSize];
                new Random(sectorSize).NextBytes(data);
                parent.WriteAsync(0, data).AsTask().GetAwaiter().GetResult();
                Parents.Add(sectorSize, parent);
            }

            return parent;
        }
    }
}
