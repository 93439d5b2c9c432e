using System.Buffers.Binary;

namespace Storlane.Storage.Vhdx;

/// <summary>
/// Finds the active log sequence and turns it into writes (MS-VHDX 2.3.3): "find the newest valid
/// and complete log sequence, called the active sequence, and then replay all entries from it and
/// no others ... in order, beginning with the tail entry".
/// </summary>
internal static class VhdxLogReader
{
    private const int Sector = VhdxFormat.LogSectorSize;

    /// <summary>The replay of <paramref name="log"/> (the whole log region), or null when no valid sequence exists.</summary>
    public static VhdxLogReplay? FindActiveSequence(ReadOnlySpan<byte> log, Guid logGuid)
    {
        if (logGuid == Guid.Empty || log.Length < Sector)
        {
            return null;
        }

        List<ParsedEntry>? best = null;
        long currentTail = 0;
        long oldTail = 0;
        while (true)
        {
            // Grow a sequence from currentTail while entries are valid and numbered one apart.
            var sequence = new List<ParsedEntry>();
            var head = currentTail;
            while (sequence.Count * (long)Sector < log.Length
                && TryParse(log, head, logGuid, out var entry)
                && (sequence.Count == 0 || entry.SequenceNumber == sequence[^1].SequenceNumber + 1))
            {
                sequence.Add(entry);
                head = (head + entry.Length) % log.Length;
                if (head == currentTail)
                {
                    break;
                }
            }

            // "If the current sequence's head entry's tail is contained within the current sequence, then the current sequence is valid."
            var valid = sequence.Count > 0 && ContainsOffset(sequence, sequence[^1].Tail);
            if (valid && (best is null || sequence[^1].SequenceNumber > best[^1].SequenceNumber))
            {
                best = sequence[sequence.FindIndex(e => e.Offset == sequence[^1].Tail)..];
            }

            currentTail = sequence.Count == 0 || !valid ? (currentTail + Sector) % log.Length : head;
            if (currentTail <= oldTail)
            {
                break;
            }

            oldTail = currentTail;
        }

        if (best is null)
        {
            return null;
        }

        var writes = new List<VhdxLogWrite>();
        foreach (var entry in best)
        {
            writes.AddRange(entry.Writes);
        }

        var headEntry = best[^1];
        return new VhdxLogReplay(writes, best.Count, headEntry.SequenceNumber, headEntry.FlushedFileOffset, headEntry.LastFileOffset);
    }

    private static bool ContainsOffset(List<ParsedEntry> sequence, long offset)
    {
        foreach (var entry in sequence)
        {
            if (entry.Offset == offset)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Validates the entry at <paramref name="offset"/>: every field, every descriptor, every data sector and the checksum.</summary>
    private static bool TryParse(ReadOnlySpan<byte> log, long offset, Guid logGuid, out ParsedEntry parsed)
    {
        parsed = default;
        var first = log.Slice((int)offset, Sector);
        if (!first[..4].SequenceEqual(VhdxFormat.LogEntrySignature))
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(first[8..]);
        var tail = BinaryPrimitives.ReadUInt32LittleEndian(first[12..]);
        var sequence = BinaryPrimitives.ReadUInt64LittleEndian(first[16..]);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(first[24..]);
        if (length == 0 || length % Sector != 0 || length > log.Length || tail % Sector != 0 || tail >= log.Length
            || sequence == 0 || new Guid(first.Slice(32, 16)) != logGuid || count > (length / VhdxLogEntry.DescriptorSize))
        {
            return false;
        }

        // The entry may wrap around the end of the circular log; gather it contiguously.
        var entry = new byte[length];
        var tailPart = (int)Math.Min(length, log.Length - offset);
        log.Slice((int)offset, tailPart).CopyTo(entry);
        log[..((int)length - tailPart)].CopyTo(entry.AsSpan(tailPart));
        if (!VhdxChecksum.Verify(entry, VhdxLogEntry.ChecksumOffset))
        {
            return false;
        }

        var descriptorSectors = VhdxLogEntry.DescriptorSectors((int)count);
        var writes = new List<VhdxLogWrite>((int)count);
        var dataIndex = 0;
        for (var i = 0; i < count; i++)
        {
            var descriptor = entry.AsSpan(VhdxLogEntry.HeaderSize + (i * VhdxLogEntry.DescriptorSize), VhdxLogEntry.DescriptorSize);
            var fileOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(descriptor[16..]);
            if (BinaryPrimitives.ReadUInt64LittleEndian(descriptor[24..]) != sequence || fileOffset % Sector != 0)
            {
                return false;
            }

            if (descriptor[..4].SequenceEqual(VhdxFormat.ZeroDescriptorSignature))
            {
                var zeroLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(descriptor[8..]);
                if (zeroLength % Sector != 0)
                {
                    return false;
                }

                writes.Add(new VhdxLogWrite(fileOffset, zeroLength, null));
                continue;
            }

            if (!descriptor[..4].SequenceEqual(VhdxFormat.DataDescriptorSignature))
            {
                return false;
            }

            var sectorStart = (descriptorSectors + dataIndex) * Sector;
            if (sectorStart + Sector > length)
            {
                return false;
            }

            var data = entry.AsSpan(sectorStart, Sector);
            if (!data[..4].SequenceEqual(VhdxFormat.DataSectorSignature)
                || BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) != (uint)(sequence >> 32)
                || BinaryPrimitives.ReadUInt32LittleEndian(data[(Sector - 4)..]) != (uint)sequence)
            {
                return false;
            }

            // Restore the bytes the data sector gave up to its signature and sequence halves.
            var page = new byte[Sector];
            descriptor.Slice(8, 8).CopyTo(page);
            data[8..(Sector - 4)].CopyTo(page.AsSpan(8));
            descriptor.Slice(4, 4).CopyTo(page.AsSpan(Sector - 4));
            writes.Add(new VhdxLogWrite(fileOffset, Sector, page));
            dataIndex++;
        }

        if ((descriptorSectors + dataIndex) * Sector != length)
        {
            return false;
        }

        parsed = new ParsedEntry(offset, length, tail, sequence,
            (long)BinaryPrimitives.ReadUInt64LittleEndian(first[48..]), (long)BinaryPrimitives.ReadUInt64LittleEndian(first[56..]), writes);
        return true;
    }

    private readonly record struct ParsedEntry(long Offset, long Length, long Tail, ulong SequenceNumber, long FlushedFileOffset, long LastFileOffset, List<VhdxLogWrite> Writes);
}

/// <summary>One replayed descriptor: a 4 KB page to write, or (Data null) a range to zero.</summary>
internal readonly record struct VhdxLogWrite(long FileOffset, long Length, byte[]? Data);

/// <summary>The writes of the active sequence in replay order, and the file sizes its head entry demands.</summary>
internal sealed record VhdxLogReplay(IReadOnlyList<VhdxLogWrite> Writes, int EntryCount, ulong HeadSequenceNumber, long FlushedFileOffset, long LastFileOffset);
