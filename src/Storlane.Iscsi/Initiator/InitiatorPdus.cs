using System.Buffers.Binary;
using Storlane.Iscsi.Pdu;

namespace Storlane.Iscsi.Initiator;

/// <summary>
/// Fills the 48-byte BHS of every PDU an initiator sends (RFC 7143 section 11). Each method
/// clears the header first, so the caller only appends the data segment through <see cref="PduWriter"/>.
/// </summary>
public static class InitiatorPdus
{
    /// <summary>SCSI Command ATTR "Simple" (11.3.1).</summary>
    public const byte SimpleTaskAttribute = 1;

    /// <summary>
    /// Login Request (11.12). "byte 0: .|1|0x03": a Login Request is always immediate. NSG is only
    /// meaningful with the T bit, and "the T bit ... MUST NOT be set to 1 if the C bit is set" (11.12.2).
    /// </summary>
    public static void LoginRequest(
        Span<byte> header,
        LoginStage current,
        LoginStage next,
        bool transit,
        bool continues,
        ulong isid,
        ushort tsih,
        uint initiatorTaskTag,
        ushort connectionId,
        uint cmdSN,
        uint expStatSN)
    {
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.LoginRequest, immediate: true);
        bhs.Transit = transit && !continues;
        bhs.Continue = continues;
        bhs.CurrentStage = current;
        bhs.NextStage = bhs.Transit ? next : 0;
        bhs.VersionMax = 0;
        bhs.VersionMinOrActive = 0;
        bhs.Isid = isid;
        bhs.Tsih = tsih;
        bhs.InitiatorTaskTag = initiatorTaskTag;
        bhs.ConnectionId = connectionId;
        bhs.CmdSN = cmdSN;
        bhs.ExpStatSN = expStatSN;
    }

    /// <summary>
    /// SCSI Command (11.3) with a CDB of at most 16 bytes. "(F) bit ... set to 1 when no
    /// unsolicited SCSI Data-Out PDUs follow this PDU" (11.3.1).
    /// </summary>
    public static void ScsiCommand(
        Span<byte> header,
        ulong lunField,
        uint initiatorTaskTag,
        uint expectedDataTransferLength,
        uint cmdSN,
        uint expStatSN,
        bool read,
        bool write,
        bool final,
        ReadOnlySpan<byte> cdb,
        byte taskAttribute = SimpleTaskAttribute)
    {
        if (cdb.Length is 0 or > 16)
        {
            throw new ArgumentException("a CDB in the BHS is 1 to 16 bytes", nameof(cdb));
        }

        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.ScsiCommand);
        bhs.Flags = (byte)((final ? 0x80 : 0) | (read ? 0x40 : 0) | (write ? 0x20 : 0) | (taskAttribute & 0x07));
        bhs.LunField = lunField;
        bhs.InitiatorTaskTag = initiatorTaskTag;
        bhs.ExpectedDataTransferLength = expectedDataTransferLength;
        bhs.CmdSN = cmdSN;
        bhs.ExpStatSN = expStatSN;
        cdb.CopyTo(bhs.Cdb);
    }

    /// <summary>
    /// SCSI Data-Out (11.7). Unsolicited data carries TTT 0xffffffff; data answering an R2T echoes
    /// its TTT. DataSN starts at 0 in every sequence (each R2T, and the unsolicited burst).
    /// </summary>
    public static void DataOut(
        Span<byte> header,
        ulong lunField,
        uint initiatorTaskTag,
        uint targetTransferTag,
        uint expStatSN,
        uint dataSN,
        uint bufferOffset,
        bool final)
    {
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.DataOut);
        bhs.Final = final;
        bhs.LunField = lunField;
        bhs.InitiatorTaskTag = initiatorTaskTag;
        bhs.TargetTransferTag = targetTransferTag;
        bhs.ExpStatSN = expStatSN;
        bhs.DataSN = dataSN;
        bhs.BufferOffset = bufferOffset;
    }

    /// <summary>
    /// NOP-Out (11.18). A ping the initiator starts has a valid ITT and TTT 0xffffffff; an answer to a
    /// target's NOP-In echoes its TTT with ITT 0xffffffff and "MUST only have the Immediate (I) bit set".
    /// </summary>
    public static void NopOut(Span<byte> header, uint initiatorTaskTag, uint targetTransferTag, ulong lunField, uint cmdSN, uint expStatSN)
    {
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.NopOut, immediate: true);
        bhs.Final = true;
        bhs.LunField = lunField;
        bhs.InitiatorTaskTag = initiatorTaskTag;
        bhs.TargetTransferTag = targetTransferTag;
        bhs.CmdSN = cmdSN;
        bhs.ExpStatSN = expStatSN;
    }

    /// <summary>Task Management Function Request (11.5), sent immediate so it passes a closed window.</summary>
    public static void TaskManagement(
        Span<byte> header,
        TaskManagementFunction function,
        ulong lunField,
        uint initiatorTaskTag,
        uint referencedTaskTag,
        uint cmdSN,
        uint expStatSN,
        uint refCmdSN)
    {
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.TaskManagementRequest, immediate: true);
        bhs.TaskManagementFunction = function;
        bhs.LunField = lunField;
        bhs.InitiatorTaskTag = initiatorTaskTag;
        bhs.ReferencedTaskTag = referencedTaskTag;
        bhs.CmdSN = cmdSN;
        bhs.ExpStatSN = expStatSN;
        bhs.RefCmdSN = refCmdSN;
    }

    /// <summary>Logout Request (11.14), immediate.</summary>
    public static void LogoutRequest(Span<byte> header, LogoutReason reason, uint initiatorTaskTag, ushort connectionId, uint cmdSN, uint expStatSN)
    {
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.LogoutRequest, immediate: true);
        bhs.Flags = (byte)(0x80 | ((byte)reason & 0x7f));
        bhs.InitiatorTaskTag = initiatorTaskTag;
        bhs.ConnectionId = connectionId;
        bhs.CmdSN = cmdSN;
        bhs.ExpStatSN = expStatSN;
    }

    /// <summary>Text Request (11.10). A new exchange carries TTT 0xffffffff; a continuation echoes the target's TTT.</summary>
    public static void TextRequest(Span<byte> header, bool final, bool continues, uint initiatorTaskTag, uint targetTransferTag, uint cmdSN, uint expStatSN)
    {
        var bhs = new Bhs(header);
        bhs.Initialize(Opcode.TextRequest);
        bhs.Flags = (byte)((final ? 0x80 : 0) | (continues ? 0x40 : 0));
        bhs.InitiatorTaskTag = initiatorTaskTag;
        bhs.TargetTransferTag = targetTransferTag;
        bhs.CmdSN = cmdSN;
        bhs.ExpStatSN = expStatSN;
    }

    /// <summary>
    /// A random ISID (10.12.5 / 11.12.5, type T=10b "Random"): byte 0 is 0x80, the B and C fields
    /// hold 24 random bits, the qualifier D is the caller's.
    /// </summary>
    public static ulong RandomIsid(ushort qualifier)
    {
        Span<byte> random = stackalloc byte[4];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        var bc = BinaryPrimitives.ReadUInt32BigEndian(random) & 0xFFFFFF;
        return (0x80UL << 40) | ((ulong)bc << 16) | qualifier;
    }
}
