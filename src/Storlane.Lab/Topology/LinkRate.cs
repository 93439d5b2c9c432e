using System.Globalization;

namespace Storlane.Lab.Topology;

/// <summary>Link rates as people write them.</summary>
public static class LinkRate
{
    /// <summary>"10 Gbit/s", "1 Gbit/s", "200 Mbit/s", "1.5 Mbit/s".</summary>
    public static string Format(long bitsPerSecond) => bitsPerSecond switch
    {
        >= 1_000_000_000 => Scaled(bitsPerSecond / 1e9, "Gbit/s"),
        >= 1_000_000 => Scaled(bitsPerSecond / 1e6, "Mbit/s"),
        >= 1_000 => Scaled(bitsPerSecond / 1e3, "kbit/s"),
        _ => bitsPerSecond.ToString(CultureInfo.InvariantCulture) + " bit/s",
    };

    private static string Scaled(double value, string unit) => value.ToString("0.###", CultureInfo.InvariantCulture) + " " + unit;
}
