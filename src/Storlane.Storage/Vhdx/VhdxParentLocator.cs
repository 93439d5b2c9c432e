using System.Buffers.Binary;
using System.Text;

namespace Storlane.Storage.Vhdx;

/// <summary>
/// The Parent Locator metadata item (MS-VHDX 2.6.2.6): a 20-byte header (LocatorType, Reserved,
/// KeyValueCount), 12-byte entries (KeyOffset, ValueOffset, KeyLength, ValueLength), then UTF-16LE
/// keys and values. The VHDX locator type carries parent_linkage (the parent's DataWriteGuid as
/// "{lowercase-guid}") and at least one of relative_path, volume_path, absolute_win32_path.
/// </summary>
public sealed class VhdxParentLocator
{
    public const string ParentLinkageKey = "parent_linkage";
    public const string ParentLinkage2Key = "parent_linkage2";
    public const string RelativePathKey = "relative_path";
    public const string VolumePathKey = "volume_path";
    public const string AbsoluteWin32PathKey = "absolute_win32_path";
    private const int HeaderSize = 20;
    private const int EntrySize = 12;

    public VhdxParentLocator(Guid locatorType, IReadOnlyDictionary<string, string> entries)
    {
        LocatorType = locatorType;
        Entries = entries;
    }

    public Guid LocatorType { get; }

    public IReadOnlyDictionary<string, string> Entries { get; }

    public string? this[string key] => Entries.TryGetValue(key, out var value) ? value : null;

    /// <summary>The locator a new differencing disk gets: the parent's DataWriteGuid and its path relative to the child.</summary>
    public static VhdxParentLocator ForParent(Guid parentDataWriteGuid, string childPath, string parentPath)
    {
        var relative = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(childPath))!, Path.GetFullPath(parentPath));
        var entries = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ParentLinkageKey] = FormatLinkage(parentDataWriteGuid),
            [RelativePathKey] = relative.Replace('/', '\\'),
        };
        if (OperatingSystem.IsWindows())
        {
            entries[AbsoluteWin32PathKey] = @"\\?\" + Path.GetFullPath(parentPath);
        }

        return new VhdxParentLocator(VhdxKnownIds.VhdxParentLocatorType, entries);
    }

    public static string FormatLinkage(Guid guid) => guid.ToString("B");

    public static VhdxParentLocator Parse(ReadOnlySpan<byte> item)
    {
        if (item.Length < HeaderSize)
        {
            throw new InvalidDataException($"parent locator is {item.Length} bytes, shorter than its {HeaderSize}-byte header");
        }

        var type = new Guid(item[..16]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(item[18..]);
        if (HeaderSize + (count * EntrySize) > item.Length)
        {
            throw new InvalidDataException($"parent locator claims {count} entries but is only {item.Length} bytes");
        }

        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var entry = item.Slice(HeaderSize + (i * EntrySize), EntrySize);
            var key = ReadString(item, BinaryPrimitives.ReadUInt32LittleEndian(entry), BinaryPrimitives.ReadUInt16LittleEndian(entry[8..]), i, "key");
            var value = ReadString(item, BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]), BinaryPrimitives.ReadUInt16LittleEndian(entry[10..]), i, "value");
            if (!entries.TryAdd(key, value))
            {
                throw new InvalidDataException($"parent locator key '{key}' appears twice (\"All keys must be unique\")");
            }
        }

        return new VhdxParentLocator(type, entries);
    }

    public byte[] ToBytes()
    {
        var size = HeaderSize + (Entries.Count * EntrySize);
        foreach (var (key, value) in Entries)
        {
            size += Encoding.Unicode.GetByteCount(key) + Encoding.Unicode.GetByteCount(value);
        }

        var item = new byte[size];
        LocatorType.TryWriteBytes(item);
        BinaryPrimitives.WriteUInt16LittleEndian(item.AsSpan(18), (ushort)Entries.Count);
        var entryOffset = HeaderSize;
        var dataOffset = HeaderSize + (Entries.Count * EntrySize);
        foreach (var (key, value) in Entries)
        {
            var keyLength = Encoding.Unicode.GetBytes(key, item.AsSpan(dataOffset));
            var valueLength = Encoding.Unicode.GetBytes(value, item.AsSpan(dataOffset + keyLength));
            var entry = item.AsSpan(entryOffset, EntrySize);
            BinaryPrimitives.WriteUInt32LittleEndian(entry, (uint)dataOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)(dataOffset + keyLength));
            BinaryPrimitives.WriteUInt16LittleEndian(entry[8..], (ushort)keyLength);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[10..], (ushort)valueLength);
            entryOffset += EntrySize;
            dataOffset += keyLength + valueLength;
        }

        return item;
    }

    private static string ReadString(ReadOnlySpan<byte> item, uint offset, ushort length, int index, string what)
    {
        // "KeyOffset ... MUST be greater than zero", "KeyLength ... MUST be greater than zero" (2.6.2.6.2).
        if (offset == 0 || length == 0 || length % 2 != 0 || offset + (long)length > item.Length)
        {
            throw new InvalidDataException($"parent locator entry {index}: {what} at offset {offset} length {length} lies outside the {item.Length}-byte item or is empty");
        }

        return Encoding.Unicode.GetString(item.Slice((int)offset, length));
    }
}
