using System.Buffers.Binary;

namespace Storlane.Interop.Tests.Infrastructure.Crash;

/// <summary>
/// The content of one logical block written by the crash harness: a header naming the block's LBA,
/// the write's generation (unique over the whole run) and the run, followed by bytes derived from
/// all three. Reading a block back gives its generation, or <see cref="Unknown"/> when any byte
/// differs from what that generation wrote (torn, shifted or foreign content), so "which write is
/// this" is decided exactly, with no checksum that a torn block could happen to pass.
/// </summary>
internal static class CrashPattern
{
    /// <summary>The generation of a block never written: all zeros, as a new file or VHDX reads.</summary>
    public const long NeverWritten = 0;

    /// <summary>Content that no write of this run produced.</summary>
    public const long Unknown = -1;

    private const ulong Magic = 0x314853415243_4C53; // "SLCRASH1" little-endian
    private const int HeaderSize = 32;

    public static void Fill(Span<byte> block, long lba, long generation, long runSeed)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(block, Magic);
        BinaryPrimitives.WriteInt64LittleEndian(block[8..], lba);
        BinaryPrimitives.WriteInt64LittleEndian(block[16..], generation);
        BinaryPrimitives.WriteInt64LittleEndian(block[24..], runSeed);
        var state = Seed(lba, generation, runSeed);
        for (var offset = HeaderSize; offset < block.Length; offset += sizeof(ulong))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(block[offset..], SplitMix64(ref state));
        }
    }

    /// <summary>The generation whose content <paramref name="block"/> holds exactly, <see cref="NeverWritten"/>, or <see cref="Unknown"/>.</summary>
    public static long Identify(ReadOnlySpan<byte> block, long lba, long runSeed)
    {
        if (!block.ContainsAnyExcept((byte)0))
        {
            return NeverWritten;
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(block) != Magic
            || BinaryPrimitives.ReadInt64LittleEndian(block[8..]) != lba
            || BinaryPrimitives.ReadInt64LittleEndian(block[24..]) != runSeed)
        {
            return Unknown;
        }

        var generation = BinaryPrimitives.ReadInt64LittleEndian(block[16..]);
        var state = Seed(lba, generation, runSeed);
        for (var offset = HeaderSize; offset < block.Length; offset += sizeof(ulong))
        {
            if (BinaryPrimitives.ReadUInt64LittleEndian(block[offset..]) != SplitMix64(ref state))
            {
                return Unknown;
            }
        }

        return generation > 0 ? generation : Unknown;
    }

    private static ulong Seed(long lba, long generation, long runSeed) =>
        (ulong)runSeed * 0x9E3779B97F4A7C15UL ^ (ulong)lba * 0xC2B2AE3D27D4EB4FUL ^ (ulong)generation;

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
