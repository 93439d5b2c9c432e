namespace Storlane.Iscsi;

/// <summary>
/// RFC 1982 serial number arithmetic with SERIAL_BITS = 32, as RFC 7143 4.2.2.1 requires for
/// CmdSN, StatSN and DataSN comparisons ("all comparisons and arithmetic on SN ... MUST be
/// performed using Serial Number Arithmetic"). Plain &lt; and != on wrapped counters are bugs.
/// </summary>
public static class SerialNumber
{
    /// <summary>s1 &lt; s2 in serial arithmetic: true when s2 is ahead of s1 by 1..2^31-1.</summary>
    public static bool LessThan(uint s1, uint s2) => s1 != s2 && (int)(s1 - s2) < 0;

    public static bool GreaterThan(uint s1, uint s2) => s1 != s2 && (int)(s1 - s2) > 0;

    public static bool LessOrEqual(uint s1, uint s2) => s1 == s2 || LessThan(s1, s2);

    /// <summary>low &lt;= sn &lt;= high in serial arithmetic.</summary>
    public static bool InWindow(uint sn, uint low, uint high) => LessOrEqual(low, sn) && LessOrEqual(sn, high);

    /// <summary>The later of two serial numbers.</summary>
    public static uint Max(uint s1, uint s2) => GreaterThan(s2, s1) ? s2 : s1;
}
