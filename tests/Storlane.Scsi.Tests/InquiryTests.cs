using System.Buffers.Binary;
using System.Text;
using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

public sealed class InquiryTests
{
    // SPC-4 6.6.2: PQ 000b type 00h, VERSION 06h, HISUP + RESPONSE DATA FORMAT 2, ADDITIONAL LENGTH 5Bh,
    // TPGS 11b (implicit and explicit ALUA) and 3PC (EXTENDED COPY), CMDQUE, vendor/product/revision,
    // version descriptors SAM-5, iSCSI, SPC-4, SBC-3.
    private const string StandardInquiry =
        "00 00 06 12 5B 38 00 02" +
        "53544F524C414E45" + "53746F726C616E65204C554E20202020" + "30303031" +
        "00000000000000000000000000000000000000000000" +
        "00A0 0960 0460 04C0" +
        "000000000000000000000000000000000000000000000000000000000000";

    [Fact]
    public async Task Inquiry_Standard_IsSpc4DirectAccessWithVersionDescriptors()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("12 00 00 00 60 00", dataIn: 96);
        reply.AssertGood();
        Assert.Equal(StandardInquiry.Replace(" ", string.Empty, StringComparison.Ordinal), Hex.Of(reply.Data));
    }

    [Fact]
    public async Task Inquiry_AllocationLength36_TruncatesWithoutChangingAdditionalLength()
    {
        // SPC-4 4.2.5.6: transfer stops at the allocation length; length fields are not altered.
        var harness = new ScsiHarness();
        var reply = await harness.Run("12 00 00 00 24 00", dataIn: 255);
        reply.AssertGood();
        Assert.Equal(36, reply.Result.DataInLength);
        Assert.Equal(0x5B, reply.Data[4]);
        Assert.All(reply.DataIn[36..], b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task Inquiry_AllocationLengthAboveData_ReportsOnlyAvailableLength()
    {
        // Less data than the allocation length: DataInLength is what exists, so the transport sees an underflow.
        var harness = new ScsiHarness();
        var reply = await harness.Run("12 00 00 01 00 00", dataIn: 256);
        reply.AssertGood();
        Assert.Equal(96, reply.Result.DataInLength);
    }

    [Fact]
    public async Task Inquiry_DataInSmallerThanAllocation_ReportsFullLengthForOverflow()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("12 00 00 00 60 00", dataIn: 8);
        reply.AssertGood();
        Assert.Equal(96, reply.Result.DataInLength);
        Assert.Equal(Hex.Bytes("00 00 06 12 5B 38 00 02"), reply.DataIn);
    }

    [Fact]
    public async Task Inquiry_CustomIdentification_AppearsSpacePadded()
    {
        var harness = new ScsiHarness(options: new LogicalUnitOptions { Vendor = "ACME", Product = "Disk", Revision = "7" });
        var reply = await harness.Run("12 00 00 00 24 00", dataIn: 36);
        Assert.Equal("ACME    Disk            7   ", Encoding.ASCII.GetString(reply.Data, 8, 28));
    }

    [Fact]
    public void AddLogicalUnit_ProductLongerThan16_IsRejected()
    {
        // SPC-4 6.6.2: PRODUCT IDENTIFICATION is 16 bytes of ASCII.
        var target = new ScsiTargetDevice(ScsiHarness.TargetName);
        Assert.Throws<ArgumentException>(() => target.AddLogicalUnit(0, ScsiHarness.Memory512n(), new LogicalUnitOptions { Product = "Seventeen chars!!" }));
    }

    [Fact]
    public async Task Inquiry_MissingLun_ReturnsPeripheralQualifier011AndType1F()
    {
        // SPC-4 6.6.2: "011b ... the device server is not capable of supporting a peripheral device on
        // this logical unit. For this peripheral qualifier the peripheral device type shall be set to 1Fh".
        var harness = new ScsiHarness();
        var reply = await harness.Run("12 00 00 00 60 00", dataIn: 96, lun: 7);
        reply.AssertGood();
        Assert.Equal(0x7F, reply.Data[0]);
        Assert.Equal(StandardInquiry.Replace(" ", string.Empty, StringComparison.Ordinal)[2..], Hex.Of(reply.Data)[2..]);
    }

    [Fact]
    public async Task Inquiry_PageCodeWithoutEvpd_IsInvalidFieldAtByte2()
    {
        // SPC-4 6.6.1: EVPD = 0 and PAGE CODE != 0 -> INVALID FIELD IN CDB.
        var harness = new ScsiHarness();
        var reply = await harness.Run("12 00 83 00 FF 00", dataIn: 255);
        reply.AssertInvalidFieldInCdb(2);
        Assert.Equal("700005000000000A00000000240000C00002", Hex.Of(reply.Sense));
    }

    [Fact]
    public async Task Inquiry_CmdDt_IsInvalidFieldAtByte1Bit1()
    {
        // CMDDT is obsolete in SPC-4; it is outside the usage data, so setting it is an invalid field.
        var harness = new ScsiHarness();
        var reply = await harness.Run("12 02 00 00 FF 00", dataIn: 255);
        reply.AssertInvalidFieldInCdb(1, 1);
    }

    [Fact]
    public async Task Inquiry_UnsupportedVpdPage_IsInvalidFieldAtByte2()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("12 01 C0 00 FF 00", dataIn: 255);
        reply.AssertInvalidFieldInCdb(2);
    }

    [Fact]
    public async Task Inquiry_EvpdToMissingLun_IsLogicalUnitNotSupported()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("12 01 00 00 FF 00", dataIn: 255, lun: 3);
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.LogicalUnitNotSupported);
    }

    [Fact]
    public async Task Inquiry_Vpd00_ListsSupportedPagesInAscendingOrder()
    {
        // SPC-4 7.8.15: the supported VPD page list "shall be in ascending order beginning with page code 00h".
        var harness = new ScsiHarness();
        var reply = await harness.Run("12 01 00 00 FF 00", dataIn: 255);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00 00 0006 00 80 83 B0 B1 B2"), reply.Data);
    }

    [Fact]
    public async Task Inquiry_Vpd80_DefaultSerialIsTheNaaInHex()
    {
        var harness = new ScsiHarness();
        var reply = await harness.Run("12 01 80 00 FF 00", dataIn: 255);
        reply.AssertGood();
        var serial = harness.Unit.NaaIdentifier.ToString("X16", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Hex.Bytes("00 80 00 10"), reply.Data[..4]);
        Assert.Equal(serial, Encoding.ASCII.GetString(reply.Data, 4, 16));
    }

    [Fact]
    public void NaaIdentifier_DerivedFromTargetAndLun_IsStableLocallyAssignedNaa3()
    {
        // SPC-4 7.8.6.6.3: NAA 3h, locally assigned. Same target and LUN, same id; another LUN, another id.
        var first = new ScsiTargetDevice("iqn.x:a").AddLogicalUnit(4, ScsiHarness.Memory512n());
        var again = new ScsiTargetDevice("iqn.x:a").AddLogicalUnit(4, ScsiHarness.Memory512n());
        var other = new ScsiTargetDevice("iqn.x:a").AddLogicalUnit(5, ScsiHarness.Memory512n());
        Assert.Equal(3UL, first.NaaIdentifier >> 60);
        Assert.Equal(first.NaaIdentifier, again.NaaIdentifier);
        Assert.NotEqual(first.NaaIdentifier, other.NaaIdentifier);
    }

    [Fact]
    public async Task Inquiry_Vpd83_HasTargetPortAndRelativePortDesignators()
    {
        // SPC-4 7.8.6: logical unit designators (NAA, T10 vendor ID), the target device's SCSI name
        // string, and for the port the command came through: SCSI name string, relative target port
        // (type 4h) and target port group (type 5h), iSCSI protocol identifier with PIV = 1.
        var harness = new ScsiHarness(options: new LogicalUnitOptions { NaaIdentifier = 0x3123456789ABCDEF, Serial = "S1" });
        var nexus = ScsiHarness.NewNexus(portalGroup: 2);
        var reply = await harness.Run("12 01 83 03 FF 00", dataIn: 1024, nexus: nexus);
        reply.AssertGood();
        var page = reply.Data;
        Assert.Equal(0x83, page[1]);
        Assert.Equal(page.Length - 4, BinaryPrimitives.ReadUInt16BigEndian(page.AsSpan(2)));
        var designators = Designators(page);
        Assert.Equal(6, designators.Count);
        Assert.Equal(("01", "03", "3123456789ABCDEF"), designators[0]);
        Assert.Equal(("02", "01", Hex.Of(Encoding.ASCII.GetBytes("STORLANES1"))), designators[1]);
        Assert.Equal(("53", "A8", Hex.Of(NullPadded(ScsiHarness.TargetName))), designators[2]);
        Assert.Equal(("53", "98", Hex.Of(NullPadded(ScsiHarness.TargetName + ",t,0x0002"))), designators[3]);
        Assert.Equal(("51", "94", "00000002"), designators[4]);
        Assert.Equal(("51", "95", "00000002"), designators[5]);
    }

    [Theory]
    [InlineData(512, 512, 1, 16384u)]
    [InlineData(512, 4096, 8, 16384u)]
    [InlineData(4096, 4096, 1, 2048u)]
    public async Task Inquiry_VpdB0_BlockLimitsFollowGeometry(int logical, int physical, int granularity, uint maxTransfer)
    {
        // SBC-3 6.5.3: OPTIMAL TRANSFER LENGTH GRANULARITY = logical blocks per physical block,
        // MAXIMUM TRANSFER LENGTH = 8 MiB in blocks, unmap limits because the device can unmap,
        // MAXIMUM COMPARE AND WRITE LENGTH (byte 5) = 16 blocks, MAXIMUM WRITE SAME LENGTH = MAXIMUM
        // TRANSFER LENGTH: a WRITE SAME touches no more blocks than a WRITE may carry.
        var harness = new ScsiHarness(new MemoryBlockDevice(new BlockGeometry(logical, physical, 1024)));
        var reply = await harness.Run("12 01 B0 00 FF 00", dataIn: 255);
        reply.AssertGood();
        var page = reply.Data;
        Assert.Equal(64, page.Length);
        Assert.Equal(Hex.Bytes("00 B0 00 3C 00 10"), page[..6]);
        Assert.Equal(granularity, BinaryPrimitives.ReadUInt16BigEndian(page.AsSpan(6)));
        Assert.Equal(maxTransfer, BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(8)));
        Assert.Equal(1u << 20, BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(20)));
        Assert.Equal(256u, BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(24)));
        Assert.Equal((uint)granularity, BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(28)));
        Assert.Equal((ulong)maxTransfer, BinaryPrimitives.ReadUInt64BigEndian(page.AsSpan(36)));
    }

    [Fact]
    public async Task Inquiry_VpdB0_WithoutUnmap_HasZeroUnmapLimits()
    {
        // SBC-3 6.5.3: without UNMAP, MAXIMUM UNMAP LBA COUNT and DESCRIPTOR COUNT are zero.
        var harness = new ScsiHarness(new MemoryBlockDevice(new BlockGeometry(512, 512, 64), BlockDeviceFeatures.None));
        var page = (await harness.Run("12 01 B0 00 FF 00", dataIn: 255)).Data;
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(20)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(page.AsSpan(24)));
    }

    [Fact]
    public async Task Inquiry_VpdB1_ReportsNonRotatingMedium()
    {
        // SBC-3 6.5.2: MEDIUM ROTATION RATE 0001h = non-rotating medium; byte 7 WABEREQ 01b (SANITIZE
        // BLOCK ERASE leaves blocks that read back GOOD, as zeros), WACEREQ 00b.
        var harness = new ScsiHarness();
        var reply = await harness.Run("12 01 B1 00 FF 00", dataIn: 255);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00 B1 00 3C 00 01 00 40"), reply.Data[..8]);
        Assert.Equal(64, reply.Data.Length);
    }

    [Fact]
    public async Task Inquiry_VpdB2_ThinProvisionedWithLbpuLbpwsLbpws10Lbprz()
    {
        // SBC-3 6.5.4: LBPU | LBPWS | LBPWS10 | LBPRZ = E4h, PROVISIONING TYPE 010b (thin).
        var harness = new ScsiHarness();
        var reply = await harness.Run("12 01 B2 00 FF 00", dataIn: 255);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00 B2 00 04 00 E4 02 00"), reply.Data);
    }

    [Fact]
    public async Task Inquiry_VpdB2_WithoutUnmap_IsFullyProvisioned()
    {
        var harness = new ScsiHarness(new MemoryBlockDevice(new BlockGeometry(512, 512, 64), BlockDeviceFeatures.None));
        var reply = await harness.Run("12 01 B2 00 FF 00", dataIn: 255);
        Assert.Equal(Hex.Bytes("00 B2 00 04 00 00 00 00"), reply.Data);
    }

    private static byte[] NullPadded(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        var padded = new byte[(bytes.Length + 4) & ~3];
        bytes.CopyTo(padded, 0);
        return padded;
    }

    /// <summary>(byte 0, byte 1, designator) of every designation descriptor of VPD page 83h.</summary>
    private static List<(string, string, string)> Designators(byte[] page)
    {
        var list = new List<(string, string, string)>();
        for (var offset = 4; offset < page.Length;)
        {
            var length = page[offset + 3];
            list.Add((page[offset].ToString("X2", System.Globalization.CultureInfo.InvariantCulture), page[offset + 1].ToString("X2", System.Globalization.CultureInfo.InvariantCulture), Hex.Of(page.AsSpan(offset + 4, length))));
            offset += 4 + length;
        }

        return list;
    }
}
