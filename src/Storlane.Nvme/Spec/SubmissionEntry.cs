using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Storlane.Nvme;

/// <summary>
/// A 64-byte submission queue entry, copied out of its capsule (NVMe base 2.0, 4.1, figure 87):
/// <code>
///  0      opcode        1  FUSE/PSDT      2..3  CID
///  4..7   NSID          8..15  CDW2-3     16..23 MPTR
///  24..39 DPTR (SGL1)   40..63 CDW10..CDW15
/// </code>
/// Over fabrics DPTR is one SGL descriptor (NVMe over Fabrics 1.1, 2.3): address 24..31, length
/// 32..35, SGL identifier (type &lt;&lt; 4 | subtype) at 39.
/// </summary>
public struct SubmissionEntry
{
    public const int Length = 64;

    /// <summary>SGL Data Block descriptor, subtype Offset: the data is in the capsule at Address.</summary>
    public const byte SglInCapsule = 0x01;

    /// <summary>Transport SGL Data Block, subtype Transport Specific: the data moves in C2HData/H2CData PDUs.</summary>
    public const byte SglTransport = 0x5A;

    private Bytes _bytes;

    public static SubmissionEntry Read(ReadOnlySpan<byte> source)
    {
        var entry = default(SubmissionEntry);
        source[..Length].CopyTo(entry._bytes);
        return entry;
    }

    [UnscopedRef]
    public readonly ReadOnlySpan<byte> Span => _bytes;

    public readonly byte Opcode => _bytes[0];

    public readonly ushort CommandId => BinaryPrimitives.ReadUInt16LittleEndian(Span[2..]);

    public readonly uint NamespaceId => Dword(1);

    /// <summary>FCTYPE of a Fabrics command (byte 4, where NSID would be).</summary>
    public readonly FabricsCommandType FabricsType => (FabricsCommandType)_bytes[4];

    public readonly ulong SglAddress => BinaryPrimitives.ReadUInt64LittleEndian(Span[24..]);

    public readonly uint SglLength => BinaryPrimitives.ReadUInt32LittleEndian(Span[32..]);

    public readonly byte SglIdentifier => _bytes[39];

    public readonly uint Cdw10 => Dword(10);

    public readonly uint Cdw11 => Dword(11);

    public readonly uint Cdw12 => Dword(12);

    public readonly uint Cdw13 => Dword(13);

    public readonly uint Cdw14 => Dword(14);

    public readonly uint Cdw15 => Dword(15);

    /// <summary>SLBA of the NVM I/O commands (CDW10-11).</summary>
    public readonly ulong StartingLba => Cdw10 | ((ulong)Cdw11 << 32);

    /// <summary>NLB of the NVM I/O commands (CDW12 bits 15:0), converted from 0's based to a count.</summary>
    public readonly uint BlockCount => (Cdw12 & 0xFFFF) + 1;

    /// <summary>FUA of Read/Write (CDW12 bit 30).</summary>
    public readonly bool ForceUnitAccess => (Cdw12 & (1u << 30)) != 0;

    public readonly uint Dword(int index) => BinaryPrimitives.ReadUInt32LittleEndian(((ReadOnlySpan<byte>)_bytes)[(index * 4)..]);

    [InlineArray(Length)]
    private struct Bytes
    {
        private byte _element0;
    }
}
