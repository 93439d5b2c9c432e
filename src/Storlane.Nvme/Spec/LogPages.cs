using System.Buffers.Binary;

namespace Storlane.Nvme;

/// <summary>ANA state of a group as one controller sees it (NVMe base 2.0, 8.1.3, figure 211).</summary>
public enum AnaState : byte
{
    Optimized = 0x01,
    NonOptimized = 0x02,
    Inaccessible = 0x03,
    PersistentLoss = 0x04,
    Change = 0x0F,
}

/// <summary>The I/O controller's log pages; each writes the whole page, Get Log Page slices it by offset and length.</summary>
public static class LogPages
{
    public const int ErrorEntryLength = 64;
    public const int SmartLength = 512;

    /// <summary>Counters SMART / Health Information reports (base 2.0, figure 207).</summary>
    public readonly record struct SmartCounters(ulong BytesRead, ulong BytesWritten, ulong ReadCommands, ulong WriteCommands, ulong PowerOnHours);

    /// <summary>
    /// SMART / Health Information (figure 207): no critical warning, composite temperature 300 K,
    /// spare 100 % (threshold 10 %), and the data units read/written in thousands of 512-byte units,
    /// rounded up as the base spec asks.
    /// </summary>
    public static void WriteSmart(Span<byte> page, in SmartCounters counters)
    {
        page = page[..SmartLength];
        page.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(page[1..], 300);
        page[3] = 100;
        page[4] = 10;
        BinaryPrimitives.WriteUInt64LittleEndian(page[32..], DataUnits(counters.BytesRead));
        BinaryPrimitives.WriteUInt64LittleEndian(page[48..], DataUnits(counters.BytesWritten));
        BinaryPrimitives.WriteUInt64LittleEndian(page[64..], counters.ReadCommands);
        BinaryPrimitives.WriteUInt64LittleEndian(page[80..], counters.WriteCommands);
        BinaryPrimitives.WriteUInt64LittleEndian(page[128..], counters.PowerOnHours);
    }

    private static ulong DataUnits(ulong bytes) => ((bytes / 512) + 999) / 1000;

    /// <summary>ANA log length for one group per namespace (figures 209, 210).</summary>
    public static int AnaLength(int namespaceCount, bool groupsOnly) => 16 + (namespaceCount * (32 + (groupsOnly ? 0 : 4)));

    /// <summary>
    /// Asymmetric Namespace Access log (figure 209): CHGCNT, NGRPS, then one group descriptor per
    /// namespace (ANAGRPID = NSID, NNSID 1, CHGCNT, ANAS, the NSID), the NSID left out when RGO
    /// (return groups only) is set. A group per namespace lets a LUN taken offline be inaccessible alone.
    /// </summary>
    public static void WriteAna(Span<byte> page, ulong changeCount, ReadOnlySpan<uint> nsids, ReadOnlySpan<AnaState> states, bool groupsOnly)
    {
        page = page[..AnaLength(nsids.Length, groupsOnly)];
        page.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(page, changeCount);
        BinaryPrimitives.WriteUInt16LittleEndian(page[8..], (ushort)nsids.Length);
        var at = 16;
        for (var i = 0; i < nsids.Length; i++)
        {
            var group = page[at..];
            BinaryPrimitives.WriteUInt32LittleEndian(group, nsids[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(group[4..], groupsOnly ? 0u : 1u);
            BinaryPrimitives.WriteUInt64LittleEndian(group[8..], changeCount);
            group[16] = (byte)states[i];
            at += 32;
            if (!groupsOnly)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(page[at..], nsids[i]);
                at += 4;
            }
        }
    }
}
