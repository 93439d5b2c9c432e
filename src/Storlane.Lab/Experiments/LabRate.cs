namespace Storlane.Lab.Experiments;

/// <summary>The rate of every lab link (<c>--rate 1gbit|10gbit</c>) and the iSCSI payload it can carry.</summary>
public static class LabRate
{
    public const long OneGigabit = 1_000_000_000;
    public const long TenGigabit = 10_000_000_000;

    /// <summary>What <c>--rate</c> accepts, for help text and errors.</summary>
    public const string Expected = "1gbit or 10gbit";

    /// <summary>
    /// Share of a rate-limited link's bits that reach the application: tbf counts whole Ethernet
    /// frames (14-byte header + 1500-byte IP packet at MTU 1500), of which TCP with timestamps
    /// carries 1448 bytes of payload. 1 Gbit/s gives 119.6 MB/s, the "119 MB/s" of a 1 GbE NIC.
    /// </summary>
    public const double PayloadShare = 1448.0 / 1514.0;

    public static bool TryParse(string? text, out long bitsPerSecond)
    {
        bitsPerSecond = text?.Trim().ToLowerInvariant() switch
        {
            "1gbit" or "1g" or "1gbps" => OneGigabit,
            "10gbit" or "10g" or "10gbps" => TenGigabit,
            _ => 0,
        };
        return bitsPerSecond > 0;
    }

    /// <summary>Payload MB/s (10^6 bytes) one link of this rate carries at best.</summary>
    public static double PayloadMegabytesPerSecond(long bitsPerSecond) => bitsPerSecond / 8.0 / 1e6 * PayloadShare;
}
