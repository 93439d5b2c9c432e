using Storlane.Initiator.Session;
using Storlane.Initiator.Tests.Support;
using Storlane.Iscsi.Initiator;
using Storlane.Target;
using Storlane.TestSupport;

namespace Storlane.Initiator.Tests;

/// <summary>The public disk API against Storlane's own target on loopback.</summary>
public class DiskTests
{
    [Theory]
    [InlineData(0, 512, 4096)]
    [InlineData(1, 4096, 4096)]
    public async Task Open_ReportsGeometryAndDesignator(int lun, int blockSize, int physical)
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var disk = await IscsiDisk.OpenAsync(target.Url(lun));
        Assert.Equal(blockSize, disk.BlockSize);
        Assert.Equal(physical, disk.PhysicalBlockSize);
        Assert.Equal((64L << 20) / blockSize, disk.BlockCount);
        Assert.NotNull(disk.Designator);
        Assert.Equal(0, disk.Designator!.Association);
    }

    [Fact]
    public async Task Designator_IsTheSameThroughBothPortalsAndDiffersPerLun()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var first = await IscsiDisk.OpenAsync(target.Url(0));
        await using var second = await IscsiDisk.OpenAsync($"iscsi://127.0.0.1:{target.SecondPort}/{LoopbackTarget.DefaultName}/0");
        await using var other = await IscsiDisk.OpenAsync(target.Url(1));
        Assert.Equal(first.Designator, second.Designator);
        Assert.NotEqual(first.Designator, other.Designator);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    public async Task WriteThenRead_RoundTripsAPattern(int lun, int seed)
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var disk = await IscsiDisk.OpenAsync(target.Url(lun));
        var data = Patterns.Make(disk.BlockSize * 37, seed);
        await disk.WriteAsync(11, data);
        var back = new byte[data.Length];
        await disk.ReadAsync(11, back);
        Assert.Equal(data, back);
    }

    [Theory]
    [InlineData(false, true)] // defaults: immediate + unsolicited up to FirstBurstLength, R2Ts for the rest
    [InlineData(true, false)] // InitialR2T=Yes, ImmediateData=No: every byte answers an R2T
    public async Task LargeTransfers_NeedingR2Ts_RoundTrip(bool initialR2T, bool immediateData)
    {
        await using var target = await LoopbackTarget.StartAsync();
        var options = new IscsiDiskOptions
        {
            MaxTransferBytes = 4 << 20,
            Session = new IscsiSessionOptions
            {
                Offer = new InitiatorOffer { InitialR2T = initialR2T, ImmediateData = immediateData, MaxBurstLength = 256 << 10, FirstBurstLength = 64 << 10, MaxRecvDataSegmentLength = 16384 },
            },
        };
        await using var disk = await IscsiDisk.OpenAsync(target.Url(1), options);
        Assert.Equal(initialR2T, disk.Session.Parameters.InitialR2T);
        var data = Patterns.Make(6 << 20, 42);
        await disk.WriteAsync(100, data);
        var back = new byte[data.Length];
        await disk.ReadAsync(100, back);
        Assert.Equal(data, back);
    }

    [Fact]
    public async Task Digests_Required_AreNegotiatedAndDataSurvives()
    {
        await using var target = await LoopbackTarget.StartAsync();
        var options = new IscsiDiskOptions
        {
            Session = new IscsiSessionOptions { Offer = new InitiatorOffer { HeaderDigest = DigestPreference.Required, DataDigest = DigestPreference.Required } },
        };
        await using var disk = await IscsiDisk.OpenAsync(target.Url(0), options);
        Assert.True(disk.Session.Parameters.HeaderDigest);
        Assert.True(disk.Session.Parameters.DataDigest);
        var data = Patterns.Make(1 << 20, 3);
        await disk.WriteAsync(0, data);
        var back = new byte[data.Length];
        await disk.ReadAsync(0, back);
        Assert.Equal(data, back);
    }

    [Fact]
    public async Task ChapInUrl_LogsIn()
    {
        await using var target = await LoopbackTarget.StartAsync((_, t) =>
        {
            t.Chap = new ChapOptions { User = ChapAccounts.User, Secret = ChapAccounts.Secret };
            t.MutualChap = new ChapOptions { User = ChapAccounts.MutualUser, Secret = ChapAccounts.MutualSecret };
        });
        var url = target.Url(0, ChapAccounts.User + "%" + ChapAccounts.Secret) + $"?target_user={ChapAccounts.MutualUser}&target_password={ChapAccounts.MutualSecret}";
        await using var disk = await IscsiDisk.OpenAsync(url);
        Assert.Equal(512, disk.BlockSize);
    }

    [Fact]
    public async Task FlushUnmapAndFua_Succeed()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var disk = await IscsiDisk.OpenAsync(target.Url(0));
        var data = Patterns.Make(4096, 9);
        await disk.WriteAsync(8, data, forceUnitAccess: true);
        await disk.FlushAsync();
        await disk.UnmapAsync(8, 8);
        var back = new byte[4096];
        await disk.ReadAsync(8, back);
        Assert.All(back, b => Assert.Equal(0, b)); // the memory backend reads unmapped blocks as zeroes
    }

    [Fact]
    public async Task OutOfRange_AndMisalignedBuffers_AreRefusedBeforeSending()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var disk = await IscsiDisk.OpenAsync(target.Url(1));
        await Assert.ThrowsAsync<ArgumentException>(async () => await disk.ReadAsync(0, new byte[512]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await disk.ReadAsync(disk.BlockCount, new byte[4096]));
    }

    [Fact]
    public async Task ConcurrentIo_FromManyCallers_IsVerified()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var disk = await IscsiDisk.OpenAsync(target.Url(0));
        var writes = Enumerable.Range(0, 32).Select(i => disk.WriteAsync(i * 64, Patterns.Make(64 * 512, i)).AsTask());
        await Task.WhenAll(writes);
        var reads = Enumerable.Range(0, 32).Select(async i =>
        {
            var back = new byte[64 * 512];
            await disk.ReadAsync(i * 64, back);
            Assert.Equal(Patterns.Make(64 * 512, i), back);
        });
        await Task.WhenAll(reads);
    }

    [Fact]
    public async Task Cancellation_OfALargeWrite_LeavesTheDiskUsable()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var disk = await IscsiDisk.OpenAsync(target.Url(1), new IscsiDiskOptions { MaxTransferBytes = 16 << 20 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(2));
        try
        {
            await disk.WriteAsync(0, new byte[16 << 20], cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Expected most of the time; a fast machine may finish first.
        }

        // The next write follows at once, racing the background ABORT TASK: an R2T the target had
        // queued for the aborted task must not come back under this command's tag.
        var data = Patterns.Make(8192, 5);
        await disk.WriteAsync(4096, data);
        var back = new byte[8192];
        await disk.ReadAsync(4096, back);
        Assert.Equal(data, back);
    }
}
