using System.Buffers;
using System.Buffers.Binary;
using Storlane.Initiator.Nvme;
using Storlane.Nvme;
using Storlane.Nvme.Tcp;
using Storlane.Protocol;

namespace Storlane.Initiator.Tests.Nvme;

/// <summary>The host's PDUs byte by byte (NVMe/TCP 1.0, 3.6.2), and the host reader against the target's own writer.</summary>
public sealed class HostPduGoldenTests
{
    [Fact]
    public void ICReq_Is128Bytes_PfvHpdaDigestsMaxR2T()
    {
        var pdu = new byte[128];
        Assert.Equal(128, HostPduWriter.WriteICReq(pdu, 0, headerDigest: true, dataDigest: false, maxR2TZeroBased: 15));
        Assert.Equal(new byte[] { 0x00, 0x00, 128, 0, 128, 0, 0, 0 }, pdu[..8]);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(pdu.AsSpan(8))); // PFV
        Assert.Equal(0, pdu[10]); // HPDA
        Assert.Equal(1, pdu[11]); // DGST: header only
        Assert.Equal(15u, BinaryPrimitives.ReadUInt32LittleEndian(pdu.AsSpan(12)));
    }

    [Fact]
    public void CapsuleCmd_WithInCapsuleData_PdoAfterHeaderDigest_PlenCountsDataAndDigest()
    {
        var command = NvmeCommand.Io(IoOpcode.Write, 1);
        command.SetCommandId(7);
        command.SetSgl(512, inCapsule: true);
        var pdu = new byte[80];
        var header = HostPduWriter.WriteCapsuleCmdHeader(pdu, command.Span, 512, headerDigest: true, dataDigest: true);
        Assert.Equal(76, header);
        Assert.Equal((byte)PduType.CapsuleCmd, pdu[0]);
        Assert.Equal((byte)(PduFlags.HeaderDigest | PduFlags.DataDigest), pdu[1]);
        Assert.Equal(72, pdu[2]); // HLEN
        Assert.Equal(76, pdu[3]); // PDO
        Assert.Equal(76u + 512 + 4, BinaryPrimitives.ReadUInt32LittleEndian(pdu.AsSpan(4)));
        Assert.Equal(Crc32C.Compute(pdu.AsSpan(0, 72)), BinaryPrimitives.ReadUInt32LittleEndian(pdu.AsSpan(72)));
        var sqe = SubmissionEntry.Read(pdu.AsSpan(8, 64));
        Assert.Equal(7, sqe.CommandId);
        Assert.Equal(SubmissionEntry.SglInCapsule, sqe.SglIdentifier);
        Assert.Equal(512u, sqe.SglLength);
        Assert.Equal(0x40, pdu[8 + 1] & 0xC0); // PSDT 01b: SGL
    }

    [Fact]
    public void CapsuleCmd_WithoutData_HasNoPdoAndNoDataDigestFlag()
    {
        var command = NvmeCommand.Admin(AdminOpcode.KeepAlive);
        var pdu = new byte[72];
        Assert.Equal(72, HostPduWriter.WriteCapsuleCmdHeader(pdu, command.Span, 0, headerDigest: false, dataDigest: true));
        Assert.Equal(0, pdu[1]);
        Assert.Equal(0, pdu[3]);
        Assert.Equal(72u, BinaryPrimitives.ReadUInt32LittleEndian(pdu.AsSpan(4)));
    }

    [Fact]
    public void H2CData_CarriesCccidTtagDataoDatal_AndLastPdu()
    {
        var pdu = new byte[24];
        Assert.Equal(24, HostPduWriter.WriteH2CDataHeader(pdu, 5, 9, 8192, 4096, last: true, headerDigest: false, dataDigest: false));
        Assert.Equal((byte)PduType.H2CData, pdu[0]);
        Assert.Equal((byte)PduFlags.LastPdu, pdu[1]);
        Assert.Equal(24, pdu[3]);
        Assert.Equal(24u + 4096, BinaryPrimitives.ReadUInt32LittleEndian(pdu.AsSpan(4)));
        Assert.Equal(5, BinaryPrimitives.ReadUInt16LittleEndian(pdu.AsSpan(8)));
        Assert.Equal(9, BinaryPrimitives.ReadUInt16LittleEndian(pdu.AsSpan(10)));
        Assert.Equal(8192u, BinaryPrimitives.ReadUInt32LittleEndian(pdu.AsSpan(12)));
        Assert.Equal(4096u, BinaryPrimitives.ReadUInt32LittleEndian(pdu.AsSpan(16)));
    }

    [Fact]
    public void HostReader_FramesTheTargetsC2HData_WithDigests_AndNeedsTheWholePdu()
    {
        var data = Support.Patterns.Make(1000, 3);
        var pdu = new byte[28 + 1000 + 4];
        var header = PduWriter.WriteC2HDataHeader(pdu, 3, 0, 1000, last: true, headerDigest: true, dataDigest: true);
        data.CopyTo(pdu, header);
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(header + 1000), Crc32C.Compute(data));
        var limits = new HostFramingLimits(true, true, true, 4096);

        Assert.False(PduReader.TryRead(new ReadOnlySequence<byte>(pdu, 0, pdu.Length - 1), limits, out _, out _));
        Assert.True(PduReader.TryRead(new ReadOnlySequence<byte>(pdu), limits, out var read, out var consumed));
        Assert.Equal(pdu.Length, consumed);
        Assert.Equal(PduType.C2HData, read.Type);
        Assert.True(read.DataDigestValid);
        Assert.Equal(data, read.Data.ToArray());
        Assert.Equal(3, read.ReadUInt16(8));
    }

    [Fact]
    public void HostReader_RefusesMoreDataThanItsLimit_AndHostOnlyPduTypes()
    {
        var pdu = new byte[24];
        PduWriter.WriteC2HDataHeader(pdu, 1, 0, 8192, last: true, headerDigest: false, dataDigest: false);
        var error = Assert.Throws<NvmeTcpProtocolException>(() => PduReader.TryRead(new ReadOnlySequence<byte>(pdu), new HostFramingLimits(true, false, false, 4096), out _, out _));
        Assert.Equal(FatalErrorStatus.DataTransferLimitExceeded, error.Status);

        var command = new byte[72];
        HostPduWriter.WriteCapsuleCmdHeader(command, new byte[64], 0, false, false);
        Assert.Throws<NvmeTcpProtocolException>(() => PduReader.TryRead(new ReadOnlySequence<byte>(command), new HostFramingLimits(true, false, false, 4096), out _, out _));
    }
}
