using Storlane.Storage;

namespace Storlane.Storage.Tests;

/// <summary>The file backend: sparse creation, persistence across reopen, FUA, hole punching.</summary>
public sealed class FileBlockDeviceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-file-").FullName;

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public async Task NewFile_IsSparse_AtTheConfiguredSize()
    {
        var geometry = BlockGeometry.FromSize(256 << 20, 4096, 4096);
        await using (var device = FileBlockDevice.OpenOrCreate(PathOf("lun.img"), geometry))
        {
            Assert.True((device.Features & BlockDeviceFeatures.VolatileWriteCache) != 0);
        }

        var info = new FileInfo(PathOf("lun.img"));
        Assert.Equal(256L << 20, info.Length);
        Assert.True(AllocatedBytes(info.FullName) < 1 << 20, "a new LUN file must not allocate its size");
    }

    [Fact]
    public async Task DataWritten_SurvivesCloseAndReopen()
    {
        var geometry = BlockGeometry.FromSize(8 << 20, 512, 512);
        var data = new byte[64 * 1024];
        new Random(3).NextBytes(data);
        await using (var device = FileBlockDevice.OpenOrCreate(PathOf("persist.img"), geometry))
        {
            await device.WriteAsync(777, data, WriteOptions.ForceUnitAccess);
            await device.FlushAsync();
        }

        await using (var reopened = FileBlockDevice.OpenOrCreate(PathOf("persist.img"), geometry))
        {
            var back = new byte[data.Length];
            await reopened.ReadAsync(777, back);
            Assert.Equal(data, back);
        }
    }

    [Fact]
    public async Task CachedRead_CompletesOnTheCallingThread()
    {
        var geometry = BlockGeometry.FromSize(8 << 20, 4096, 4096);
        var data = new byte[8192];
        new Random(7).NextBytes(data);
        await using var device = FileBlockDevice.OpenOrCreate(PathOf("cached.img"), geometry);
        await device.WriteAsync(10, data);

        // Just written, so in the page cache: preadv2(RWF_NOWAIT) serves it without a thread hop.
        var back = new byte[data.Length];
        var pending = device.ReadAsync(10, back);
        if (OperatingSystem.IsLinux())
        {
            Assert.True(pending.IsCompletedSuccessfully, "a cached read must not go to the thread pool");
            Assert.False(device.NoWaitReadUnsupported);
        }

        await pending;
        Assert.Equal(data, back);
    }

    [Fact]
    public async Task ReadsAndWrites_WithoutRwfNowait_GoThroughTheThreadPool_AndStayCorrect()
    {
        var geometry = BlockGeometry.FromSize(8 << 20, 512, 512);
        var data = new byte[16 * 1024];
        new Random(9).NextBytes(data);
        await using var device = FileBlockDevice.OpenOrCreate(PathOf("nowait-off.img"), geometry);
        device.NoWaitReadUnsupported = true; // what the first EOPNOTSUPP/EINVAL/ENOSYS records
        device.NoWaitWriteUnsupported = true;

        await device.WriteAsync(33, data);
        var back = new byte[data.Length];
        await device.ReadAsync(33, back);

        Assert.Equal(data, back);
        Assert.Equal(data, ReadThroughAnotherHandle(PathOf("nowait-off.img"), 33 * 512, data.Length));
    }

    [Fact]
    public async Task CachedWrite_IsVisibleThroughAnotherHandle()
    {
        var geometry = BlockGeometry.FromSize(8 << 20, 512, 512);
        var data = new byte[4096];
        new Random(11).NextBytes(data);
        await using var device = FileBlockDevice.OpenOrCreate(PathOf("cached-write.img"), geometry);

        await device.WriteAsync(5, data);
        await device.WriteAsync(5, data); // the second lands on pages the first put in the cache

        Assert.Equal(data, ReadThroughAnotherHandle(PathOf("cached-write.img"), 5 * 512, data.Length));
    }

    [Fact]
    public async Task FuaWrite_IsDurableByItself_WithRwfDsyncOnLinux()
    {
        var geometry = BlockGeometry.FromSize(8 << 20, 512, 512);
        var data = new byte[16 * 1024];
        new Random(5).NextBytes(data);
        await using var device = FileBlockDevice.OpenOrCreate(PathOf("fua.img"), geometry);

        await device.WriteAsync(0, data);
        Assert.Equal(0, device.DsyncWrites); // a plain write may stay in the page cache

        await device.WriteAsync(100, data, WriteOptions.ForceUnitAccess);
        if (OperatingSystem.IsLinux())
        {
            // The write itself carried RWF_DSYNC: no fsync of the whole file behind it.
            Assert.Equal(1, device.DsyncWrites);
        }

        Assert.Equal(data, ReadThroughAnotherHandle(PathOf("fua.img"), 100 * 512, data.Length));
    }

    [Fact]
    public async Task FuaWrite_WhereRwfDsyncIsUnsupported_FallsBackToWriteAndFlush()
    {
        var geometry = BlockGeometry.FromSize(8 << 20, 4096, 4096);
        var data = new byte[8192];
        new Random(6).NextBytes(data);
        await using var device = FileBlockDevice.OpenOrCreate(PathOf("fallback.img"), geometry);
        device.DsyncUnsupported = true; // what the first ENOSYS/EOPNOTSUPP/EINVAL from pwritev2 records

        await device.WriteAsync(3, data, WriteOptions.ForceUnitAccess);

        Assert.Equal(0, device.DsyncWrites);
        Assert.Equal(data, ReadThroughAnotherHandle(PathOf("fallback.img"), 3 * 4096, data.Length));
    }

    private static byte[] ReadThroughAnotherHandle(string path, long offset, int length)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var back = new byte[length];
        Assert.Equal(length, RandomAccess.Read(file, back, offset));
        return back;
    }

    [Fact]
    public async Task ExistingFileOfAnotherSize_IsRefused()
    {
        await File.WriteAllBytesAsync(PathOf("wrong.img"), new byte[4096]);
        var ex = Assert.Throws<InvalidDataException>(() => FileBlockDevice.OpenOrCreate(PathOf("wrong.img"), BlockGeometry.FromSize(8192, 512, 512)));
        Assert.Contains("4096 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unmap_ReadsBackZeros()
    {
        var geometry = BlockGeometry.FromSize(8 << 20, 4096, 4096);
        await using var device = FileBlockDevice.OpenOrCreate(PathOf("unmap.img"), geometry);
        var data = new byte[1 << 20];
        Array.Fill(data, (byte)0xAB);
        await device.WriteAsync(0, data);
        await device.UnmapAsync(0, 256);
        var back = new byte[4096];
        await device.ReadAsync(100, back);
        Assert.All(back, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task ReadOnlyDevice_ReportsReadOnly()
    {
        var geometry = BlockGeometry.FromSize(1 << 20, 512, 512);
        await using (FileBlockDevice.OpenOrCreate(PathOf("ro.img"), geometry))
        {
        }

        await using var device = FileBlockDevice.OpenOrCreate(PathOf("ro.img"), geometry, readOnly: true);
        Assert.True((device.Features & BlockDeviceFeatures.ReadOnly) != 0);
    }

    /// <summary>Blocks the file system really allocated, from `stat` (512-byte units).</summary>
    private static long AllocatedBytes(string path)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%b", path]) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return long.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture) * 512;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
