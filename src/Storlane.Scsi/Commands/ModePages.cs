namespace Storlane.Scsi;

/// <summary>PC field of MODE SENSE (SPC-4 6.11.1 table 94).</summary>
internal enum PageControl
{
    Current = 0,
    Changeable = 1,
    Default = 2,
    Saved = 3,
}

/// <summary>
/// The mode pages of a logical unit. Nothing is changeable (the changeable values are all zero) and
/// nothing is savable (PS = 0), so default and current values are the same.
/// </summary>
internal static class ModePages
{
    public const byte Caching = 0x08;
    public const byte Control = 0x0A;
    public const byte AllPages = 0x3F;
    public const byte AllSubpages = 0xFF;

    /// <summary>Pages in ascending page code order, as "return all pages" lists them (SPC-4 6.11.1).</summary>
    public static ReadOnlySpan<byte> Supported => [Caching, Control];

    public static bool IsSupported(byte pageCode) => pageCode is Caching or Control;

    /// <summary>Writes one page; returns its length (page length + 2).</summary>
    public static int Write(Span<byte> destination, byte pageCode, LogicalUnit unit, PageControl control) => pageCode switch
    {
        Caching => WriteCaching(destination, unit, control),
        Control => WriteControl(destination, control),
        _ => throw new ArgumentOutOfRangeException(nameof(pageCode)),
    };

    /// <summary>
    /// SBC-3 6.4.5 Caching mode page (08h, length 12h): WCE = 1 when the device keeps completed writes
    /// in a volatile cache until SYNCHRONIZE CACHE; RCD = 0 (reads may be cached).
    /// </summary>
    private static int WriteCaching(Span<byte> page, LogicalUnit unit, PageControl control)
    {
        page = page[..20];
        page.Clear();
        page[0] = Caching;
        page[1] = 0x12;
        if (control != PageControl.Changeable && unit.HasVolatileWriteCache)
        {
            page[2] = 0x04; // WCE
        }

        return page.Length;
    }

    /// <summary>
    /// SPC-4 7.5.8 Control mode page (0Ah, length 0Ah): TST 000b (one task set for all I_T nexuses),
    /// GLTSD = 1 (no log parameters to save), D_SENSE = 0 (fixed format sense), QUEUE ALGORITHM
    /// MODIFIER 1h (unrestricted reordering), QERR 00b, UA_INTLCK_CTRL 00b (a reported unit attention
    /// is cleared), SWP = 0, TAS = 0.
    /// </summary>
    private static int WriteControl(Span<byte> page, PageControl control)
    {
        page = page[..12];
        page.Clear();
        page[0] = Control;
        page[1] = 0x0A;
        if (control != PageControl.Changeable)
        {
            page[2] = 0x02; // GLTSD
            page[3] = 0x10; // QUEUE ALGORITHM MODIFIER = 1
        }

        return page.Length;
    }
}
