using System.Buffers.Binary;

namespace Storlane.Iscsi.Pdu;

/// <summary>
/// A view over the 48-byte Basic Header Segment (RFC 7143 11.2.1). Every PDU shares the first
/// 20 bytes; the rest is opcode-specific, and fields that share an offset across opcodes have one
/// accessor per RFC name so call sites read like the RFC diagrams.
/// <code>
/// Byte/     0       |       1       |       2       |       3       |
///    +---------------+---------------+---------------+---------------+
///   0|.|I| Opcode    |F|  Opcode-specific fields                     |
///    +---------------+---------------+---------------+---------------+
///   4|TotalAHSLength | DataSegmentLength                             |
///    +---------------+---------------+---------------+---------------+
///   8| LUN or Opcode-specific fields                                 |
///    +                                                               +
///  12|                                                               |
///    +---------------+---------------+---------------+---------------+
///  16| Initiator Task Tag                                            |
///    +---------------+---------------+---------------+---------------+
///  20/ Opcode-specific fields                                        /
///   +/                                                               /
///    +---------------+---------------+---------------+---------------+
///  48
/// </code>
/// </summary>
public readonly ref partial struct Bhs
{
    public const int Length = 48;

    /// <summary>ITT/TTT value that means "none" (RFC 7143 11.18, 11.19).</summary>
    public const uint ReservedTag = 0xFFFFFFFF;

    private readonly Span<byte> _b;

    public Bhs(Span<byte> bytes)
    {
        if (bytes.Length < Length)
        {
            throw new ArgumentException("a BHS is 48 bytes", nameof(bytes));
        }

        _b = bytes[..Length];
    }

    public Span<byte> Bytes => _b;

    /// <summary>Zeroes the header and sets the opcode; target PDUs never carry the I bit.</summary>
    public void Initialize(Opcode opcode, bool immediate = false)
    {
        _b.Clear();
        _b[0] = (byte)((byte)opcode | (immediate ? 0x40 : 0));
    }

    public Opcode Opcode => (Opcode)(_b[0] & 0x3f);

    public bool Immediate => (_b[0] & 0x40) != 0;

    /// <summary>Byte 1 whole: the F bit and the opcode-specific flags.</summary>
    public byte Flags
    {
        get => _b[1];
        set => _b[1] = value;
    }

    public bool Final
    {
        get => (_b[1] & 0x80) != 0;
        set => _b[1] = (byte)(value ? _b[1] | 0x80 : _b[1] & ~0x80);
    }

    public byte Byte2
    {
        get => _b[2];
        set => _b[2] = value;
    }

    public byte Byte3
    {
        get => _b[3];
        set => _b[3] = value;
    }

    /// <summary>Additional header segments length in 4-byte words.</summary>
    public byte TotalAhsLength
    {
        get => _b[4];
        set => _b[4] = value;
    }

    /// <summary>Payload length in bytes, excluding padding (24 bits).</summary>
    public int DataSegmentLength
    {
        get => (_b[5] << 16) | (_b[6] << 8) | _b[7];
        set
        {
            _b[5] = (byte)(value >> 16);
            _b[6] = (byte)(value >> 8);
            _b[7] = (byte)value;
        }
    }

    /// <summary>The 8-byte SAM LUN field (bytes 8-15) as raw big-endian bits.</summary>
    public ulong LunField
    {
        get => BinaryPrimitives.ReadUInt64BigEndian(_b[8..]);
        set => BinaryPrimitives.WriteUInt64BigEndian(_b[8..], value);
    }

    public uint InitiatorTaskTag
    {
        get => Get(16);
        set => Set(16, value);
    }

    // --- offset 20 ---
    public uint TargetTransferTag
    {
        get => Get(20);
        set => Set(20, value);
    }

    /// <summary>SCSI Command: expected data transfer length.</summary>
    public uint ExpectedDataTransferLength
    {
        get => Get(20);
        set => Set(20, value);
    }

    /// <summary>Task management request: referenced task tag.</summary>
    public uint ReferencedTaskTag
    {
        get => Get(20);
        set => Set(20, value);
    }

    /// <summary>SCSI Response: SNACK tag.</summary>
    public uint SnackTag
    {
        get => Get(20);
        set => Set(20, value);
    }

    /// <summary>Login and Logout requests: connection id (bytes 20-21).</summary>
    public ushort ConnectionId
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_b[20..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_b[20..], value);
    }

    // --- offset 24 ---
    public uint CmdSN
    {
        get => Get(24);
        set => Set(24, value);
    }

    public uint StatSN
    {
        get => Get(24);
        set => Set(24, value);
    }

    // --- offset 28 ---
    public uint ExpStatSN
    {
        get => Get(28);
        set => Set(28, value);
    }

    public uint ExpCmdSN
    {
        get => Get(28);
        set => Set(28, value);
    }

    // --- offset 32 ---
    public uint MaxCmdSN
    {
        get => Get(32);
        set => Set(32, value);
    }

    /// <summary>Task management request: RefCmdSN.</summary>
    public uint RefCmdSN
    {
        get => Get(32);
        set => Set(32, value);
    }

    /// <summary>SCSI Command: the first 16 CDB bytes (32-47).</summary>
    public Span<byte> Cdb => _b.Slice(32, 16);

    // --- offset 36 ---
    public uint DataSN
    {
        get => Get(36);
        set => Set(36, value);
    }

    public uint R2TSN
    {
        get => Get(36);
        set => Set(36, value);
    }

    public uint ExpDataSN
    {
        get => Get(36);
        set => Set(36, value);
    }

    // --- offset 40 ---
    public uint BufferOffset
    {
        get => Get(40);
        set => Set(40, value);
    }

    public uint BidirectionalReadResidualCount
    {
        get => Get(40);
        set => Set(40, value);
    }

    // --- offset 44 ---
    public uint ResidualCount
    {
        get => Get(44);
        set => Set(44, value);
    }

    public uint DesiredDataTransferLength
    {
        get => Get(44);
        set => Set(44, value);
    }

    public uint Get(int offset) => BinaryPrimitives.ReadUInt32BigEndian(_b[offset..]);

    public void Set(int offset, uint value) => BinaryPrimitives.WriteUInt32BigEndian(_b[offset..], value);
}
