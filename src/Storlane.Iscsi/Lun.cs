namespace Storlane.Iscsi;

/// <summary>
/// SAM-5 4.7 LUN encoding in the 8-byte LUN field: LUNs below 256 use peripheral device
/// addressing (00b, bus 0), 256-16383 use flat space addressing (01b).
/// </summary>
public static class Lun
{
    public const ulong MaxFlat = 0x3FFF;

    public static ulong Encode(ulong lun)
    {
        if (lun > MaxFlat)
        {
            throw new ArgumentOutOfRangeException(nameof(lun), lun, "LUN must be 0..16383");
        }

        return lun < 256 ? lun << 48 : (0x4000UL | lun) << 48;
    }

    /// <summary>Decodes single-level peripheral or flat addressing; other methods return false.</summary>
    public static bool TryDecode(ulong field, out ulong lun)
    {
        var method = (byte)(field >> 62);
        var firstLevel = (ulong)(field >> 48) & 0x3FFF;
        var lowerLevels = field & 0x0000_FFFF_FFFF_FFFF;
        lun = firstLevel;
        if (lowerLevels != 0)
        {
            return false;
        }

        // Peripheral addressing with bus 0 (byte 0 = 00h) or flat space addressing.
        return method == 1 || (method == 0 && (field >> 56) == 0);
    }
}
