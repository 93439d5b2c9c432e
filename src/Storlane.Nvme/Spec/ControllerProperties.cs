namespace Storlane.Nvme;

/// <summary>
/// Controller properties reached through Property Get/Set (NVMe over Fabrics 1.1, 3.4 / base 2.0
/// 3.1.3, figure 33): offsets, sizes and the bits the controller acts on.
/// </summary>
public static class ControllerProperties
{
    public const uint Cap = 0x00;
    public const uint Version = 0x08;
    public const uint Configuration = 0x14;
    public const uint Status = 0x1C;

    public const uint ConfigurationEnable = 1;
    public const int ConfigurationShutdownShift = 14;

    public const uint StatusReady = 1;

    /// <summary>CSTS.SHST = 10b: shutdown processing complete.</summary>
    public const uint StatusShutdownComplete = 0b10 << 2;

    /// <summary>
    /// CAP: MQES (15:0, 0's based), CQR (16, required over fabrics), TO (31:24, 500 ms units),
    /// CSS bit 37 (NVM command set), MPSMIN 0 (4 KiB), MPSMAX 0.
    /// </summary>
    public static ulong CapValue(ushort maxQueueEntries, byte timeoutHalfSeconds) =>
        (ulong)(ushort)(maxQueueEntries - 1) | (1UL << 16) | ((ulong)timeoutHalfSeconds << 24) | (1UL << 37);

    public const uint VersionValue = 0x00010400;

    /// <summary>Size of a property: CAP is 8 bytes, the others 4 (ATTRIB of Property Get/Set).</summary>
    public static int SizeOf(uint offset) => offset == Cap ? 8 : 4;
}
