using System.Buffers.Binary;

namespace Storlane.Nvme;

/// <summary>
/// Changed Namespace List log page (NVMe base 2.0, 5.16.1.5, figure 208): up to 1024 NSIDs of
/// namespaces attached to this controller that were added, removed, or whose Identify Namespace data
/// changed since the page was last read, in ascending order, zero-filled after the last. "If more
/// than 1,024 namespaces have changed attributes since the last time the log page was read, the first
/// entry in the log page shall be set to FFFFFFFFh and the remainder of the list shall be zero filled."
/// </summary>
public static class ChangedNamespaceList
{
    public const int Length = 4096;

    public const int MaxEntries = Length / 4;

    /// <summary>The first entry of a list that overflowed.</summary>
    public const uint Overflow = 0xFFFF_FFFF;

    /// <param name="ascendingNsids">The changed NSIDs, ascending, at most <see cref="MaxEntries"/>.</param>
    /// <param name="overflowed">More than <see cref="MaxEntries"/> changed: the page says so instead of listing them.</param>
    public static void Write(Span<byte> page, ReadOnlySpan<uint> ascendingNsids, bool overflowed)
    {
        page = page[..Length];
        page.Clear();
        if (overflowed || ascendingNsids.Length > MaxEntries)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(page, Overflow);
            return;
        }

        for (var i = 0; i < ascendingNsids.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(page[(i * 4)..], ascendingNsids[i]);
        }
    }
}
