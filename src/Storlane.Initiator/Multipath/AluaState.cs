using System.Buffers.Binary;

namespace Storlane.Initiator.Multipath;

/// <summary>ASYMMETRIC ACCESS STATE of a target port group (SPC-4 6.37, table 157).</summary>
public enum AluaState : byte
{
    ActiveOptimized = 0x0,
    ActiveNonOptimized = 0x1,
    Standby = 0x2,
    Unavailable = 0x3,
    Offline = 0xE,
    Transitioning = 0xF,
}

/// <summary>Parses REPORT TARGET PORT GROUPS parameter data and ranks states for path choice.</summary>
public static class Alua
{
    /// <summary>Group id to state, from length-only (000b) or extended (001b) format data.</summary>
    public static Dictionary<ushort, AluaState> ParseReport(ReadOnlySpan<byte> data)
    {
        var groups = new Dictionary<ushort, AluaState>();
        if (data.Length < 4)
        {
            return groups;
        }

        var end = Math.Min(data.Length, 4 + (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data), int.MaxValue - 4));
        var offset = data.Length >= 8 && (data[4] & 0x70) == 0x10 ? 8 : 4;
        while (offset + 8 <= end)
        {
            var state = (AluaState)(data[offset] & 0x0F);
            var group = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            groups[group] = state;
            offset += 8 + (4 * data[offset + 7]);
        }

        return groups;
    }

    /// <summary>0 active/optimized, 1 active/non-optimized, -1 not usable for I/O.</summary>
    public static int Rank(AluaState state) => state switch
    {
        AluaState.ActiveOptimized => 0,
        AluaState.ActiveNonOptimized => 1,
        _ => -1,
    };
}
