using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Storlane.Nvme;

namespace Storlane.Initiator.Nvme;

/// <summary>
/// A 64-byte submission queue entry the host builds (NVMe base 2.0, 4.1, figure 87), held inline
/// so a command can cross awaits without a heap array. The queue fills in the CID and, when the
/// command moves data, the SGL descriptor (NVMe over Fabrics 1.1, 2.3) before sending it.
/// </summary>
public struct NvmeCommand
{
    private Bytes _bytes;

    [UnscopedRef]
    public readonly ReadOnlySpan<byte> Span => _bytes;

    public readonly byte Opcode => _bytes[0];

    /// <summary>FCTYPE of a Fabrics command (byte 4).</summary>
    public readonly FabricsCommandType FabricsType => (FabricsCommandType)_bytes[4];

    /// <summary>True when the opcode moves data host to controller (bits 1:0 = 01b, base 2.0 figure 28; a Fabrics command's FCTYPE).</summary>
    public readonly bool IsHostToController => ((Opcode == (byte)AdminOpcode.Fabrics ? (byte)FabricsType : Opcode) & 0b11) == 0b01;

    public readonly uint Dword(int index) => BinaryPrimitives.ReadUInt32LittleEndian(Span[(index * 4)..]);

    public static NvmeCommand Admin(AdminOpcode opcode, uint nsid = 0) => Create((byte)opcode, nsid);

    public static NvmeCommand Io(IoOpcode opcode, uint nsid) => Create((byte)opcode, nsid);

    /// <summary>A Fabrics command (Fabrics 1.1, 3.3): opcode 7Fh, FCTYPE at byte 4.</summary>
    public static NvmeCommand Fabrics(FabricsCommandType type)
    {
        var command = Create((byte)AdminOpcode.Fabrics, 0);
        command._bytes[4] = (byte)type;
        return command;
    }

    public void SetDword(int index, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(((Span<byte>)_bytes)[(index * 4)..], value);

    public void SetUInt16(int offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(((Span<byte>)_bytes)[offset..], value);

    public void SetUInt64(int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(((Span<byte>)_bytes)[offset..], value);

    internal void SetCommandId(ushort commandId) => SetUInt16(2, commandId);

    /// <summary>
    /// DPTR as one SGL descriptor: in-capsule data (Data Block, subtype Offset, address 0 with ICDOFF
    /// 0) or data moved by C2HData/H2CData PDUs (Transport SGL Data Block, 5Ah); PSDT 01b says "SGL".
    /// </summary>
    internal void SetSgl(uint length, bool inCapsule)
    {
        var span = (Span<byte>)_bytes;
        span[1] = (byte)((span[1] & 0x3F) | (0b01 << 6));
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(span[32..], length);
        span[36] = 0;
        span[37] = 0;
        span[38] = 0;
        span[39] = inCapsule ? SubmissionEntry.SglInCapsule : SubmissionEntry.SglTransport;
    }

    private static NvmeCommand Create(byte opcode, uint nsid)
    {
        var command = default(NvmeCommand);
        command._bytes[0] = opcode;
        BinaryPrimitives.WriteUInt32LittleEndian(((Span<byte>)command._bytes)[4..], nsid);
        return command;
    }

    [InlineArray(SubmissionEntry.Length)]
    private struct Bytes
    {
        private byte _element0;
    }
}
