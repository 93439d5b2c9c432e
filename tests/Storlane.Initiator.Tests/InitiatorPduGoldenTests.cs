using Storlane.Iscsi;
using Storlane.Iscsi.Initiator;
using Storlane.Iscsi.Pdu;
using Storlane.Protocol;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Tests;

/// <summary>The exact bytes of the PDUs the initiator builds, checked against RFC 7143 section 11 by hand.</summary>
public class InitiatorPduGoldenTests
{
    [Fact]
    public void LoginRequest_SecurityToOperational_MatchesRfcLayout()
    {
        var header = new byte[Bhs.Length];
        InitiatorPdus.LoginRequest(header, LoginStage.SecurityNegotiation, LoginStage.LoginOperationalNegotiation, transit: true, continues: false,
            isid: 0x80_1234_56_0000, tsih: 0, initiatorTaskTag: 0x11223344, connectionId: 1, cmdSN: 7, expStatSN: 9);
        byte[] expected =
        [
            0x43, 0x81, 0x00, 0x00, // I + Login, T=1 CSG=0 NSG=1, Version-max 0, Version-min 0
            0x00, 0x00, 0x00, 0x00, // TotalAHSLength, DataSegmentLength
            0x80, 0x12, 0x34, 0x56, 0x00, 0x00, 0x00, 0x00, // ISID (6) + TSIH (2)
            0x11, 0x22, 0x33, 0x44, // ITT
            0x00, 0x01, 0x00, 0x00, // CID + reserved
            0x00, 0x00, 0x00, 0x07, // CmdSN
            0x00, 0x00, 0x00, 0x09, // ExpStatSN
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        Assert.Equal(expected, header);
    }

    [Fact]
    public void LoginRequest_WithContinue_ClearsTransit()
    {
        var header = new byte[Bhs.Length];
        InitiatorPdus.LoginRequest(header, LoginStage.LoginOperationalNegotiation, LoginStage.FullFeaturePhase, transit: true, continues: true, 0, 0, 0, 0, 0, 0);
        Assert.Equal(0x44, header[1]); // C=1, T=0, CSG=1, NSG=0
    }

    [Fact]
    public void ScsiCommand_Write16WithImmediateData_MatchesRfcLayout()
    {
        var cdb = ScsiCdb.Write16(0x0102030405060708, 8, fua: true).ToArray();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var span = PduWriter.Begin(buffer, 4, headerDigest: false, dataDigest: false);
        InitiatorPdus.ScsiCommand(span, Lun.Encode(1), 0xA, 4096, cmdSN: 0x20, expStatSN: 0x30, read: false, write: true, final: true, cdb);
        PduWriter.Finish(buffer, span, [0xDE, 0xAD, 0xBE, 0xEF], false, false);
        byte[] expected =
        [
            0x01, 0xA1, 0x00, 0x00, // SCSI Command, F=1 W=1 ATTR=Simple
            0x00, 0x00, 0x00, 0x04, // DataSegmentLength 4
            0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // LUN 1
            0x00, 0x00, 0x00, 0x0A, // ITT
            0x00, 0x00, 0x10, 0x00, // EDTL 4096
            0x00, 0x00, 0x00, 0x20, // CmdSN
            0x00, 0x00, 0x00, 0x30, // ExpStatSN
            0x8A, 0x08, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, // WRITE(16) FUA
            0xDE, 0xAD, 0xBE, 0xEF,
        ];
        Assert.Equal(expected, buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void ScsiCommand_Read16_SetsReadBitAndShortCdbIsZeroPadded()
    {
        var header = new byte[Bhs.Length];
        InitiatorPdus.ScsiCommand(header, 0, 1, 512, 1, 1, read: true, write: false, final: true, ScsiCdb.TestUnitReady().ToArray());
        Assert.Equal(0xC1, header[1]);
        Assert.All(header[32..48], b => Assert.Equal(0, b));
    }

    [Fact]
    public void DataOut_WithDigests_HeaderDigestCoversHeaderAndDataIsPadded()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var span = PduWriter.Begin(buffer, 3, headerDigest: true, dataDigest: true);
        InitiatorPdus.DataOut(span, Lun.Encode(0), 5, 0x77, expStatSN: 2, dataSN: 3, bufferOffset: 8192, final: true);
        PduWriter.Finish(buffer, span, [1, 2, 3], true, true);
        var pdu = buffer.WrittenSpan.ToArray();
        Assert.Equal(48 + 4 + 4 + 4, pdu.Length);
        Assert.Equal(0x05, pdu[0]);
        Assert.Equal(0x80, pdu[1]);
        Assert.Equal(Crc32C.Compute(pdu.AsSpan(0, 48)), Crc32C.Read(pdu.AsSpan(48)));
        Assert.Equal(new byte[] { 1, 2, 3, 0 }, pdu[52..56]);
        Assert.Equal(Crc32C.Compute(pdu.AsSpan(52, 4)), Crc32C.Read(pdu.AsSpan(56)));
        var bhs = new Bhs(pdu);
        Assert.Equal(0x77u, bhs.TargetTransferTag);
        Assert.Equal(3u, bhs.DataSN);
        Assert.Equal(8192u, bhs.BufferOffset);
    }

    [Fact]
    public void TaskManagement_AbortTask_IsImmediateWithFunctionAndReferencedTag()
    {
        var header = new byte[Bhs.Length];
        InitiatorPdus.TaskManagement(header, TaskManagementFunction.AbortTask, Lun.Encode(2), 9, 0x1234, 5, 6, 4);
        Assert.Equal(0x42, header[0]);
        Assert.Equal(0x81, header[1]);
        var bhs = new Bhs(header);
        Assert.Equal(0x1234u, bhs.ReferencedTaskTag);
        Assert.Equal(4u, bhs.RefCmdSN);
    }

    [Fact]
    public void NopOut_AnswerToTargetPing_HasReservedIttAndEchoedTtt()
    {
        var header = new byte[Bhs.Length];
        InitiatorPdus.NopOut(header, Bhs.ReservedTag, 0xCAFE, 0, 3, 4);
        Assert.Equal(0x40, header[0]);
        Assert.Equal(0x80, header[1]);
        var bhs = new Bhs(header);
        Assert.Equal(Bhs.ReservedTag, bhs.InitiatorTaskTag);
        Assert.Equal(0xCAFEu, bhs.TargetTransferTag);
    }

    [Fact]
    public void RandomIsid_IsTypeRandomWithQualifier()
    {
        var isid = InitiatorPdus.RandomIsid(0x0102);
        Assert.Equal(0x80UL, isid >> 40);
        Assert.Equal(0x0102UL, isid & 0xFFFF);
    }
}
