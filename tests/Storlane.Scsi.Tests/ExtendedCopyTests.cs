using System.Buffers.Binary;
using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

/// <summary>EXTENDED COPY (LID1) and RECEIVE COPY RESULTS (SPC-4 6.3, 6.18): copy offload between LUs of one target.</summary>
public sealed class ExtendedCopyTests
{
    /// <summary>EXTENDED COPY(LID1): PARAMETER LIST LENGTH in bytes 10..13.</summary>
    private static byte[] ExtendedCopy(int listLength)
    {
        var cdb = new byte[16];
        cdb[0] = 0x83;
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(10), (uint)listLength);
        return cdb;
    }

    /// <summary>An identification descriptor target descriptor (E4h) naming a LU by its NAA designator.</summary>
    private static byte[] Target(ulong naa, int blockSize, byte peripheralType = 0)
    {
        var descriptor = new byte[32];
        descriptor[0] = 0xE4;
        descriptor[1] = peripheralType;
        descriptor[4] = 0x01; // CODE SET binary
        descriptor[5] = 0x03; // ASSOCIATION logical unit, TYPE NAA
        descriptor[7] = 8;
        BinaryPrimitives.WriteUInt64BigEndian(descriptor.AsSpan(8), naa);
        descriptor[29] = (byte)(blockSize >> 16);
        descriptor[30] = (byte)(blockSize >> 8);
        descriptor[31] = (byte)blockSize;
        return descriptor;
    }

    /// <summary>A block device to block device segment descriptor (02h), DESCRIPTOR LENGTH 0018h.</summary>
    private static byte[] Segment(ushort source, ushort destination, ushort blocks, ulong sourceLba, ulong destinationLba, byte type = 0x02)
    {
        var descriptor = new byte[28];
        descriptor[0] = type;
        descriptor[3] = 0x18;
        BinaryPrimitives.WriteUInt16BigEndian(descriptor.AsSpan(4), source);
        BinaryPrimitives.WriteUInt16BigEndian(descriptor.AsSpan(6), destination);
        BinaryPrimitives.WriteUInt16BigEndian(descriptor.AsSpan(10), blocks);
        BinaryPrimitives.WriteUInt64BigEndian(descriptor.AsSpan(12), sourceLba);
        BinaryPrimitives.WriteUInt64BigEndian(descriptor.AsSpan(20), destinationLba);
        return descriptor;
    }

    /// <summary>The parameter list: LIST IDENTIFIER, LIST ID USAGE, the two list lengths, the descriptors.</summary>
    private static byte[] List(byte listId, byte listIdUsage, byte[][] targets, byte[][] segments)
    {
        var targetBytes = targets.SelectMany(t => t).ToArray();
        var segmentBytes = segments.SelectMany(s => s).ToArray();
        var header = new byte[16];
        header[0] = listId;
        header[1] = (byte)(listIdUsage << 3);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)targetBytes.Length);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), (uint)segmentBytes.Length);
        return [.. header, .. targetBytes, .. segmentBytes];
    }

    private static (ScsiHarness Harness, LogicalUnit Second) TwoUnits()
    {
        var harness = new ScsiHarness();
        var second = harness.Target.AddLogicalUnit(1, ScsiHarness.Memory512n());
        return (harness, second);
    }

    [Fact]
    public async Task ExtendedCopy_CopiesBetweenTwoLogicalUnits_AndHoldsTheStatus()
    {
        var (harness, second) = TwoUnits();
        await harness.Fill(100, 16, 0x7E);
        var list = List(5, 0, [Target(harness.Unit.NaaIdentifier, 512), Target(second.NaaIdentifier, 512)], [Segment(0, 1, 16, 100, 300)]);
        (await harness.Run(ExtendedCopy(list.Length), dataOut: list)).AssertGood();
        var copied = new byte[16 * 512];
        await second.Device.ReadAsync(300, copied);
        Assert.All(copied, b => Assert.Equal(0x7E, b));

        // SPC-4 6.18.2 COPY STATUS: AVAILABLE DATA 8, 01h completed, 1 segment, bytes, 8192.
        var status = await harness.Run("84 00 05 00 00 00 00 00 00 00 00000400 00 00", dataIn: 1024);
        status.AssertGood();
        Assert.Equal(Hex.Bytes("00000008 01 0001 00 00002000"), status.Data);

        // Another nexus has no list 5; nor has this one list 6.
        (await harness.Run("84 00 05 00 00 00 00 00 00 00 00000400 00 00", dataIn: 1024, nexus: ScsiHarness.NewNexus("iqn.x:y"))).AssertInvalidFieldInCdb(2);
        (await harness.Run("84 00 06 00 00 00 00 00 00 00 00000400 00 00", dataIn: 1024)).AssertInvalidFieldInCdb(2);
    }

    [Fact]
    public async Task ExtendedCopy_OverlappingRangeOnOneUnit_CopiesAsIfThroughABuffer()
    {
        var harness = new ScsiHarness(ScsiHarness.Memory4Kn(1024));
        for (var i = 0; i < 600; i++)
        {
            await harness.Fill(i, 1, (byte)i);
        }

        var list = List(0, 2, [Target(harness.Unit.NaaIdentifier, 4096)], [Segment(0, 0, 600, 0, 100)]);
        (await harness.Run(ExtendedCopy(list.Length), dataOut: list)).AssertGood();
        var back = await harness.ReadBack(100, 600);
        for (var i = 0; i < 600; i++)
        {
            Assert.Equal((byte)i, back[i * 4096]);
        }
    }

    [Fact]
    public async Task ExtendedCopy_ParameterListLengthZero_IsGood_TruncatedIsLengthError()
    {
        var harness = new ScsiHarness();
        (await harness.Run(ExtendedCopy(0))).AssertGood();
        var list = List(1, 0, [Target(harness.Unit.NaaIdentifier, 512)], [Segment(0, 0, 1, 0, 1)]);
        (await harness.Run(ExtendedCopy(list.Length - 1), dataOut: list[..^1])).AssertSense(SenseKey.IllegalRequest, AdditionalSense.ParameterListLengthError);
    }

    [Fact]
    public async Task ExtendedCopy_DescriptorErrors()
    {
        var harness = new ScsiHarness();
        var naa = harness.Unit.NaaIdentifier;

        // Nine target descriptors: TOO MANY TARGET DESCRIPTORS (26h/06h).
        var nine = List(1, 0, Enumerable.Repeat(Target(naa, 512), 9).ToArray(), [Segment(0, 0, 1, 0, 1)]);
        (await harness.Run(ExtendedCopy(nine.Length), dataOut: nine)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.TooManyTargetDescriptors);

        // A Fibre Channel N_Port_Name target descriptor (E0h); a stream to stream segment (03h).
        var fc = Target(naa, 512);
        fc[0] = 0xE0;
        var withFc = List(1, 0, [fc], [Segment(0, 0, 1, 0, 1)]);
        (await harness.Run(ExtendedCopy(withFc.Length), dataOut: withFc)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.UnsupportedTargetDescriptorTypeCode);
        var stream = List(1, 0, [Target(naa, 512)], [Segment(0, 0, 1, 0, 1, type: 0x03)]);
        (await harness.Run(ExtendedCopy(stream.Length), dataOut: stream)).AssertSense(SenseKey.IllegalRequest, AdditionalSense.UnsupportedSegmentDescriptorTypeCode);

        // A designator no LU of this target has, a segment naming descriptor 1 of 1, a range past the end.
        var unknown = List(1, 0, [Target(0x3000000000000001, 512)], [Segment(0, 0, 1, 0, 1)]);
        (await harness.Run(ExtendedCopy(unknown.Length), dataOut: unknown)).AssertSense(SenseKey.CopyAborted, AdditionalSense.UnreachableCopyTarget);
        var badIndex = List(1, 0, [Target(naa, 512)], [Segment(0, 1, 1, 0, 1)]);
        (await harness.Run(ExtendedCopy(badIndex.Length), dataOut: badIndex)).AssertSense(SenseKey.CopyAborted, AdditionalSense.UnreachableCopyTarget);
        var beyond = List(1, 0, [Target(naa, 512)], [Segment(0, 0, 16, 0, 2047)]);
        (await harness.Run(ExtendedCopy(beyond.Length), dataOut: beyond)).AssertSense(SenseKey.CopyAborted, AdditionalSense.NoAdditionalSenseInformation);

        // The failed copy held its status (LIST ID USAGE 00b): 02h completed with errors.
        var status = await harness.Run("84 00 01 00 00 00 00 00 00 00 00000400 00 00", dataIn: 1024);
        Assert.Equal(0x02, status.Data[4]);
    }

    [Fact]
    public async Task ReceiveCopyResults_OperatingParameters()
    {
        // SPC-4 6.18.4: SNLID, MAXIMUM TARGET (8) / SEGMENT (64) DESCRIPTOR COUNT, MAXIMUM DESCRIPTOR LIST
        // LENGTH (8 x 32 + 64 x 28 = 2048), MAXIMUM SEGMENT LENGTH, no inline or held data, one copy at a
        // time, granularity 2^9, implemented descriptors 02h and E4h.
        var harness = new ScsiHarness();
        var reply = await harness.Run("84 03 00 00 00 00 00 00 00 00 00000400 00 00", dataIn: 1024);
        reply.AssertGood();
        Assert.Equal(
            Hex.Bytes("0000002A 01 000000 0008 0040 00000800 0FFFF000 00000000 00000000 00000000 0000 0001 01 09 00 00 000000 02 02 E4"),
            reply.Data);
    }

    [Fact]
    public async Task ExtendedCopy_ToAReadOnlyUnit_IsWriteProtected()
    {
        var harness = new ScsiHarness();
        var readOnly = harness.Target.AddLogicalUnit(1, new MemoryBlockDevice(new BlockGeometry(512, 512, 2048)), new LogicalUnitOptions { ReadOnly = true });
        var list = List(1, 0, [Target(harness.Unit.NaaIdentifier, 512), Target(readOnly.NaaIdentifier, 512)], [Segment(0, 1, 1, 0, 0)]);
        (await harness.Run(ExtendedCopy(list.Length), dataOut: list)).AssertSense(SenseKey.DataProtect, AdditionalSense.WriteProtected);
    }
}
