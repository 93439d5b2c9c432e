using System.Buffers.Binary;

namespace Storlane.Fuzz.Tests.Engine;

/// <summary>
/// A coverage-less mutation engine in the style of AFL's havoc stage: one to four stacked edits of a
/// corpus entry. Everything is drawn from the caller's <see cref="Random"/>, so a seed replays a run.
/// </summary>
internal static class Mutator
{
    /// <summary>Values that sit on the edges parsers get wrong: zero, sign bits, all ones, small lengths.</summary>
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x03, 0x04, 0x10, 0x30, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xfe, 0xff];

    private static readonly uint[] InterestingWords =
    [
        0, 1, 2, 3, 4, 8, 47, 48, 49, 255, 256, 511, 512, 513, 1023, 1024, 4095, 4096, 4097, 8192, 32767, 32768, 65535, 65536,
        262144, 16777215, 16777216, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
    ];

    /// <summary>Largest input the engine grows to; targets see nothing bigger.</summary>
    public const int MaxLength = 1 << 16;

    public static byte[] Mutate(byte[] seed, IReadOnlyList<byte[]> corpus, Random random)
    {
        var data = new List<byte>(seed);
        var edits = 1 + random.Next(4);
        for (var i = 0; i < edits; i++)
        {
            Apply(data, corpus, random);
        }

        if (data.Count > MaxLength)
        {
            data.RemoveRange(MaxLength, data.Count - MaxLength);
        }

        return [.. data];
    }

    private static void Apply(List<byte> data, IReadOnlyList<byte[]> corpus, Random random)
    {
        switch (random.Next(10))
        {
            case 0:
                FlipBit(data, random);
                break;
            case 1:
                SetInterestingByte(data, random);
                break;
            case 2:
                SetInterestingWord(data, random);
                break;
            case 3:
                TweakNumber(data, random);
                break;
            case 4:
                Splice(data, corpus, random);
                break;
            case 5:
                Truncate(data, random);
                break;
            case 6:
                Extend(data, random);
                break;
            case 7:
                DuplicateChunk(data, random);
                break;
            case 8:
                DeleteChunk(data, random);
                break;
            default:
                RandomByte(data, random);
                break;
        }
    }

    private static void FlipBit(List<byte> data, Random random)
    {
        if (data.Count > 0)
        {
            var at = random.Next(data.Count);
            data[at] ^= (byte)(1 << random.Next(8));
        }
    }

    private static void RandomByte(List<byte> data, Random random)
    {
        if (data.Count > 0)
        {
            data[random.Next(data.Count)] = (byte)random.Next(256);
        }
    }

    private static void SetInterestingByte(List<byte> data, Random random)
    {
        if (data.Count > 0)
        {
            data[random.Next(data.Count)] = InterestingBytes[random.Next(InterestingBytes.Length)];
        }
    }

    /// <summary>A 1-, 2-, 3- or 4-byte field set to an edge value, big- or little-endian (iSCSI, SCSI and VHDX mix both).</summary>
    private static void SetInterestingWord(List<byte> data, Random random)
    {
        var width = 1 + random.Next(4);
        if (data.Count < width)
        {
            return;
        }

        var value = InterestingWords[random.Next(InterestingWords.Length)];
        WriteField(data, random.Next(data.Count - width + 1), width, value, random.Next(2) == 0);
    }

    /// <summary>Reads a length-like field, nudges it by a small amount, writes it back: off-by-one hunting.</summary>
    private static void TweakNumber(List<byte> data, Random random)
    {
        var width = 1 + random.Next(4);
        if (data.Count < width)
        {
            return;
        }

        var at = random.Next(data.Count - width + 1);
        var bigEndian = random.Next(2) == 0;
        var value = ReadField(data, at, width, bigEndian);
        var delta = random.Next(2) == 0 ? random.Next(1, 9) : random.Next(1, 9) * 4;
        value = random.Next(2) == 0 ? value + (uint)delta : value - (uint)delta;
        WriteField(data, at, width, value, bigEndian);
    }

    /// <summary>Replaces the tail (from a random point) with the tail of another corpus entry.</summary>
    private static void Splice(List<byte> data, IReadOnlyList<byte[]> corpus, Random random)
    {
        if (corpus.Count == 0)
        {
            return;
        }

        var other = corpus[random.Next(corpus.Count)];
        var cut = data.Count == 0 ? 0 : random.Next(data.Count + 1);
        var from = other.Length == 0 ? 0 : random.Next(other.Length + 1);
        data.RemoveRange(cut, data.Count - cut);
        data.AddRange(other.AsSpan(from).ToArray());
    }

    private static void Truncate(List<byte> data, Random random)
    {
        if (data.Count > 0)
        {
            var keep = random.Next(data.Count);
            data.RemoveRange(keep, data.Count - keep);
        }
    }

    /// <summary>Appends zeros, 0xff or random bytes: lengths that promise more than arrives, and the opposite.</summary>
    private static void Extend(List<byte> data, Random random)
    {
        var count = random.Next(2) == 0 ? random.Next(1, 8) : random.Next(1, 600);
        var kind = random.Next(3);
        for (var i = 0; i < count; i++)
        {
            data.Add(kind switch { 0 => 0, 1 => 0xff, _ => (byte)random.Next(256) });
        }
    }

    private static void DuplicateChunk(List<byte> data, Random random)
    {
        if (data.Count == 0)
        {
            return;
        }

        var start = random.Next(data.Count);
        var length = 1 + random.Next(Math.Min(data.Count - start, 256));
        var chunk = data.GetRange(start, length);
        data.InsertRange(random.Next(data.Count + 1), chunk);
    }

    private static void DeleteChunk(List<byte> data, Random random)
    {
        if (data.Count == 0)
        {
            return;
        }

        var start = random.Next(data.Count);
        data.RemoveRange(start, 1 + random.Next(Math.Min(data.Count - start, 64)));
    }

    private static uint ReadField(List<byte> data, int at, int width, bool bigEndian)
    {
        uint value = 0;
        for (var i = 0; i < width; i++)
        {
            var b = data[at + (bigEndian ? i : width - 1 - i)];
            value = (value << 8) | b;
        }

        return value;
    }

    private static void WriteField(List<byte> data, int at, int width, uint value, bool bigEndian)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        var field = bytes[(4 - width)..];
        for (var i = 0; i < width; i++)
        {
            data[at + i] = field[bigEndian ? i : width - 1 - i];
        }
    }
}
