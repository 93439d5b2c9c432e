namespace Storlane.Scsi;

/// <summary>
/// The 8-byte LUN structure of SAM-5 4.6 for single level LUNs: peripheral device addressing
/// (00b, bus 0) for LUN 0..255, flat space addressing (01b) for 256..16383. REPORT LUNS uses it,
/// and the transport can use it to decode the LUN field of a SCSI Command PDU.
/// </summary>
public static class ScsiLun
{
    public static void Encode(ulong lun, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lun, ScsiTargetDevice.MaxLun);
        destination[..8].Clear();
        if (lun < 256)
        {
            destination[1] = (byte)lun;
        }
        else
        {
            destination[0] = (byte)(0x40 | (lun >> 8));
            destination[1] = (byte)lun;
        }
    }

    /// <summary>
    /// Decodes a single level peripheral (bus 0) or flat space LUN whose second to fourth levels are
    /// zero. Returns false for any other form (the LUN is then not one of ours).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> lun, out ulong value)
    {
        value = 0;
        if (lun.Length < 8 || lun[2..8].ContainsAnyExcept((byte)0))
        {
            return false;
        }

        switch (lun[0] >> 6)
        {
            case 0b00 when lun[0] == 0:
                value = lun[1];
                return true;
            case 0b01:
                value = ((ulong)(lun[0] & 0x3F) << 8) | lun[1];
                return true;
            default:
                return false;
        }
    }
}
