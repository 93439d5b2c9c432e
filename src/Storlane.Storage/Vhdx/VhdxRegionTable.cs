using System.Buffers.Binary;

namespace Storlane.Storage.Vhdx;

/// <summary>
/// The region table (MS-VHDX 2.2.3): a 16-byte header ("regi", CRC-32C over the 64 KB table,
/// EntryCount &lt;= 2047) followed by 32-byte entries (Guid, FileOffset, Length, Required).
/// </summary>
internal sealed class VhdxRegionTable
{
    public const int MaxEntries = 2047;
    private const int ChecksumOffset = 4;
    private const int EntrySize = 32;
    private const int HeaderSize = 16;

    public VhdxRegionTable(IReadOnlyList<VhdxRegion> regions)
    {
        Regions = regions;
    }

    public IReadOnlyList<VhdxRegion> Regions { get; }

    public VhdxRegion? Find(Guid id)
    {
        foreach (var region in Regions)
        {
            if (region.Id == id)
            {
                return region;
            }
        }

        return null;
    }

    /// <summary>Parses one copy; returns null with the reason when the copy is not valid.</summary>
    public static VhdxRegionTable? TryParse(ReadOnlySpan<byte> table, out string? problem)
    {
        if (table.Length < VhdxFormat.RegionTableSize || !table[..4].SequenceEqual(VhdxFormat.RegionTableSignature))
        {
            problem = "signature is not 'regi'";
            return null;
        }

        table = table[..VhdxFormat.RegionTableSize];
        if (!VhdxChecksum.Verify(table, ChecksumOffset))
        {
            problem = "checksum mismatch";
            return null;
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(table[8..]);
        if (count > MaxEntries)
        {
            problem = $"EntryCount {count} exceeds {MaxEntries}";
            return null;
        }

        var regions = new List<VhdxRegion>((int)count);
        for (var i = 0; i < count; i++)
        {
            var entry = table.Slice(HeaderSize + (i * EntrySize), EntrySize);
            var region = new VhdxRegion(
                new Guid(entry[..16]),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]),
                BinaryPrimitives.ReadUInt32LittleEndian(entry[24..]),
                (BinaryPrimitives.ReadUInt32LittleEndian(entry[28..]) & 1) != 0);
            if (region.FileOffset < VhdxFormat.Mib || region.FileOffset % VhdxFormat.Mib != 0 || region.Length % VhdxFormat.Mib != 0)
            {
                problem = $"region {region.Id} at {region.FileOffset} length {region.Length} is not 1 MB aligned past the header section";
                return null;
            }

            regions.Add(region);
        }

        problem = null;
        return new VhdxRegionTable(regions);
    }

    public void WriteTo(Span<byte> table)
    {
        table = table[..VhdxFormat.RegionTableSize];
        table.Clear();
        VhdxFormat.RegionTableSignature.CopyTo(table);
        BinaryPrimitives.WriteUInt32LittleEndian(table[8..], (uint)Regions.Count);
        for (var i = 0; i < Regions.Count; i++)
        {
            var entry = table.Slice(HeaderSize + (i * EntrySize), EntrySize);
            var region = Regions[i];
            region.Id.TryWriteBytes(entry[..16]);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[16..], (ulong)region.FileOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[24..], region.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[28..], region.Required ? 1u : 0u);
        }

        VhdxChecksum.Seal(table, ChecksumOffset);
    }
}

/// <summary>A region table entry: an MB-aligned piece of the file (the BAT or the metadata region).</summary>
internal readonly record struct VhdxRegion(Guid Id, long FileOffset, uint Length, bool Required)
{
    public long End => FileOffset + Length;
}
