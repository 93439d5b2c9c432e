using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

/// <summary>
/// A medium shared by several gateways (an RBD image): the SCSI layer must hand COMPARE AND WRITE
/// to the device (no in-process gate excludes another gateway), use the device's limits, zero
/// through the device, follow a resize made elsewhere, and report an identity of the data rather
/// than of the target.
/// </summary>
public sealed class SharedMediumTests
{
    private const string TestUnitReady = "00 00 00 00 00 00";
    private const string ReadCapacity16 = "9E 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00";

    private static byte[] Caw(ulong lba, byte blocks)
    {
        var cdb = new byte[16];
        cdb[0] = 0x89;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(cdb.AsSpan(2), lba);
        cdb[13] = blocks;
        return cdb;
    }

    [Fact]
    public async Task CompareAndWrite_OnADeviceThatComparesItself_IsDoneByTheDevice_WithItsMiscompareOffset()
    {
        var device = new SharedMediumDevice(new BlockGeometry(512, 4096, 2048));
        var harness = new ScsiHarness(device);
        await harness.Fill(7, 1, 0xAA);

        var data = new byte[1024];
        data.AsSpan(0, 512).Fill(0xAA);
        data[300] = 0;
        data.AsSpan(512).Fill(0xBB);
        var reply = await harness.Run(Caw(7, 1), dataOut: data);

        // SBC-3 5.2: MISCOMPARE DURING VERIFY OPERATION, INFORMATION = 300 (012Ch), nothing written.
        Assert.Equal("F0000E0000012C0A000000001D0000000000", Hex.Of(reply.Sense));
        Assert.Equal(1, device.CompareAndWrites);
        Assert.All(await harness.ReadBack(7, 1), b => Assert.Equal(0xAA, b));

        data[300] = 0xAA;
        (await harness.Run(Caw(7, 1), dataOut: data)).AssertGood();
        Assert.Equal(2, device.CompareAndWrites);
        Assert.All(await harness.ReadBack(7, 1), b => Assert.Equal(0xBB, b));
    }

    [Fact]
    public async Task CompareAndWrite_BeyondTheDevicesAtomicLimit_IsInvalidFieldInCdb_AndBlockLimitsSaysTheLimit()
    {
        var harness = new ScsiHarness(new SharedMediumDevice(new BlockGeometry(512, 4096, 2048), maxCompareAndWriteBlocks: 1));
        (await harness.Run(Caw(0, 2), dataOut: new byte[4 * 512])).AssertInvalidFieldInCdb(13);

        var limits = await harness.Run("12 01 B0 00 40 00", dataIn: 64);
        limits.AssertGood();
        Assert.Equal(1, limits.Data[5]);
    }

    [Fact]
    public async Task CompareAndWrite_OnADeviceThatCannotCompareAtThisBlockSize_FallsBackToTheGate()
    {
        var device = new SharedMediumDevice(new BlockGeometry(4096, 4096, 256), maxCompareAndWriteBlocks: 0);
        var harness = new ScsiHarness(device);
        var data = new byte[8192];
        data.AsSpan(4096).Fill(0xCC);
        (await harness.Run(Caw(1, 1), dataOut: data)).AssertGood();
        Assert.Equal(0, device.CompareAndWrites);
        Assert.All(await harness.ReadBack(1, 1), b => Assert.Equal(0xCC, b));
    }

    [Fact]
    public async Task WriteSame_OfAZeroBlock_IsZeroedByTheDevice_AndOfOtherDataIsWritten()
    {
        var device = new SharedMediumDevice(new BlockGeometry(512, 4096, 2048));
        var harness = new ScsiHarness(device);
        (await harness.Run("93 00 00 00 00 00 00 00 00 10 00 00 00 40 00 00", dataOut: new byte[512])).AssertGood();
        Assert.Equal([(16L, 64L)], device.Zeroed);
        Assert.Equal(0, device.Writes);

        var ones = new byte[512];
        ones.AsSpan().Fill(1);
        (await harness.Run("93 00 00 00 00 00 00 00 00 10 00 00 00 40 00 00", dataOut: ones)).AssertGood();
        Assert.Single(device.Zeroed);
        Assert.True(device.Writes > 0);
    }

    [Fact]
    public async Task ResizeFromOutside_RaisesCapacityDataHasChanged_AndReadCapacityShowsTheNewSize()
    {
        var device = new SharedMediumDevice(new BlockGeometry(512, 4096, 2048));
        var harness = new ScsiHarness(device);
        (await harness.Run(TestUnitReady)).AssertGood();

        device.ResizeFromOutside(4096);

        (await harness.Run(TestUnitReady)).AssertSense(SenseKey.UnitAttention, AdditionalSense.CapacityDataHasChanged);
        var capacity = await harness.Run(ReadCapacity16, dataIn: 32);
        capacity.AssertGood();
        Assert.Equal("0000000000000FFF00000200", Hex.Of(capacity.Data.AsSpan(0, 12)));
    }

    [Fact]
    public async Task ResizeFromOutside_AfterTheUnitWasRemoved_RaisesNothing()
    {
        var device = new SharedMediumDevice(new BlockGeometry(512, 4096, 2048));
        var harness = new ScsiHarness(device);
        harness.Target.AddLogicalUnit(1, ScsiHarness.Memory512n());
        (await harness.Run(TestUnitReady, lun: 1)).AssertGood();
        Assert.True(harness.Target.RemoveLogicalUnit(0));
        (await harness.Run(TestUnitReady, lun: 1)).AssertSense(SenseKey.UnitAttention, AdditionalSense.ReportedLunsDataHasChanged);

        device.ResizeFromOutside(4096);

        (await harness.Run(TestUnitReady, lun: 1)).AssertGood();
    }

    [Fact]
    public void IdentitySource_GivesTheSameNaaOnDifferentTargets_AndDiffersFromTheTargetDerivedOne()
    {
        var options = new LogicalUnitOptions { IdentitySource = "ceph:fsid/pool 2/image 10ab" };
        var gateway1 = new ScsiTargetDevice("iqn.2025-01.dev.storlane:gw1").AddLogicalUnit(0, ScsiHarness.Memory512n(), options);
        var gateway2 = new ScsiTargetDevice("iqn.2025-01.dev.storlane:gw2").AddLogicalUnit(3, ScsiHarness.Memory512n(), options);
        var plain = new ScsiTargetDevice("iqn.2025-01.dev.storlane:gw1").AddLogicalUnit(0, ScsiHarness.Memory512n());

        Assert.Equal(gateway1.NaaIdentifier, gateway2.NaaIdentifier);
        Assert.Equal(3UL, gateway1.NaaIdentifier >> 60);
        Assert.NotEqual(plain.NaaIdentifier, gateway1.NaaIdentifier);
    }
}
