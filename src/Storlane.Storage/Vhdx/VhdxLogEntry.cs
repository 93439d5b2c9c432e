using System.Buffers.Binary;

namespace Storlane.Storage.Vhdx;

/// <summary>
/// Log entry layout (MS-VHDX 2.3.1). The entry header (64 bytes) and 32-byte descriptors fill the
/// descriptor sectors; each data descriptor has one 4 KB data sector after them.
/// <code>
/// header:     0 "loge"  4 Checksum  8 EntryLength  12 Tail  16 SequenceNumber  24 DescriptorCount
///            28 Reserved  32 LogGuid  48 FlushedFileOffset  56 LastFileOffset
/// descriptor: 0 "desc"  4 TrailingBytes  8 LeadingBytes  16 FileOffset  24 SequenceNumber
///             0 "zero"  4 Reserved       8 ZeroLength    16 FileOffset  24 SequenceNumber
/// data:       0 "data"  4 SequenceHigh   8 bytes 8..4091 of the update   4092 SequenceLow
/// </code>
/// </summary>
internal static class VhdxLogEntry
{
    public const int HeaderSize = 64;
    public const int DescriptorSize = 32;
    public const int ChecksumOffset = 4;
    private const int Sector = VhdxFormat.LogSectorSize;

    public static int DescriptorSectors(int descriptorCount) => (HeaderSize + (descriptorCount * DescriptorSize) + Sector - 1) / Sector;

    public static int EntryLength(int pageCount) => (DescriptorSectors(pageCount) + pageCount) * Sector;

    /// <summary>How many 4 KB page updates fit in one entry of a log of <paramref name="logLength"/> bytes.</summary>
    public static int MaxPages(long logLength)
    {
        var sectors = (int)Math.Min(logLength / Sector, int.MaxValue);
        var pages = sectors - 1;
        while (pages > 0 && DescriptorSectors(pages) + pages > sectors)
        {
            pages--;
        }

        return pages;
    }

    /// <summary>Serializes an entry of 4 KB page updates into <paramref name="entry"/> (exactly <see cref="EntryLength"/> bytes).</summary>
    public static void Write(Span<byte> entry, ulong sequence, uint tail, Guid logGuid, long flushedFileOffset, long lastFileOffset, IReadOnlyList<VhdxPageUpdate> pages)
    {
        entry.Clear();
        VhdxFormat.LogEntrySignature.CopyTo(entry);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], (uint)entry.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], tail);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[16..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[24..], (uint)pages.Count);
        logGuid.TryWriteBytes(entry.Slice(32, 16));
        BinaryPrimitives.WriteUInt64LittleEndian(entry[48..], (ulong)flushedFileOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[56..], (ulong)lastFileOffset);
        var dataStart = DescriptorSectors(pages.Count) * Sector;
        for (var i = 0; i < pages.Count; i++)
        {
            var page = pages[i].Data.Span;
            var descriptor = entry.Slice(HeaderSize + (i * DescriptorSize), DescriptorSize);
            VhdxFormat.DataDescriptorSignature.CopyTo(descriptor);
            page.Slice(Sector - 4, 4).CopyTo(descriptor[4..]);
            page[..8].CopyTo(descriptor[8..]);
            BinaryPrimitives.WriteUInt64LittleEndian(descriptor[16..], (ulong)pages[i].FileOffset);
            BinaryPrimitives.WriteUInt64LittleEndian(descriptor[24..], sequence);

            var data = entry.Slice(dataStart + (i * Sector), Sector);
            VhdxFormat.DataSectorSignature.CopyTo(data);
            BinaryPrimitives.WriteUInt32LittleEndian(data[4..], (uint)(sequence >> 32));
            page[8..(Sector - 4)].CopyTo(data[8..]);
            BinaryPrimitives.WriteUInt32LittleEndian(data[(Sector - 4)..], (uint)sequence);
        }

        VhdxChecksum.Seal(entry, ChecksumOffset);
    }
}

/// <summary>A whole 4 KB metadata page (BAT or sector bitmap) and where it belongs in the file.</summary>
internal readonly record struct VhdxPageUpdate(long FileOffset, ReadOnlyMemory<byte> Data);
