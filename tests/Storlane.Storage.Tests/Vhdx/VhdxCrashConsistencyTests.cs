using System.Buffers.Binary;
using Storlane.Storage.Vhdx;
using Xunit.Abstractions;

namespace Storlane.Storage.Tests.Vhdx;

/// <summary>
/// Crash consistency: a workload of writes, unmaps and flushes is cut at every write boundary (and
/// each cut is replayed with several choices of which unflushed writes reached the media), then
/// the file is reopened, the log replayed, and every sector compared with what was acknowledged.
/// MS-VHDX 2.3: "Updates that were not written and flushed to their final location on the VHDX
/// file due to a power failure will be detected, validated, and then replayed from the log".
/// </summary>
public sealed class VhdxCrashConsistencyTests(ITestOutputHelper output)
{
    private const int DiskSize = 8 << 20;
    private const int BlockSize = 1 << 20;
    private const int SurvivalChoicesPerCut = 4;
    private const long ParentStampBase = 1L << 62;

    [Theory]
    [InlineData(512, false)]
    [InlineData(4096, false)]
    [InlineData(512, true)]
    public async Task EveryAcknowledgedFlushedWrite_SurvivesACutAtEveryWriteBoundary(int sectorSize, bool differencing)
    {
        var metadata = new VhdxMetadata(BlockSize, false, differencing, DiskSize, Guid.NewGuid(), sectorSize, sectorSize,
            differencing ? new VhdxParentLocator(VhdxKnownIds.VhdxParentLocatorType, new Dictionary<string, string> { ["parent_linkage"] = "{00000000-0000-0000-0000-000000000000}", ["relative_path"] = "parent.vhdx" }) : null);
        var created = new MemoryVhdxFile();
        await VhdxDiskCreator.CreateAsync(created, metadata, null, CancellationToken.None);
        var baseImage = created.DurableImage();
        var sectors = DiskSize / sectorSize;

        // A dry run counts the write boundaries.
        var dry = new MemoryVhdxFile((byte[])baseImage.Clone());
        await RunWorkloadAsync(dry, new Model(sectors, differencing), sectorSize, differencing);
        var boundaries = dry.WriteCount;
        Assert.True(boundaries > 50, $"the workload should cross many write boundaries, crossed {boundaries}");

        var crashPoints = 0;
        for (var cut = 1; cut <= boundaries; cut++)
        {
            for (var choice = 0; choice < SurvivalChoicesPerCut; choice++)
            {
                var file = new MemoryVhdxFile((byte[])baseImage.Clone()) { CrashAtWrite = cut };
                var model = new Model(sectors, differencing);
                await RunWorkloadAsync(file, model, sectorSize, differencing);
                Assert.True(file.Crashed, $"cut {cut} of {boundaries} never happened");
                var survivor = file.Crash(new Random((cut * 31) + choice));
                await VerifyAsync(survivor, model, sectorSize, differencing, $"cut at write {cut}/{boundaries}, survival choice {choice}");
                crashPoints++;
            }
        }

        output.WriteLine($"{crashPoints} crash points tried ({boundaries} write boundaries x {SurvivalChoicesPerCut} survival choices), sector size {sectorSize}, differencing {differencing}");
    }

    private static async Task RunWorkloadAsync(MemoryVhdxFile file, Model model, int sectorSize, bool differencing)
    {
        var random = new Random(42);
        var sectors = DiskSize / sectorSize;
        var sectorsPerBlock = BlockSize / sectorSize;
        long stamp = 1;
        try
        {
            var device = await VhdxBlockDevice.OpenAsync(file, "crash.vhdx", differencing ? Parent(sectorSize) : null);
            for (var op = 0; op < 96; op++)
            {
                var kind = random.Next(10);
                if (kind < 6)
                {
                    var count = random.Next(1, 17);
                    var lba = random.NextInt64(0, sectors - count);
                    var data = new byte[count * sectorSize];
                    for (var i = 0; i < count; i++)
                    {
                        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(i * sectorSize), stamp + i);
                    }

                    model.Writing(lba, count, stamp);
                    await device.WriteAsync(lba, data);
                    stamp += count;
                }
                else if (kind < 7)
                {
                    // A whole block or a small range.
                    var whole = random.Next(2) == 0;
                    var lba = whole ? random.Next(0, sectors / sectorsPerBlock) * (long)sectorsPerBlock : random.NextInt64(0, sectors - 8);
                    var count = whole ? sectorsPerBlock : 8;
                    model.Unmapping(lba, count);
                    await device.UnmapAsync(lba, count);
                }
                else
                {
                    await device.FlushAsync();
                    model.Flushed();
                }
            }

            await device.DisposeAsync();
            model.Flushed();
        }
        catch (SimulatedCrashException)
        {
        }
    }

    private static async Task VerifyAsync(byte[] survivor, Model model, int sectorSize, bool differencing, string what)
    {
        var file = new MemoryVhdxFile(survivor);
        var report = new VhdxCheckReport();
        await using (var device = await VhdxBlockDevice.OpenAsync(file, "crash.vhdx", differencing ? Parent(sectorSize) : null))
        {
            var all = new byte[DiskSize];
            await device.ReadAsync(0, all);
            for (var sector = 0; sector < model.Sectors; sector++)
            {
                var found = BinaryPrimitives.ReadInt64LittleEndian(all.AsSpan(sector * sectorSize));
                Assert.True(model.Allows(sector, found), $"{what}: sector {sector} holds stamp {found}; acknowledged {model.FlushedStamp(sector)}");
            }
        }

        await VhdxChecker.CheckAsync(new MemoryVhdxFile(file.DurableImage()), null, report, CancellationToken.None);
        Assert.False(report.HasErrors, $"{what}: {string.Join("; ", report.Problems)}");
    }

    private static readonly Dictionary<int, MemoryBlockDevice> Parents = [];

    /// <summary>A read-only parent whose sectors carry their own stamps (shared: disposing a memory device is a no-op).</summary>
    private static MemoryBlockDevice Parent(int sectorSize)
    {
        lock (Parents)
        {
            if (!Parents.TryGetValue(sectorSize, out var parent))
            {
                parent = CreateParent(sectorSize);
                Parents.Add(sectorSize, parent);
            }

            return parent;
        }
    }

    private static MemoryBlockDevice CreateParent(int sectorSize)
    {
        var parent = new MemoryBlockDevice(BlockGeometry.FromSize(DiskSize, sectorSize, sectorSize));
        var data = new byte[DiskSize];
        for (var sector = 0; sector < DiskSize / sectorSize; sector++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(sector * sectorSize), ParentStampBase + sector);
        }

        parent.WriteAsync(0, data).AsTask().GetAwaiter().GetResult();
        return parent;
    }

    /// <summary>Per sector: the stamp the last acknowledged flush covers, and stamps written since (which may or may not have survived).</summary>
    private sealed class Model
    {
        private readonly long[] _current;
        private readonly long[] _flushed;
        private readonly List<long>?[] _since;

        public Model(int sectors, bool differencing)
        {
            Sectors = sectors;
            _current = new long[sectors];
            _flushed = new long[sectors];
            _since = new List<long>?[sectors];
            for (var i = 0; differencing && i < sectors; i++)
            {
                _current[i] = _flushed[i] = ParentStampBase + i;
            }
        }

        public int Sectors { get; }

        public long FlushedStamp(int sector) => _flushed[sector];

        public void Writing(long lba, int count, long stamp)
        {
            for (var i = 0; i < count; i++)
            {
                Set(lba + i, stamp + i);
            }
        }

        public void Unmapping(long lba, int count)
        {
            for (var i = 0; i < count; i++)
            {
                Set(lba + i, 0);
            }
        }

        public void Flushed()
        {
            Array.Copy(_current, _flushed, _current.Length);
            Array.Clear(_since);
        }

        public bool Allows(int sector, long stamp) => stamp == _flushed[sector] || (_since[sector]?.Contains(stamp) ?? false);

        private void Set(long sector, long stamp)
        {
            _current[sector] = stamp;
            (_since[sector] ??= []).Add(stamp);
        }
    }
}
