using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

/// <summary>
/// A LUN grown while it serves: "the device server shall establish a unit attention condition ...
/// CAPACITY DATA HAS CHANGED" (SBC-3 4.4) for every I_T nexus, and READ CAPACITY reports the new
/// size; nothing below the old end moves.
/// </summary>
public sealed class CapacityChangeTests
{
    private const string TestUnitReady = "00 00 00 00 00 00";
    private const string ReadCapacity16 = "9E 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00";

    [Fact]
    public async Task GrowLogicalUnit_RaisesCapacityDataHasChangedOnEveryNexus_ThenReadCapacityShowsTheNewSize()
    {
        await using var file = new TempFileDevice(new BlockGeometry(512, 512, 2048));
        var harness = new ScsiHarness(file.Device);
        var other = ScsiHarness.NewNexus("iqn.1991-05.com.microsoft:host-b", portalGroup: 2);
        (await harness.Run(TestUnitReady)).AssertGood();
        (await harness.Run(TestUnitReady, nexus: other)).AssertGood();
        await harness.Fill(2047, 1, 0xAB);

        await harness.Target.GrowLogicalUnitAsync(0, 4096);

        foreach (var nexus in new[] { harness.Nexus, other })
        {
            (await harness.Run(TestUnitReady, nexus: nexus)).AssertSense(SenseKey.UnitAttention, AdditionalSense.CapacityDataHasChanged);
            var capacity = await harness.Run(ReadCapacity16, dataIn: 32, nexus: nexus);
            capacity.AssertGood();
            Assert.Equal("0000000000000FFF00000200", Hex.Of(capacity.Data.AsSpan(0, 12)));
        }

        // The old last block kept its data; the new blocks are addressable and read as zeros.
        var read = await harness.Run(Cdb.Read16(2047, 2), dataIn: 1024);
        read.AssertGood();
        Assert.All(read.Data.AsSpan(0, 512).ToArray(), b => Assert.Equal(0xAB, b));
        Assert.All(read.Data.AsSpan(512).ToArray(), b => Assert.Equal(0, b));
        (await harness.Run(Cdb.Write16(4095, 1), dataOut: new byte[512])).AssertGood();
    }

    [Fact]
    public async Task GrowLogicalUnit_ToASmallerSize_IsRefused_AndChangesNothing()
    {
        await using var file = new TempFileDevice(new BlockGeometry(512, 512, 2048));
        var harness = new ScsiHarness(file.Device);
        (await harness.Run(TestUnitReady)).AssertGood();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await harness.Target.GrowLogicalUnitAsync(0, 1024));

        (await harness.Run(TestUnitReady)).AssertGood();
        Assert.Equal(2048, file.Device.Geometry.BlockCount);
    }

    [Fact]
    public async Task GrowLogicalUnit_OnAMemoryBackend_IsRefusedWithTheReason()
    {
        var harness = new ScsiHarness();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await harness.Target.GrowLogicalUnitAsync(0, 4096));

        Assert.Contains("cannot grow while it serves", error.Message, StringComparison.Ordinal);
    }
}
