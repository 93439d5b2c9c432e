using System.Buffers.Binary;

namespace Storlane.Storage.Vhdx;

/// <summary>
/// The metadata region (MS-VHDX 2.6): a 64 KB table ("metadata", EntryCount, 32-byte entries of
/// ItemId, Offset, Length, IsUser/IsVirtualDisk/IsRequired bits) and the items it points at. Only
/// the known system items are kept; an unknown item marked IsRequired refuses the file, as
/// "the implementation MUST fail to load the file".
/// </summary>
internal sealed record VhdxMetadata(
    int BlockSize,
    bool LeaveBlockAllocated,
    bool HasParent,
    long VirtualDiskSize,
    Guid VirtualDiskId,
    int LogicalSectorSize,
    int PhysicalSectorSize,
    VhdxParentLocator? ParentLocator)
{
    public const int MaxEntries = 2047;
    private const int EntrySize = 32;
    private const int TableHeaderSize = 32;
    private const uint IsUserFlag = 1;
    private const uint IsVirtualDiskFlag = 2;
    private const uint IsRequiredFlag = 4;

    public static VhdxMetadata Parse(ReadOnlySpan<byte> region, long regionOffset)
    {
        if (region.Length < VhdxFormat.MetadataTableSize || !region[..8].SequenceEqual(VhdxFormat.MetadataSignature))
        {
            throw Corrupt(regionOffset, "table signature is not 'metadata'");
        }

        var count = BinaryPrimitives.ReadUInt16LittleEndian(region[10..]);
        if (count > MaxEntries)
        {
            throw Corrupt(regionOffset, $"EntryCount {count} exceeds {MaxEntries}");
        }

        int? blockSize = null;
        long? diskSize = null;
        int? logical = null;
        int? physical = null;
        Guid? diskId = null;
        uint parameters = 0;
        VhdxParentLocator? locator = null;
        for (var i = 0; i < count; i++)
        {
            var entry = region.Slice(TableHeaderSize + (i * EntrySize), EntrySize);
            var id = new Guid(entry[..16]);
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(entry[16..]);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(entry[20..]);
            var flags = BinaryPrimitives.ReadUInt32LittleEndian(entry[24..]);
            if (length == 0)
            {
                continue;
            }

            // "The Offset field MUST be at least 64 KB ... The item ... MUST fall entirely within the metadata region."
            if (offset < VhdxFormat.MetadataTableSize || offset + (long)length > region.Length || length > VhdxFormat.Mib)
            {
                throw Corrupt(regionOffset, $"item {id} at offset {offset} length {length} lies outside the {region.Length}-byte region");
            }

            var item = region.Slice((int)offset, (int)length);
            if ((flags & IsUserFlag) != 0)
            {
                continue;
            }

            if (id == VhdxKnownIds.FileParameters)
            {
                Require(item, 8, id, regionOffset);
                blockSize = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(item), int.MaxValue);
                parameters = BinaryPrimitives.ReadUInt32LittleEndian(item[4..]);
            }
            else if (id == VhdxKnownIds.VirtualDiskSize)
            {
                Require(item, 8, id, regionOffset);
                diskSize = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(item), long.MaxValue);
            }
            else if (id == VhdxKnownIds.VirtualDiskId)
            {
                Require(item, 16, id, regionOffset);
                diskId = new Guid(item[..16]);
            }
            else if (id == VhdxKnownIds.LogicalSectorSize)
            {
                Require(item, 4, id, regionOffset);
                logical = (int)BinaryPrimitives.ReadUInt32LittleEndian(item);
            }
            else if (id == VhdxKnownIds.PhysicalSectorSize)
            {
                Require(item, 4, id, regionOffset);
                physical = (int)BinaryPrimitives.ReadUInt32LittleEndian(item);
            }
            else if (id == VhdxKnownIds.ParentLocator)
            {
                locator = VhdxParentLocator.Parse(item);
            }
            else if ((flags & IsRequiredFlag) != 0)
            {
                throw Corrupt(regionOffset, $"required metadata item {id} is not understood");
            }
        }

        var metadata = new VhdxMetadata(
            blockSize ?? throw Corrupt(regionOffset, "the File Parameters item is missing"),
            (parameters & 1) != 0,
            (parameters & 2) != 0,
            diskSize ?? throw Corrupt(regionOffset, "the Virtual Disk Size item is missing"),
            diskId ?? throw Corrupt(regionOffset, "the Virtual Disk ID (page 83 data) item is missing"),
            logical ?? throw Corrupt(regionOffset, "the Logical Sector Size item is missing"),
            physical ?? throw Corrupt(regionOffset, "the Physical Sector Size item is missing"),
            locator);
        metadata.Validate(regionOffset);
        return metadata;
    }

    /// <summary>Where item <paramref name="id"/> lies inside the region (offset from the region start and length), or null when the table has no such item.</summary>
    public static (int Offset, int Length)? FindItem(ReadOnlySpan<byte> region, Guid id)
    {
        var count = Math.Min((int)BinaryPrimitives.ReadUInt16LittleEndian(region[10..]), MaxEntries);
        for (var i = 0; i < count; i++)
        {
            var entry = region.Slice(TableHeaderSize + (i * EntrySize), EntrySize);
            if (new Guid(entry[..16]) == id)
            {
                return ((int)BinaryPrimitives.ReadUInt32LittleEndian(entry[16..]), (int)BinaryPrimitives.ReadUInt32LittleEndian(entry[20..]));
            }
        }

        return null;
    }

    /// <summary>The rules of 2.6.2.1 to 2.6.2.6 on the item values.</summary>
    public void Validate(long regionOffset)
    {
        // "BlockSize ... MUST be at least 1 MB and not greater than 256 MB, and MUST be a power of 2."
        if (BlockSize is < VhdxFormat.MinBlockSize or > VhdxFormat.MaxBlockSize || (BlockSize & (BlockSize - 1)) != 0)
        {
            throw Corrupt(regionOffset, $"BlockSize {BlockSize} is not a power of two from 1 MB to 256 MB");
        }

        if (LogicalSectorSize is not (512 or 4096) || PhysicalSectorSize is not (512 or 4096))
        {
            throw Corrupt(regionOffset, $"sector sizes {LogicalSectorSize}/{PhysicalSectorSize} are not 512 or 4096");
        }

        // "VirtualDiskSize ... MUST be a multiple of the LogicalSectorSize ... and MUST be at most 64 TB."
        if (VirtualDiskSize <= 0 || VirtualDiskSize % LogicalSectorSize != 0 || VirtualDiskSize > VhdxFormat.MaxVirtualDiskSize)
        {
            throw Corrupt(regionOffset, $"VirtualDiskSize {VirtualDiskSize} is not a positive multiple of {LogicalSectorSize} up to 64 TB");
        }

        // "When the HasParent field ... is set, there MUST be a parent locator."
        if (HasParent && ParentLocator is null)
        {
            throw Corrupt(regionOffset, "HasParent is set but there is no Parent Locator item");
        }

        if (HasParent && ParentLocator![VhdxParentLocator.ParentLinkageKey] is null)
        {
            throw Corrupt(regionOffset, "the parent locator has no parent_linkage entry");
        }
    }

    /// <summary>Builds a 1 MB metadata region: the table, then the items from 64 KB on.</summary>
    public byte[] ToRegion()
    {
        var region = new byte[VhdxFormat.Mib];
        VhdxFormat.MetadataSignature.CopyTo(region);
        var items = new List<(Guid Id, byte[] Data, uint Flags)>
        {
            (VhdxKnownIds.FileParameters, FileParametersBytes(), IsRequiredFlag),
            (VhdxKnownIds.VirtualDiskSize, BitConverter.GetBytes((ulong)VirtualDiskSize), IsVirtualDiskFlag | IsRequiredFlag),
            (VhdxKnownIds.VirtualDiskId, VirtualDiskId.ToByteArray(), IsVirtualDiskFlag | IsRequiredFlag),
            (VhdxKnownIds.LogicalSectorSize, BitConverter.GetBytes((uint)LogicalSectorSize), IsVirtualDiskFlag | IsRequiredFlag),
            (VhdxKnownIds.PhysicalSectorSize, BitConverter.GetBytes((uint)PhysicalSectorSize), IsVirtualDiskFlag | IsRequiredFlag),
        };
        if (ParentLocator is not null)
        {
            items.Add((VhdxKnownIds.ParentLocator, ParentLocator.ToBytes(), IsRequiredFlag));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(region.AsSpan(10), (ushort)items.Count);
        var dataOffset = VhdxFormat.MetadataTableSize;
        for (var i = 0; i < items.Count; i++)
        {
            var entry = region.AsSpan(TableHeaderSize + (i * EntrySize), EntrySize);
            var (id, data, flags) = items[i];
            id.TryWriteBytes(entry);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], (uint)dataOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[20..], (uint)data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[24..], flags);
            data.CopyTo(region.AsSpan(dataOffset));
            dataOffset += data.Length;
        }

        return region;
    }

    private byte[] FileParametersBytes()
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (LeaveBlockAllocated ? 1u : 0u) | (HasParent ? 2u : 0u));
        return bytes;
    }

    private static void Require(ReadOnlySpan<byte> item, int length, Guid id, long regionOffset)
    {
        if (item.Length < length)
        {
            throw Corrupt(regionOffset, $"item {id} is {item.Length} bytes, expected {length}");
        }
    }

    private static InvalidDataException Corrupt(long regionOffset, string what) =>
        new($"VHDX metadata region at file offset {regionOffset}: {what}");
}
