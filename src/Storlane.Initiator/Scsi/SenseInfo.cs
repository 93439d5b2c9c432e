using System.Buffers.Binary;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Scsi;

/// <summary>The parts of sense data an initiator acts on: sense key, ASC/ASCQ and INFORMATION (SPC-4 4.5).</summary>
public readonly record struct SenseInfo(SenseKey Key, byte Asc, byte Ascq, ulong? Information = null)
{
    /// <summary>
    /// Parses fixed (70h/71h, SPC-4 4.5.3) or descriptor (72h/73h, 4.5.2) sense data; anything
    /// shorter or unknown gives false.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> sense, out SenseInfo info)
    {
        info = default;
        if (sense.Length < 2)
        {
            return false;
        }

        switch (sense[0] & 0x7F)
        {
            case 0x70 or 0x71 when sense.Length >= 3:
                var asc = sense.Length > 12 ? sense[12] : (byte)0;
                var ascq = sense.Length > 13 ? sense[13] : (byte)0;
                ulong? information = (sense[0] & 0x80) != 0 && sense.Length >= 7 ? BinaryPrimitives.ReadUInt32BigEndian(sense[3..]) : null;
                info = new SenseInfo((SenseKey)(sense[2] & 0x0F), asc, ascq, information);
                return true;
            case 0x72 or 0x73 when sense.Length >= 4:
                info = new SenseInfo((SenseKey)(sense[1] & 0x0F), sense[2], sense[3], FindInformation(sense));
                return true;
            default:
                return false;
        }
    }

    /// <summary>ASC and ASCQ as one SPC-4 name.</summary>
    public AdditionalSense AdditionalSense => AdditionalSenseExtensions.FromCodes(Asc, Ascq);

    public override string ToString() => $"{Key} ASC/ASCQ {Asc:X2}h/{Ascq:X2}h";

    /// <summary>The Information descriptor (type 00h) of descriptor-format sense, if present.</summary>
    private static ulong? FindInformation(ReadOnlySpan<byte> sense)
    {
        var end = Math.Min(sense.Length, 8 + (sense.Length > 7 ? sense[7] : 0));
        for (var offset = 8; offset + 2 <= end; offset += 2 + sense[offset + 1])
        {
            if (sense[offset] == 0x00 && offset + 12 <= end && (sense[offset + 2] & 0x80) != 0)
            {
                return BinaryPrimitives.ReadUInt64BigEndian(sense[(offset + 4)..]);
            }
        }

        return null;
    }
}
