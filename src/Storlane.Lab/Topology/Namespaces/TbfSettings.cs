using System.Globalization;

namespace Storlane.Lab.Topology.Namespaces;

/// <summary>
/// The tc tbf parameters of one link direction. tbf passes a GSO super-packet whole when it fits
/// the burst and segments it otherwise (veth hands it up to 64 KiB with TSO on; a packet larger
/// than the burst that cannot be segmented is dropped), so the burst is at least 64 KiB plus
/// headers. It is also 2 ms at line rate: tokens beyond the burst are lost, so a dequeue that runs
/// late on a busy machine must find room for the time it missed. The queue limit holds 10 ms at
/// line rate (at least two bursts): deep enough that one TCP stream keeps the link busy, shallow
/// next to the response times measured. Measured with one TCP stream over a 1 Gbit/s veth pair:
/// 955 Mbit/s on an idle machine, 89-94 % with a load average of 40 on 2 cores; the ceiling is
/// 95.6 %, the payload share of a 1514-byte frame (1448 bytes of TCP payload with timestamps).
/// </summary>
internal readonly record struct TbfSettings(long RateBitsPerSecond, long BurstBytes, long LimitBytes)
{
    private const long MinBurstBytes = 70 * 1024;
    private const long MinLimitBytes = 256 * 1024;

    public static TbfSettings For(long rateBitsPerSecond)
    {
        var bytesPerSecond = rateBitsPerSecond / 8;
        var burst = Math.Max(MinBurstBytes, bytesPerSecond / 500);
        var limit = Math.Max(MinLimitBytes, Math.Max(2 * burst, bytesPerSecond / 100));
        return new TbfSettings(rateBitsPerSecond, burst, limit);
    }

    /// <summary>The arguments after `tc qdisc replace dev DEV root`.</summary>
    public IReadOnlyList<string> Arguments =>
    [
        "tbf",
        "rate", RateBitsPerSecond.ToString(CultureInfo.InvariantCulture) + "bit",
        "burst", BurstBytes.ToString(CultureInfo.InvariantCulture),
        "limit", LimitBytes.ToString(CultureInfo.InvariantCulture),
    ];
}
