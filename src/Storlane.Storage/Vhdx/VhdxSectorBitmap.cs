namespace Storlane.Storage.Vhdx;

/// <summary>
/// Bit operations on a 1 MB sector bitmap block (MS-VHDX 2.4): "Bit 0 (that is, bit 0 of byte 0) is
/// the entry for the first virtual sector ... a value of 1 indicates that the payload data for the
/// corresponding virtual sector should be retrieved from this file".
/// </summary>
internal static class VhdxSectorBitmap
{
    public const int BitsPerPage = VhdxFormat.LogSectorSize * 8;

    public static bool IsSet(byte[] bitmap, long bit) => (Volatile.Read(ref bitmap[bit >> 3]) & (1 << (int)(bit & 7))) != 0;

    /// <summary>How many bits from <paramref name="bit"/> (at most <paramref name="max"/>) equal the first one.</summary>
    public static long RunLength(byte[] bitmap, long bit, long max, out bool value)
    {
        value = IsSet(bitmap, bit);
        long run = 1;
        while (run < max && IsSet(bitmap, bit + run) == value)
        {
            run++;
        }

        return run;
    }

    /// <summary>Sets or clears bits; returns the first and last 4 KB page index touched.</summary>
    public static (int FirstPage, int LastPage) SetRange(byte[] bitmap, long bit, long count, bool value)
    {
        for (var i = bit; i < bit + count; i++)
        {
            ref var b = ref bitmap[i >> 3];
            var mask = (byte)(1 << (int)(i & 7));
            b = value ? (byte)(b | mask) : (byte)(b & ~mask);
        }

        return ((int)(bit / BitsPerPage), (int)((bit + count - 1) / BitsPerPage));
    }

    public static bool AllSet(byte[] bitmap, long bit, long count)
    {
        for (var i = bit; i < bit + count; i++)
        {
            if (!IsSet(bitmap, i))
            {
                return false;
            }
        }

        return true;
    }
}
