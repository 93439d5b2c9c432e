using System.Buffers;
using Storlane.Iscsi;
using Storlane.Iscsi.Pdu;

namespace Storlane.Iscsi.Tests.Pdu;

/// <summary>Framing rules of RFC 7143 11.2: header, AHS, digests, padding, length limits.</summary>
public class PduReaderTests
{
    private static readonly PduReadOptions Plain = new() { MaxDataSegmentLength = 8192 };

    private static byte[] BuildNopOut(byte[] data, bool headerDigest = false, bool dataDigest = false)
    {
        var writer = new ArrayBufferWriter<byte>();
        var span = PduWriter.Begin(writer, data.Length, headerDigest, dataDigest);
        var bhs = new Bhs(span);
        bhs.Initialize(Opcode.NopOut, immediate: true);
        bhs.Final = true;
        bhs.InitiatorTaskTag = 0x01020304;
        bhs.TargetTransferTag = Bhs.ReservedTag;
        PduWriter.Finish(writer, span, data, headerDigest, dataDigest);
        return writer.WrittenSpan.ToArray();
    }

    [Fact]
    public void NopOut_GoldenBytes_MatchRfcLayout()
    {
        var bytes = BuildNopOut([0xAA, 0xBB, 0xCC]);

        // 48-byte BHS + 3 data bytes + 1 byte of zero padding (11.2.4: pad to 4 bytes).
        Assert.Equal(52, bytes.Length);
        Assert.Equal(0x40, bytes[0]); // I bit + opcode 0x00
        Assert.Equal(0x80, bytes[1]); // F bit
        Assert.Equal(new byte[] { 0, 0, 0, 3 }, bytes[4..8]); // TotalAHSLength 0, DataSegmentLength 3
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, bytes[16..20]);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, bytes[20..24]);
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0xCC, 0x00 }, bytes[48..52]);
    }

    [Fact]
    public void IncompleteHeader_NeedsMoreBytes()
    {
        var bytes = BuildNopOut([]);
        Span<byte> header = stackalloc byte[48];
        Assert.False(PduReader.TryReadPdu(new ReadOnlySequence<byte>(bytes, 0, 47), Plain, header, out _));
    }

    [Fact]
    public void IncompletePadding_NeedsMoreBytes()
    {
        var bytes = BuildNopOut([1, 2, 3]);
        Span<byte> header = stackalloc byte[48];
        Assert.False(PduReader.TryReadPdu(new ReadOnlySequence<byte>(bytes, 0, 51), Plain, header, out _));
        Assert.True(PduReader.TryReadPdu(new ReadOnlySequence<byte>(bytes), Plain, header, out var frame));
        Assert.Equal(new byte[] { 1, 2, 3 }, frame.Data.ToArray());
    }

    [Fact]
    public void PduSplitAcrossSegments_IsFramedWithoutLoss()
    {
        var bytes = BuildNopOut([9, 8, 7, 6, 5], headerDigest: true, dataDigest: true);
        var sequence = SequenceBuilder.Split(bytes, 10, 47, 50, 55);
        Span<byte> header = stackalloc byte[48];
        var options = Plain with { };
        options.HeaderDigest = true;
        options.DataDigest = true;
        Assert.True(PduReader.TryReadPdu(sequence, options, header, out var frame));
        Assert.True(frame.DataDigestValid);
        Assert.Equal(new byte[] { 9, 8, 7, 6, 5 }, frame.Data.ToArray());
        Assert.Equal(sequence.End, frame.End);
    }

    [Fact]
    public void HeaderDigestMismatch_LosesFramingAndSendsNoReject()
    {
        // RFC 7143 7.8: with a bad header digest the lengths cannot be trusted.
        var bytes = BuildNopOut([1, 2, 3, 4], headerDigest: true);
        bytes[17] ^= 0x01;
        var options = new PduReadOptions { MaxDataSegmentLength = 8192, HeaderDigest = true };
        var ex = Assert.Throws<IscsiProtocolException>(() =>
        {
            Span<byte> header = stackalloc byte[48];
            PduReader.TryReadPdu(new ReadOnlySequence<byte>(bytes), options, header, out _);
        });
        Assert.False(ex.SendReject);
    }

    [Fact]
    public void DataDigestMismatch_IsReportedInTheFrame()
    {
        // RFC 7143 7.8: a payload digest error is answered with a Reject; framing is intact.
        var bytes = BuildNopOut([1, 2, 3, 4], dataDigest: true);
        bytes[49] ^= 0x01;
        var options = new PduReadOptions { MaxDataSegmentLength = 8192, DataDigest = true };
        Span<byte> header = stackalloc byte[48];
        Assert.True(PduReader.TryReadPdu(new ReadOnlySequence<byte>(bytes), options, header, out var frame));
        Assert.False(frame.DataDigestValid);
    }

    [Fact]
    public void DataSegmentLongerThanMaxRecvDataSegmentLength_IsAProtocolError()
    {
        var bytes = BuildNopOut(new byte[100]);
        var options = new PduReadOptions { MaxDataSegmentLength = 64 };
        var ex = Assert.Throws<IscsiProtocolException>(() =>
        {
            Span<byte> header = stackalloc byte[48];
            PduReader.TryReadPdu(new ReadOnlySequence<byte>(bytes), options, header, out _);
        });
        Assert.Equal(RejectReason.ProtocolError, ex.Reason);
    }

    [Fact]
    public void AdditionalHeaderSegment_IsSlicedBeforeTheData()
    {
        // A SCSI Command with a 20-byte extended CDB AHS (TotalAHSLength = 5 words).
        var bytes = new byte[48 + 20 + 4];
        bytes[0] = (byte)Opcode.ScsiCommand;
        bytes[4] = 5;
        bytes[7] = 4;
        bytes[48] = 0;
        bytes[49] = 17; // AHSLength
        bytes[50] = 1;  // extended CDB
        bytes[68] = 0xDD;
        Span<byte> header = stackalloc byte[48];
        Assert.True(PduReader.TryReadPdu(new ReadOnlySequence<byte>(bytes), Plain, header, out var frame));
        Assert.Equal(20, frame.AdditionalHeaders.Length);
        Assert.Equal(0xDD, frame.Data.FirstSpan[0]);
    }

    [Fact]
    public void LoginResponseFields_AreAtRfcOffsets()
    {
        var buffer = new byte[48];
        var bhs = new Bhs(buffer);
        bhs.Initialize(Opcode.LoginResponse);
        bhs.Transit = true;
        bhs.CurrentStage = LoginStage.LoginOperationalNegotiation;
        bhs.NextStage = LoginStage.FullFeaturePhase;
        bhs.Isid = 0x23D000000001UL;
        bhs.Tsih = 0x0102;
        bhs.LoginStatus = LoginStatus.TargetNotFound;

        Assert.Equal(0x23, buffer[0]);
        Assert.Equal(0x87, buffer[1]); // T=1, CSG=01, NSG=11 (RFC 7143 11.13)
        Assert.Equal(new byte[] { 0x23, 0xD0, 0, 0, 0, 1, 0x01, 0x02 }, buffer[8..16]);
        Assert.Equal(new byte[] { 0x02, 0x03 }, buffer[36..38]);
        Assert.Equal(0x23D000000001UL, bhs.Isid);
        Assert.Equal((ushort)0x0102, bhs.Tsih);
    }
}
