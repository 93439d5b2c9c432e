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
/// The mode pages of a logical unit. Only SWP of the Control page is changeable; nothing is savable
/// (PS = 0). Default values are the values at start-up (SWP = 0).
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
        Control => WriteControl(destination, unit, control),
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
    /// is cleared), TAS = 0. SWP (byte 4 bit 3) is the one changeable bit: "A software write protect
    /// (SWP) bit set to one specifies that the logical unit shall inhibit writes to the medium".
    /// </summary>
    private static int WriteControl(Span<byte> page, LogicalUnit unit, PageControl control)
    {
        page = page[..12];
        page.Clear();
        page[0] = Control;
        page[1] = 0x0A;
        if (control == PageControl.Changeable)
        {
            page[4] = SoftwareWriteProtectBit;
        }
        else
        {
            page[2] = 0x02; // GLTSD
            page[3] = 0x10; // QUEUE ALGORITHM MODIFIER = 1
            if (control == PageControl.Current && unit.SoftwareWriteProtect)
            {
                page[4] = SoftwareWriteProtectBit;
            }
        }

        return page.Length;
    }

    /// <summary>SWP in byte 4 of the Control mode page.</summary>
    public const byte SoftwareWriteProtectBit = 0x08;

    /// <summary>Byte of the Control mode page that holds SWP.</summary>
    public const int SoftwareWriteProtectByte = 4;
}
