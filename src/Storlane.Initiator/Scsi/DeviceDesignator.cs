namespace Storlane.Initiator.Scsi;

/// <summary>
/// One designation descriptor of the Device Identification VPD page 83h (SPC-4 7.8.6). Paths to the
/// same logical unit report the same LU designator; multipath groups paths by it.
/// </summary>
public sealed class DeviceDesignator : IEquatable<DeviceDesignator>
{
    private readonly byte[] _value;

    public DeviceDesignator(byte codeSet, byte association, byte type, ReadOnlySpan<byte> value)
    {
        CodeSet = codeSet;
        Association = association;
        Type = type;
        _value = value.ToArray();
    }

    /// <summary>1 binary, 2 ASCII, 3 UTF-8.</summary>
    public byte CodeSet { get; }

    /// <summary>0 the logical unit, 1 the target port, 2 the target device.</summary>
    public byte Association { get; }

    /// <summary>DESIGNATOR TYPE: 1 T10 vendor ID, 2 EUI-64, 3 NAA, 4 relative target port, 5 target port group, 8 SCSI name string.</summary>
    public byte Type { get; }

    public ReadOnlySpan<byte> Value => _value;

    /// <summary>Lower-case hex of the value, prefixed with its type ("naa.6001...").</summary>
    public override string ToString()
    {
        var prefix = Type switch { 1 => "t10.", 2 => "eui.", 3 => "naa.", 8 => "name.", _ => "type" + Type + "." };
        return CodeSet is 2 or 3 ? prefix + System.Text.Encoding.UTF8.GetString(_value).TrimEnd('\0') : prefix + Convert.ToHexStringLower(_value);
    }

    public bool Equals(DeviceDesignator? other) =>
        other is not null && other.CodeSet == CodeSet && other.Association == Association && other.Type == Type
        && other._value.AsSpan().SequenceEqual(_value);

    public override bool Equals(object? obj) => Equals(obj as DeviceDesignator);

    public override int GetHashCode() => HashCode.Combine(Type, Association, _value.Length, _value.Length > 0 ? _value[^1] : 0);

    /// <summary>Parses every descriptor of a page 83h answer; a truncated descriptor ends the list.</summary>
    public static IReadOnlyList<DeviceDesignator> ParsePage(ReadOnlySpan<byte> page)
    {
        var list = new List<DeviceDesignator>();
        if (page.Length < 4 || page[1] != 0x83)
        {
            return list;
        }

        var end = Math.Min(page.Length, 4 + ((page[2] << 8) | page[3]));
        for (var offset = 4; offset + 4 <= end;)
        {
            var length = page[offset + 3];
            if (offset + 4 + length > end)
            {
                break;
            }

            var codeSet = (byte)(page[offset] & 0x0F);
            var association = (byte)((page[offset + 1] >> 4) & 0x03);
            var type = (byte)(page[offset + 1] & 0x0F);
            list.Add(new DeviceDesignator(codeSet, association, type, page.Slice(offset + 4, length)));
            offset += 4 + length;
        }

        return list;
    }

    /// <summary>
    /// The designator that names the logical unit itself (association 0), preferring NAA, then
    /// EUI-64, then a SCSI name string, then a T10 vendor ID; null when the page has none.
    /// </summary>
    public static DeviceDesignator? PickLogicalUnit(IReadOnlyList<DeviceDesignator> designators)
    {
        ArgumentNullException.ThrowIfNull(designators);
        ReadOnlySpan<byte> preference = [3, 2, 8, 1];
        foreach (var type in preference)
        {
            foreach (var designator in designators)
            {
                if (designator.Association == 0 && designator.Type == type)
                {
                    return designator;
                }
            }
        }

        return null;
    }
}
