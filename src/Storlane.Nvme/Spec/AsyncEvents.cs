namespace Storlane.Nvme;

/// <summary>
/// Asynchronous Event Request completions (NVMe base 2.0, 5.2, figure 150: DW0 bits 2:0 the event
/// type, 15:8 the information, 23:16 the log page that tells more) and the Asynchronous Event
/// Configuration bits a host enables them with (Set Features 0Bh, 5.27.1.7).
/// </summary>
public static class AsyncEvents
{
    /// <summary>Event type 2h: Notice.</summary>
    public const uint NoticeType = 0x2;

    /// <summary>Notice 00h, Namespace Attribute Changed (figure 152): read the Changed Namespace List.</summary>
    public const byte NamespaceAttributeChanged = 0x00;

    /// <summary>Notice 03h, Asymmetric Namespace Access Change: read the ANA log.</summary>
    public const byte AnaChange = 0x03;

    /// <summary>Notice F0h, Discovery Log Page Change (NVMe over Fabrics 1.1, 5.4.4): read log 70h again.</summary>
    public const byte DiscoveryLogChange = 0xF0;

    /// <summary>AEC bit 8 (OAES bit 8 advertises it): Namespace Attribute Notices.</summary>
    public const uint NamespaceAttributeNotices = 1u << 8;

    /// <summary>AEC bit 11 (OAES bit 11): ANA Change Notices.</summary>
    public const uint AnaChangeNotices = 1u << 11;

    /// <summary>AEC bit 31 of a discovery controller (OAES bit 31): Discovery Log Page Change Notices.</summary>
    public const uint DiscoveryLogChangeNotices = 1u << 31;

    /// <summary>DW0 of the AER completion for a notice that the page <paramref name="logPage"/> explains.</summary>
    public static uint Notice(byte information, LogPageId logPage) => NoticeType | ((uint)information << 8) | ((uint)logPage << 16);
}
