using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Storlane.Bench.Engine;

/// <summary>
/// The verify header written at the start of every block: magic, the block's own byte offset, a
/// write sequence number and a checksum of the rest of the block. A read then proves the block
/// holds what some write put there, at that place, intact (like fio's verify header).
/// </summary>
internal static class BlockStamp
{
    public const int HeaderSize = 32;
    private const ulong Magic = 0x4952_4556_4E4C_5453; // "STLNVERI" little-endian
    private const ulong Prime = 0x9E37_79B9_7F4A_7C15;

    public static void Stamp(Span<byte> buffer, long offset, int unit, ulong sequence)
    {
        for (var at = 0; at < buffer.Length; at += unit)
        {
            var block = buffer.Slice(at, unit);
            BinaryPrimitives.WriteUInt64LittleEndian(block, Magic);
            BinaryPrimitives.WriteInt64LittleEndian(block[8..], offset + at);
            BinaryPrimitives.WriteUInt64LittleEndian(block[16..], sequence);
            BinaryPrimitives.WriteUInt64LittleEndian(block[24..], Checksum(block));
        }
    }

    public static bool IsStamped(ReadOnlySpan<byte> block) => BinaryPrimitives.ReadUInt64LittleEndian(block) == Magic;

    /// <summary>Null when <paramref name="block"/> is a good stamp for <paramref name="offset"/>, otherwise what is wrong.</summary>
    public static string? Check(ReadOnlySpan<byte> block, long offset)
    {
        if (!IsStamped(block))
        {
            return "no verify header (the block was never written by this run, or its header is damaged)";
        }

        var stampedOffset = BinaryPrimitives.ReadInt64LittleEndian(block[8..]);
        if (stampedOffset != offset)
        {
            return $"block holds the data written for offset {stampedOffset} (misdirected write or read)";
        }

        return BinaryPrimitives.ReadUInt64LittleEndian(block[24..]) == Checksum(block) ? null : "checksum mismatch (data corrupted)";
    }

    /// <summary>A multiply-xor hash over the block with the checksum field skipped; strong enough to catch flipped bits.</summary>
    private static ulong Checksum(ReadOnlySpan<byte> block)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(block);
        var hash = Prime;
        for (var i = 0; i < words.Length; i++)
        {
            if (i != 3)
            {
                hash = (hash ^ words[i]) * Prime;
                hash ^= hash >> 29;
            }
        }

        return hash;
    }
}
